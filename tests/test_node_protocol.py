"""The node protocol: code outside the engine reads only the article's names and the public helpers."""

from __future__ import annotations

import io
import json
import re
import tokenize
from pathlib import Path

import numpy as np
import pytest

from autograd_core import Tensor, Value, graph, nn, stage
from autograd_core.node import (
    Node,
    constant_like,
    contributions,
    gate_of,
    gate_params,
    is_constant,
    is_input,
    local_gradients,
    needs_grad,
    shape_of,
    stage_of,
)
from autograd_core.stages import fuse_stages

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_NAMES = {"_prev", "_op"}
# Private names that belong to the engine's node types (anything a node or a gate keeps for itself).
ENGINE_PRIVATE = {
    name
    for cls in (Value, Tensor)
    for klass in cls.__mro__
    for name in list(vars(klass)) + list(getattr(klass, "__slots__", ()))
    if name.startswith("_") and not name.startswith("__")
} | {"_const", "_local", "_stage", "_gate", "_params", "_bound", "_why"}


def _private_reads(source: str) -> list[tuple[int, str]]:
    """(line, name) for every `x._name` and `getattr(x, "_name")` of an engine-private name in code."""
    found = []
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for k in range(1, len(tokens)):
        tok, before = tokens[k], tokens[k - 1]
        if tok.type == tokenize.NAME and before.string == "." and tok.string in ENGINE_PRIVATE:
            owner = tokens[k - 2].string if k >= 2 else ""
            if owner not in ("self", "cls"):  # a widget's own attributes, e.g. self._index
                found.append((tok.start[0], tok.string))
    for m in re.finditer(r"getattr\([^,]+,\s*[\"'](_\w+)[\"']", source):
        if m.group(1) in ENGINE_PRIVATE - ARTICLE_NAMES:
            found.append((source[: m.start()].count("\n") + 1, m.group(1)))
    return [(line, name) for line, name in found if name not in ARTICLE_NAMES]


def _code_cells(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_no_module_outside_the_engine_reads_a_private_engine_name():
    offenders = []
    for path in sorted([*ROOT.glob("widgets/**/*.py"), *ROOT.glob("benchmarks/*.py")]):
        found = _private_reads(path.read_text())
        offenders += [f"{path.relative_to(ROOT)}:{line}: .{name}" for line, name in found]
    for path in sorted(ROOT.glob("notebooks/**/*.ipynb")):
        source = _code_cells(path)
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        offenders += [f"{path.relative_to(ROOT)}:{line}: .{name}" for line, name in _private_reads(source)]
    assert not offenders, "use autograd_core.node's helpers instead:\n" + "\n".join(offenders)


def test_the_grep_itself_finds_private_reads():
    assert _private_reads("x = node._local[0]\ny = getattr(n, '_const', False)\nz = node._prev") == [
        (1, "_local"), (2, "_const")]
    assert _private_reads("self._index = 3\n'''a docstring with node._local'''") == []


def _mse():
    w, x, y = Value(3.0, "w"), Value(-4.0, "x"), Value(2.0, "y")
    return w, (w * x - y) ** 2


def test_value_and_tensor_both_implement_the_protocol():
    _, loss = _mse()
    t = (Tensor([1.0, 2.0]) * 3).sum()
    for node in (*graph.topological_order(loss), *graph.topological_order(t)):
        assert isinstance(node, Node)


def test_helpers_answer_what_the_widgets_ask():
    w, loss = _mse()
    order = graph.topological_order(loss)
    product = next(n for n in order if n._op == "*")
    assert local_gradients(product) == (-4.0, 3.0)  # the multiply gate swaps its inputs
    assert local_gradients(w) == ()
    assert is_input(w) and not is_constant(w)
    const = (w + 1)._prev[1]
    assert is_constant(const) and not is_input(const)
    square = order[-1]
    assert gate_params(square) == {"n": 2.0} and gate_of(square) is gate_of((w * 1) ** 2)
    (parent, local, value), = contributions(square, 2.0)
    assert local == 2 * parent.data and value == 2.0 * local and parent.grad == 0  # nothing changed
    with stage("s") as s:
        inside = w * 2
    assert stage_of(inside) is s and stage_of(w) is None
    held = constant_like(w)
    assert is_constant(held) and held.data == 3.0 and held.label == "w" and not held._prev
    assert shape_of(w) is None and needs_grad(w)


def test_tensor_helpers():
    W = Tensor(np.ones((2, 3)), label="W")
    x = Tensor(np.arange(2.0), requires_grad=False)
    z = (x @ W).tanh()
    mm = z._prev[0]
    assert local_gradients(mm) == (None, None)  # a vector-Jacobian product: no local Jacobian to show
    assert shape_of(z) == (3,) and not needs_grad(x)
    held = constant_like(W)
    assert is_constant(held) and not needs_grad(held) and np.array_equal(held.data, W.data)
    [(parent, local, value)] = contributions(mm, np.ones(3))
    assert parent is W and local is None and value.shape == (2, 3)


def _tensor_model(seed=0):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(2, 4, rng=seed), nn.Tanh(), nn.Linear(4, 1, rng=seed + 1))
    X = Tensor(rng.normal(size=(5, 2)), requires_grad=False, label="X")
    y = Tensor(rng.normal(size=(5, 1)), requires_grad=False, label="y")
    return model, nn.mse_loss(model(X), y)


def test_fusing_a_tensor_module_chains_its_vector_jacobian_products():
    model, loss = _tensor_model()
    loss.backward()
    expected = [p.grad.copy() for p in model.parameters()]
    fused, copies = fuse_stages(loss)
    assert len(graph.topological_order(fused)) < len(graph.topological_order(loss))
    fused.backward()
    for p, want in zip(model.parameters(), expected):
        assert np.allclose(copies[id(p)].grad, want, rtol=1e-12, atol=1e-15)
    assert [n._op for n in graph.topological_order(fused) if n._prev].count("Sequential") == 1


def test_a_fused_tensor_gate_recomputes_its_stage_for_gradient_checks():
    model, loss = _tensor_model(1)
    fused, _ = fuse_stages(loss)
    gate_node = next(n for n in graph.topological_order(fused) if n._op == "Sequential")
    xs = [p.data for p in gate_node._prev]
    assert np.allclose(gate_node._recompute(xs), gate_node.data)
    assert gate_node._prev[0].label == "X"  # inputs in order of first use: X, then the parameters
    bumped = [xs[0] + 0.1, *xs[1:]]
    direct = model(Tensor(bumped[0], requires_grad=False))  # the same model on a nudged input
    assert np.allclose(gate_node._recompute(bumped), direct.data)


def test_focus_on_a_weight_matrix_keeps_its_gradient():
    model, loss = _tensor_model(2)
    loss.backward()
    W = model.parameters()[0]
    focused, copies = graph.focus(loss, W)
    focused.backward()
    assert np.allclose(copies[id(W)].grad, W.grad, rtol=1e-12)
    assert all(is_constant(n) or n is copies[id(W)] for n in graph.topological_order(focused) if not n._prev)


def test_focus_refuses_a_node_of_another_graph_clearly():
    _, loss = _mse()
    with pytest.raises(ValueError, match="not part of the graph"):
        graph.focus(loss, Value(1.0, "stranger"))
