# Solutions to notebook 09 (used by the solution-mode test; see fill.py).

# %% exercise 9.1
culprit = "softplus"
ex.wrong_gate(loss, culprit)

# %% exercise 9.2
@gate("softplus")
def softplus_fixed(x):
    """softplus(x) = ln(1 + e^x); its derivative is the sigmoid."""
    out = math.log1p(math.exp(x))
    local = 1 / (1 + math.exp(-x))
    return out, (local,)


ex.softplus_gate(softplus_fixed)

# %% exercise 9.3
first_bad = "s"  # the square root's local gradient at 0 is infinite
ex.first_nonfinite(dist, first_bad)

# %% exercise 9.4
bound = 0.25**5  # (1 - s) s is at most 0.25, at s = 0.5
ex.vanishing_bound(bound)
