# Solutions to notebook 04 (used by the solution-mode test; see fill.py).

# %% exercise 4.1
op = "+"  # d._op, a string
first_input_op = "*"  # d._prev[0]._op
n_prev_double = 2  # len((a + a)._prev)
ex.prev_and_op(op=op, first_input_op=first_input_op, n_prev_double=n_prev_double)

# %% exercise 4.2
ddiff = 2 * -14  # d(u^2)/du = 2u = -28
dw = ddiff * -4  # wx = w * x: the local gradient of w is x -> 112
dx = ddiff * 3  # the local gradient of x is w -> -84
dy = ddiff * -1  # diff = wx + (-y): the negate gate flips the sign -> 28
ex.mse_gradients(dw=dw, dx=dx, dy=dy)

# %% exercise 4.3
from autograd_core import gate


@gate("cube")
def cube(a):
    out = a**3
    local = 3 * a**2
    return out, (local,)


ex.cube_gate(cube)
