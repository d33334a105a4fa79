"""Gradient checking: the CS231n bands, per-function and per-node checks, a wrong gate found."""

import math

import pytest

from autograd_core import Value, gate
from autograd_core.gradcheck import (
    check_function,
    check_gates,
    check_graph,
    first_wrong_gate,
    grade,
    relative_error,
)


@pytest.mark.parametrize(
    "err, band",
    [
        (1e-9, "happy"),
        (5e-6, "fine with kinks"),
        (1e-3, "uncomfortable"),
        (0.5, "wrong"),
        (math.inf, "wrong"),
    ],
)
def test_cs231n_bands(err, band):
    assert grade(err) == band


def test_relative_error():
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1)
    assert relative_error(math.nan, 1.0) == math.inf


def staged(x, y):
    return (x + y.sigmoid()) / (x.sigmoid() + (x + y) ** 2)


def test_check_function_on_the_staged_function_is_happy():
    checks = check_function(staged, 3.0, -4.0, names=["x", "y"])
    assert [c.name for c in checks] == ["x", "y"]
    assert checks[0].analytic == pytest.approx(2.0595697955721652, rel=1e-15)
    assert all(c.band == "happy" for c in checks), [(c.name, c.rel_error) for c in checks]


def test_check_graph_checks_every_node_and_leaves_the_graph_alone():
    x, y = Value(3.0, "x"), Value(-4.0, "y")
    f = staged(x, y)
    checks = check_graph(f)
    assert len(checks) == 9
    assert all(c.rel_error < 1e-7 for c in checks), [(c.name, c.rel_error) for c in checks]
    assert x.grad == 0.0  # checked on a clone


def test_a_gate_with_a_wrong_local_gradient_is_found():
    @gate("bad_square")
    def bad_square(a):
        return a * a, (a,)  # should be 2a

    x = Value(0.3, "x")
    out = (bad_square(x * 2) + x).tanh()
    wrong = first_wrong_gate(out)
    assert wrong is not None and wrong.node._op == "bad_square"
    assert wrong.analytic == 0.6 and wrong.numeric == pytest.approx(1.2, rel=1e-6)
    assert wrong.band == "wrong"
    leaf = next(c for c in check_graph(out) if c.node is x)
    assert leaf.band == "wrong"
    ok_checks = [c for c in check_gates(out) if c.node._op != "bad_square"]
    assert all(c.rel_error < 1e-6 for c in ok_checks)


def test_no_wrong_gate_in_a_correct_graph():
    x = Value(0.3)
    assert first_wrong_gate((x * x).exp() / (1 + x.tanh())) is None


def test_first_nonfinite_flags_the_node_where_nan_appears_forward():
    from autograd_core.gradcheck import first_nonfinite

    x = Value(-1.0, "x")
    bad = (x * 2).log()  # log of a negative number: nan here, and everywhere after
    bad.label = "log2x"
    out = (bad + 1).tanh() * 3
    found = first_nonfinite(out)
    assert found.node is bad and found.phase == "forward" and math.isnan(found.value)
    assert found.inputs == (-2.0,)


def test_first_nonfinite_flags_an_infinite_gradient_backward():
    from autograd_core.gradcheck import first_nonfinite

    x = Value(0.0, "x")
    root = x**0.5  # finite value 0, but d/dx sqrt(x) = inf at 0
    found = first_nonfinite(root * 2)
    assert found.phase == "backward" and found.node is x and found.value == math.inf
    assert x.grad == 0.0  # found on a clone
    assert first_nonfinite(Value(2.0) * 3) is None


def test_a_nonfinite_gradient_is_never_graded_happy():
    assert relative_error(math.inf, math.inf) == math.inf
    assert grade(relative_error(math.inf, math.inf)) == "wrong"
    x = Value(0.0)
    assert first_wrong_gate((x**0.5) * 2) is None  # no slope at 0: a nan/inf matter, not a wrong rule
