"""Property tests: random expression graphs agree with central differences (hypothesis)."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import Value
from autograd_core.gradcheck import check_gates, relative_error
from autograd_core.graph import backward_steps, evaluate, topological_order

UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "exp_small": lambda a: (a * 0.1).exp(),
    "square": lambda a: a**2,
    "neg": lambda a: -a,
}
BINARY = {
    "+": lambda a, b: a + b,
    "*": lambda a, b: a * b,
    "-": lambda a, b: a - b,
    "/safe": lambda a, b: a / (1.5 + b.tanh()),
    "max": lambda a, b: a.max(b),
}


@st.composite
def expressions(draw):
    """A random graph over 3 inputs: each new node applies a gate to earlier nodes (shared freely)."""
    xs = [draw(st.floats(-2, 2, allow_nan=False)) for _ in range(3)]
    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 25))):
        if draw(st.booleans()):
            a = draw(st.sampled_from(nodes))
            node = UNARY[draw(st.sampled_from(sorted(UNARY)))](a)
        else:
            a, b = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
            node = BINARY[draw(st.sampled_from(sorted(BINARY)))](a, b)
        nodes.append(node)
    return nodes[-1], leaves


def far_from_kinks(root):
    """max is not differentiable at ties: skip graphs that sit within a step of one."""
    maxes = [n for n in topological_order(root) if n._op == "max"]
    return all(abs(n._prev[0].data - n._prev[1].data) > 1e-3 for n in maxes)


@settings(max_examples=150, deadline=None)
@given(expressions())
def test_gradients_of_random_graphs_match_central_differences(expr):
    root, leaves = expr
    if not far_from_kinks(root) or not math.isfinite(root.data):
        return
    root.backward()
    h = 1e-6
    for leaf in leaves:
        up = evaluate(root, {id(leaf): leaf.data + h})
        down = evaluate(root, {id(leaf): leaf.data - h})
        numeric = (up - down) / (2 * h)
        assert relative_error(leaf.grad, numeric) < 1e-5 or abs(leaf.grad - numeric) < 1e-7


@settings(max_examples=100, deadline=None)
@given(expressions())
def test_every_recorded_local_gradient_matches_its_gate_rule(expr):
    root, _ = expr
    if not far_from_kinks(root):
        return
    for check in check_gates(root):
        if math.isfinite(check.analytic):
            assert check.rel_error < 1e-5 or abs(check.analytic - check.numeric) < 1e-7


@settings(max_examples=100, deadline=None)
@given(expressions())
def test_each_contribution_is_upstream_times_local_and_sums_to_the_gradient(expr):
    root, leaves = expr
    totals = {}
    for step in backward_steps(root):
        for c in step.contributions:
            assert c.value == step.upstream * c.local
            assert c.after == c.before + c.value
            totals[id(c.parent)] = totals.get(id(c.parent), 0.0) + c.value
    for leaf in leaves:
        assert math.isclose(leaf.grad, totals.get(id(leaf), 0.0), rel_tol=1e-12, abs_tol=1e-300)
