# Solutions to notebook 03 (used by the solution-mode test; see fill.py).

# %% exercise 3.1
s = 0.7310585786300049
local = (1 - s) * s  # 0.19661193324148185
ex.sigmoid_local(local)

# %% exercise 3.2
ddot = 0.19661193324148185  # the sigmoid's local gradient (upstream is 1)
dw0 = ddot * -1.0  # multiply gate: the local gradient of w0 is x0
dw1 = ddot * -2.0  # the local gradient of w1 is x1
dw2 = ddot  # the add gate passes ddot on to w2
dx0 = ddot * 2.0  # the local gradient of x0 is w0
dx1 = ddot * -3.0  # the local gradient of x1 is w1
ex.neuron_gradients(dx0=dx0, dx1=dx1, dw0=dw0, dw1=dw1, dw2=dw2)

# %% exercise 3.3
from autograd_core import gate


@gate("sigmoid")
def my_sigmoid(x):
    """f(x) = 1 / (1 + e^-x); its local gradient is (1 - s) * s."""
    s = 1 / (1 + math.exp(-x))
    local = (1 - s) * s
    return s, (local,)


ex.sigmoid_gate(my_sigmoid)
