"""Every number of ARTICLE.md, computed by the engine (forward values and gradients)."""

import math

import pytest
from article_graphs import NEURON_DW, NEURON_DX, NEURON_F, neuron

from autograd_core import Value

EXACT = {"rel": 1e-15, "abs": 1e-15}


def test_circuit_x_plus_y_times_z():
    """Section 1: f(x, y, z) = (x + y) * z at x=-2, y=5, z=-4."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    f = q * z
    f.backward()
    assert (q.data, f.data) == (3.0, -12.0)
    assert (z.grad, q.grad, x.grad, y.grad) == (3.0, -4.0, -4.0, -4.0)


def staged_function(x, y):
    """Section 2, written as the CS231n staged code: f = (x + sig(y)) / (sig(x) + (x + y)^2)."""
    sigy = y.sigmoid()
    num = x + sigy
    sigx = x.sigmoid()
    xpy = x + y
    xpysqr = xpy**2
    den = sigx + xpysqr
    return num / den


def test_staged_function_at_3_minus_4():
    x, y = Value(3.0, "x"), Value(-4.0, "y")
    f = staged_function(x, y)
    f.backward()
    assert f.data == pytest.approx(1.5456448841066441, **EXACT)
    assert x.grad == pytest.approx(2.0595697955721652, **EXACT)
    assert y.grad == pytest.approx(1.5922327514838093, **EXACT)


def test_staged_function_x_forks_and_its_gradients_add_up():
    """x feeds three gates; its gradient is the sum of what each path contributes (+=)."""
    from autograd_core.graph import backward_steps

    x, y = Value(3.0, "x"), Value(-4.0, "y")
    f = staged_function(x, y)
    into_x = [c for s in backward_steps(f) for c in s.contributions if c.parent is x]
    assert len(into_x) == 3
    assert sum(c.value for c in into_x) == pytest.approx(x.grad, rel=1e-15)
    assert into_x[0].before == 0.0
    for earlier, later in zip(into_x, into_x[1:]):
        assert later.before == earlier.after


@pytest.mark.parametrize("fused", [True, False], ids=["fused-sigmoid", "decomposed-sigmoid"])
def test_2d_neuron(fused):
    """Section 3: the same neuron with one sigmoid gate or four gates, identical gradients."""
    f, w, x = neuron(fused)
    f.backward()
    assert f.data == pytest.approx(NEURON_F, rel=1e-15)
    assert [v.grad for v in x] == pytest.approx(NEURON_DX, rel=1e-14)
    assert [v.grad for v in w] == pytest.approx(NEURON_DW, rel=1e-14)


def test_fused_sigmoid_local_gradient_is_s_times_one_minus_s():
    z = Value(1.0)
    s = z.sigmoid()
    assert s._local == (pytest.approx((1 - s.data) * s.data, rel=1e-15),)
    assert s.data == pytest.approx(1 / (1 + math.exp(-1.0)), rel=1e-15)


def test_forward_builds_the_graph():
    """Section 4: `c = a + b` records its inputs and its gate."""
    a, b = Value(2.0), Value(-3.0)
    c = a + b
    assert c._prev == (a, b)
    assert c._op == "+"
    assert set(c._prev) == {a, b}  # the article's set, as an ordered tuple here


def test_mse_for_one_point():
    """Section 5: loss = (w*x - y)^2 with w=3, x=-4, y=2; subtraction is negate-then-add."""
    w, x, y = Value(3.0, "w"), Value(-4.0, "x"), Value(2.0, "y")
    wx = w * x
    diff = wx - y
    loss = diff**2
    loss.backward()
    assert (wx.data, diff.data, loss.data) == (-12.0, -14.0, 196.0)
    assert (w.grad, x.grad, y.grad) == (112.0, -84.0, 28.0)
    assert diff._op == "+" and diff._prev[1]._op == "neg" and diff._prev[1]._prev == (y,)
    assert loss._op == "**2"


def test_gradient_descent_step_lowers_the_loss():
    """Section 7: p.data -= lr * p.grad makes the loss fall."""
    w, x, y = Value(3.0), Value(-4.0), Value(2.0)
    losses = []
    for _ in range(5):
        loss = (w * x - y) ** 2
        losses.append(loss.data)
        w.grad = 0.0
        loss.backward()
        w.data -= 0.01 * w.grad
    assert all(b < a for a, b in zip(losses, losses[1:]))
    assert losses[0] == 196.0
