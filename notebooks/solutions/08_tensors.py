# Solutions to notebook 08 (used by the solution-mode test; see fill.py).

# %% exercise 8.1
dX_shape = (4, 3)  # the shape of X
dW_shape = (3, 2)  # the shape of W
ex.matmul_shapes(dX=dX_shape, dW=dW_shape)

# %% exercise 8.2
def matmul_backward(X, W, dY):
    dX = dY @ W.T
    dW = X.T @ dY
    return dX, dW


ex.matmul_backward(matmul_backward)

# %% exercise 8.3
def sum_to_shape(grad, shape):
    while grad.ndim > len(shape):  # sum over the leading axes that broadcasting added
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):  # sum (keepdims=True) over the axes where shape has a 1
        if n == 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


ex.sum_to_shape(sum_to_shape)

# %% exercise 8.4
dmax = [0, 0.5, 0.5, 0]  # the two 3s tie and share the gradient
ex.max_gradient(dmax)
