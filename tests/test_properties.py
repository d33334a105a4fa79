"""Property tests: random expression graphs agree with central differences (hypothesis)."""

import math

from hypothesis import HealthCheck, assume, given, settings
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
    """max is not differentiable at ties: leave out graphs that sit within a step of one."""
    maxes = [n for n in topological_order(root) if n._op == "max"]
    return all(abs(n._prev[0].data - n._prev[1].data) > 1e-3 for n in maxes)


@settings(max_examples=150, deadline=None)
@given(expressions())
def test_gradients_of_random_graphs_match_central_differences(expr):
    root, leaves = expr
    assume(far_from_kinks(root) and math.isfinite(root.data))
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
    assume(far_from_kinks(root))
    for check in check_gates(root):
        if math.isfinite(check.analytic):
            assert check.rel_error < 1e-5 or abs(check.analytic - check.numeric) < 1e-7


TORCH_GATES = {"+": "add", "*": "mul", "neg": "neg", "/": "div", "**2": "square", "tanh": "tanh",
               "sigmoid": "sigmoid", "exp": "exp", "max": "maximum"}


def torch_twins(torch, root):
    """The same graph in PyTorch, node for node."""
    twin = {}
    for node in topological_order(root):
        if node._prev:
            twin[id(node)] = getattr(torch, TORCH_GATES[node._op])(*(twin[id(p)] for p in node._prev))
        else:
            twin[id(node)] = torch.tensor(node.data, requires_grad=True)
    return twin


def torch_local_gradients(torch, node):
    """d node / d input for each input with the others held fixed: the gate alone, on fresh inputs."""
    inputs = [torch.tensor(p.data, requires_grad=True) for p in node._prev]
    out = getattr(torch, TORCH_GATES[node._op])(*inputs)
    return [g.item() for g in torch.autograd.grad(out, inputs)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expr=expressions())
def test_each_contribution_is_upstream_times_local_as_pytorch_computes_them(torch, expr):
    """Each backward step against PyTorch's autograd on the same graph: the upstream gradient is
    d root / d node, each local gradient is the gate's own derivative, what the input receives is their
    product, and the inputs' final gradients are PyTorch's."""
    root, leaves = expr
    order = topological_order(root)
    assume(far_from_kinks(root) and all(math.isfinite(n.data) for n in order))
    twin = torch_twins(torch, root)
    slopes = torch.autograd.grad(twin[id(root)], [twin[id(n)] for n in order[:-1]], allow_unused=True)
    upstream = {id(n): 0.0 if g is None else g.item() for n, g in zip(order, slopes)}
    upstream[id(root)] = 1.0  # d root / d root
    for step in backward_steps(root):
        close(step.upstream, upstream[id(step.node)])
        if not step.node._prev:
            continue
        expected = torch_local_gradients(torch, step.node)
        assert [c.parent for c in step.contributions] == list(step.node._prev)
        for c, local in zip(step.contributions, expected):
            close(c.local, local)
            close(c.value, upstream[id(step.node)] * local)
    for leaf in leaves:
        close(leaf.grad, upstream.get(id(leaf), 0.0))  # 0 for an input the graph does not use


def close(ours, theirs):
    assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12), (ours, theirs)
