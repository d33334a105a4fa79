# Solutions to notebook 02 (used by the solution-mode test; see fill.py).

# %% exercise 2.1
dnum = 1.0 / den  # f = num / den
dden = -num / den**2
dsigx = dden  # den = sigx + xpysqr
dxpysqr = dden
dxpy = 2 * xpy * dxpysqr  # xpysqr = xpy ** 2
dsigy = dnum  # num = x + sigy
dx = dnum + (1 - sigx) * sigx * dsigx + dxpy  # x reaches f through num, sigx and xpy: add the three
dy = dxpy + (1 - sigy) * sigy * dsigy  # y reaches f through sigy and xpy
ex.staged_backward(dnum=dnum, dden=dden, dsigx=dsigx, dxpysqr=dxpysqr, dxpy=dxpy, dsigy=dsigy, dx=dx, dy=dy)

# %% exercise 2.2
via_num = dnum * 1.0  # num = x + sigy: the add gate passes dnum on
via_sigx = dsigx * (1 - sigx) * sigx  # sigx = σ(x)
via_xpy = dxpy * 1.0  # xpy = x + y
ex.fork_contributions(via_num=via_num, via_sigx=via_sigx, via_xpy=via_xpy)
