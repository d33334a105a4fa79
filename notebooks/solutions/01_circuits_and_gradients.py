# Solutions to notebook 01 (used by the solution-mode test; see fill.py).

# %% exercise 1.1
dq = -4  # df/dq = z: the multiply gate swaps its inputs
dz = 3  # df/dz = q
dx = -4  # the add gate passes df/dq unchanged
dy = -4
ex.circuit_gradients(dq=dq, dz=dz, dx=dx, dy=dy)

# %% exercise 1.2
f_after = -12 + (-4) * 0.01  # f + df/dx * step = -12.04
ex.nudge(f_after)

# %% exercise 1.3
from autograd_core import gate


@gate("*")
def my_mul(a, b):
    out = a * b
    da = b
    db = a
    return out, (da, db)


ex.multiply_gate(my_mul)
