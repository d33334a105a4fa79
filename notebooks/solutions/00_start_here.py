# Solutions to notebook 00 (used by the solution-mode test; see fill.py).

# %% exercise 0.1
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
f = a * b + c
ex.first_expression(f)

# %% exercise 0.2
df_da = -3  # a multiply gate swaps its inputs: df/da = b
ex.first_gradient(df_da)
