"""Every scalar gate against PyTorch (a test-only oracle) on random inputs, to 1e-9 relative."""

import random

import pytest

from autograd_core import Value

pytestmark = pytest.mark.torch

# (name, our expression, torch expression, input sampler)
POS = lambda r: r.uniform(0.2, 3.0)  # noqa: E731
ANY = lambda r: r.uniform(-3.0, 3.0)  # noqa: E731
CASES = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, ANY),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, ANY),
    ("rsub", lambda a, b: 1.5 - a * b, lambda a, b: 1.5 - a * b, ANY),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, ANY),
    ("div", lambda a, b: a / b, lambda a, b: a / b, POS),
    ("rdiv", lambda a, b: 2 / a + b, lambda a, b: 2 / a + b, POS),
    ("pow_value", lambda a, b: a**b, lambda a, b: a**b, POS),
    ("pow_const", lambda a, b: a**3 + b**-2, lambda a, b: a**3 + b**-2, POS),
    ("rpow", lambda a, b: 2**a * b, lambda a, b: 2**a * b, ANY),
    ("neg", lambda a, b: -a * b, lambda a, b: -a * b, ANY),
    ("exp", lambda a, b: (a * b).exp(), lambda a, b: (a * b).exp(), ANY),
    ("log", lambda a, b: (a * b).log(), lambda a, b: (a * b).log(), POS),
    ("tanh", lambda a, b: (a * b).tanh(), lambda a, b: (a * b).tanh(), ANY),
    ("sigmoid", lambda a, b: (a + b).sigmoid(), lambda a, b: (a + b).sigmoid(), ANY),
    ("relu", lambda a, b: (a - b).relu() * a, lambda a, b: (a - b).relu() * a, ANY),
    ("max", lambda a, b: a.max(b) * b, None, ANY),
]


@pytest.mark.parametrize("name, ours, theirs, sample", CASES, ids=[c[0] for c in CASES])
def test_gate_agrees_with_pytorch(name, ours, theirs, sample, torch):
    if theirs is None:
        theirs = lambda a, b: torch.maximum(a, b) * b  # noqa: E731
    rng = random.Random(name)
    for _ in range(25):
        xa, xb = sample(rng), sample(rng)
        a, b = Value(xa), Value(xb)
        out = ours(a, b)
        out.backward()
        ta = torch.tensor(xa, dtype=torch.float64, requires_grad=True)
        tb = torch.tensor(xb, dtype=torch.float64, requires_grad=True)
        tout = theirs(ta, tb)
        tout.backward()
        assert out.data == pytest.approx(tout.item(), rel=1e-9, abs=1e-12)
        assert a.grad == pytest.approx(ta.grad.item(), rel=1e-9, abs=1e-12)
        assert b.grad == pytest.approx(tb.grad.item(), rel=1e-9, abs=1e-12)


def test_staged_function_agrees_with_pytorch(torch):
    def f(x, y, sig):
        return (x + sig(y)) / (sig(x) + (x + y) ** 2)

    x, y = Value(3.0), Value(-4.0)
    out = f(x, y, lambda v: v.sigmoid())
    out.backward()
    tx = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    f(tx, ty, torch.sigmoid).backward()
    assert x.grad == pytest.approx(tx.grad.item(), rel=1e-12)
    assert y.grad == pytest.approx(ty.grad.item(), rel=1e-12)


def test_repeated_backward_accumulates_like_pytorch(torch):
    x = Value(2.0)
    y = (x * 3) * 4
    tx = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    ty = (tx * 3) * 4
    for _ in range(3):
        y.backward()
        ty.backward(retain_graph=True)
        assert x.grad == tx.grad.item()
