# Solutions to notebook 06 (used by the solution-mode test; see fill.py).

# %% exercise 6.1
def step(params, learning_rate):
    for p in params:
        p.data = p.data - learning_rate * p.grad


ex.descent_step(step)

# %% exercise 6.2
w_after = 3 - 0.01 * 112  # 1.88
ex.one_step(w_after)

# %% exercise 6.3
learning_rate = 0.1  # above 2 / 32 = 0.0625
ex.diverging_rate(learning_rate)
