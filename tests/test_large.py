"""Large graphs: micrograd's 65,000-node demo folded into boxes, expanding, focusing on a path, refusing."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from autograd_core import Value, nn
from autograd_core.graph import clone, path_nodes, topological_order
from benchmarks.stepper import dense_graph
from widgets import GraphStepper, budget, draw, render
from widgets.folding import focus_graph, fold
from widgets.overview import Overview

SVG = "{http://www.w3.org/2000/svg}"


def demo():
    """micrograd's demo loss: a 2-16-16-1 MLP on 100 moons, hinge loss plus 1e-4 L2 (about 65,000 nodes)."""
    X, y = nn.make_moons(100, noise=0.1, seed=1)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    scores = [model([Value(a), Value(b)]) for a, b in X.tolist()]
    data_loss = nn.hinge_loss(scores, (2 * y - 1).tolist())
    reg = 1e-4 * sum(p * p for p in model.parameters())
    loss = data_loss + reg
    loss.label = "loss"
    return loss, model


@pytest.fixture(scope="module")
def big():
    return demo()


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_the_demo_graph_is_shown_folded(big):
    loss, model = big
    order = topological_order(loss)
    assert len(order) > 60_000
    view = Overview(loss)
    assert view.svg and len(view.boxes) <= 20
    drawn = texts(view.svg)
    assert "MLP (\u00d7100 calls)" in drawn and "parameters of MLP" in drawn
    # every node that is not a plain constant is in exactly one box
    assert sum(b.members for b in view.boxes) == sum(1 for n in order if n._prev or not n._const)
    mlp = next(b for b in view.boxes if b.title == "MLP (\u00d7100 calls)")
    params = next(b for b in view.boxes if b.title == "parameters of MLP")
    # a neuron is b + w0*x0 + w1*x1 + ...: a multiply and an add per input, then its activation
    assert mlp.members == 100 * sum(2 * len(n.w) + (n.activation != "linear")
                                    for layer in model.layers for n in layer.neurons)
    assert params.members == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1  # 337 weights and biases
    wires = {(w.source, w.target): w.count for w in view.folded.wires}
    assert wires[(params.id, mlp.id)] == 100 * 337  # each call reads every parameter once
    data_sum = next(b for b in view.boxes if b.title == "\u03a3 of 100 terms")
    assert data_sum.kind == "sum"


def test_draw_folds_a_graph_over_the_budget_and_says_so(big):
    loss, _ = big
    drawing = draw(loss)
    assert "Too many nodes to draw one by one" in drawing.source
    svg = drawing.pipe(format="svg", encoding="utf-8")
    assert "MLP (\u00d7100 calls)" in texts(svg[svg.find("<svg"):])
    # fused stages still make 36,000 wires: folded too, not handed to graphviz
    assert "Too many nodes to draw one by one" in draw(loss, collapsed=True).source


def test_the_stepper_steps_the_demo_graph_folded_forward_and_backward(big):
    loss, model = big
    copy, copies = clone(loss)
    copy.backward()
    before = [p.grad for p in model.parameters()]
    s = GraphStepper(loss)
    assert s.folded and s.svg and len(s.steps) == 1 + 2 * len(s.names)
    names = s.names
    assert "MLP (\u00d7100 calls)" in names and "parameters of MLP" in names and names[-1].startswith("loss")
    forward = [f for f in s.steps if f.phase == "forward"]
    assert [f.node for f in forward] == list(range(len(names)))  # each box's outputs appear, in order
    s.last()
    assert s.frame.phase == "done"
    params = names.index("parameters of MLP")
    want = math.sqrt(sum(copies[id(p)].grad ** 2 for p in model.parameters()))
    assert s.grads["parameters of MLP"] == pytest.approx(want, rel=1e-12)  # the engine's own gradients
    assert "parameters of MLP" in s.steps[-1].narration.text or params != s.steps[-1].node
    assert [p.grad for p in model.parameters()] == before  # the user's gradients untouched
    # every backward frame names the box the gradient goes to next
    backward = [f for f in s.steps if f.phase in ("backward", "done") and s.steps[f.index].node != params]
    assert all("flows on to" in f.narration.text or "Final" in f.narration.text for f in backward)


def test_a_folded_box_opens_while_stepping_and_keeps_the_moment(big):
    loss, _ = big
    s = GraphStepper(loss)
    s.goto(len(s.names) + 3)  # a few boxes into the backward pass
    phase = s.frame.phase
    assert s.expandable == ["MLP"]
    s.expand("MLP")
    assert s.frame.phase == phase and any(n.startswith("Layer(16, 16") for n in s.names)
    assert "Layer(16, 16, 'relu') #2" not in s.expandable and len(s.expandable) == 3
    s.expand(s.expandable[1])
    assert any(n.startswith("Neuron") for n in s.names)
    s.fold_all()
    assert s.expandable == ["MLP"] and s.frame.phase == phase


def test_a_long_chain_is_drawn_and_stepped_as_one_box():
    x = Value(1.0, label="x")
    y = x
    for _ in range(1500):
        y = y * 1.0001 + 0.0
    svg = draw(y).pipe(format="svg", encoding="utf-8")
    assert "chain: (\u00d7, +) \u00d71,500" in texts(svg[svg.find("<svg"):])
    s = GraphStepper(y)
    assert s.folded and s.names == ["x", "chain: (\u00d7, +) \u00d71,500"]
    s.last()
    copy, copies = clone(y)
    copy.backward()
    assert s.grads["x"] == pytest.approx(copies[id(x)].grad, rel=1e-12)


def test_a_dense_graph_is_answered_folded_without_a_long_layout():
    out = dense_graph(2000)  # the benchmark's graph: every value flows into the output
    svg = draw(out).pipe(format="svg", encoding="utf-8")  # decided from its shape: no 20 s layout
    drawn = " ".join(texts(svg[svg.find("<svg"):]))
    assert "part 1 of" in drawn and "nodes folded into" in drawn
    s = GraphStepper(out)
    assert s.folded and len(s.names) <= 24
    s.last()
    assert s.frame.phase == "done"


def test_boxes_expand_one_level_and_fold_again(big):
    loss, model = big
    view = Overview(loss)
    assert "MLP" in view.choice.options[0][0]
    view.choice.value = view.choice.options[0][1]
    view.expand_button.click()
    titles = [b.title for b in view.boxes]
    assert [t for t in titles if t.startswith("Layer")] == [
        "Layer(2, 16, 'relu') (\u00d7100 calls)", "Layer(16, 16, 'relu') (\u00d7100 calls)",
        "Layer(16, 1, 'linear') (\u00d7100 calls)",
    ]
    view.expand(model.layers[2])  # the output layer: one neuron, drawn as its own box
    assert "Neuron(16, 'linear') (\u00d7100 calls)" in [b.title for b in view.boxes]
    view.fold_button.click()
    assert view.expanded == [] and "MLP (\u00d7100 calls)" in [b.title for b in view.boxes]


def small_net():
    X, y = nn.make_moons(4, noise=0.1, seed=2)
    model = nn.MLP(2, [3, 1], seed=1)
    scores = [model([Value(a), Value(b)]) for a, b in X.tolist()]
    loss = nn.hinge_loss(scores, (2 * y - 1).tolist())
    loss.label = "loss"
    return loss, model


def test_focus_keeps_the_paths_and_their_gradients():
    loss, model = small_net()
    w = model.layers[1].neurons[0].w[2]
    focused, copies = focus_graph(loss, w)
    full, full_copies = clone(loss)
    full.backward()
    focused.backward()
    path = path_nodes(loss, w)
    assert path[0] is w and path[-1] is loss
    assert len(path) < len(topological_order(loss)) / 3
    for node in path:  # every node on a path from w to the loss keeps its exact gradient
        assert copies[id(node)].grad == full_copies[id(node)].grad
    # the stepper on the focused graph ends with the same gradient for w
    stepper = GraphStepper(loss, focus=w)
    stepper.last()
    assert stepper.grads["w2"] == full_copies[id(w)].grad
    with pytest.raises(ValueError, match="not part of the graph"):
        focus_graph(loss, Value(1.0, label="elsewhere"))


def test_a_long_sum_is_one_box_and_a_small_graph_is_not_stacked():
    xs = [Value(float(k), label=f"x{k}") for k in range(10)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x * x
    total.label = "total"
    folded = fold(total)
    sums = [b for b in folded.boxes if b.kind == "sum"]
    assert len(sums) == 1 and sums[0].title == "\u03a3 of 10 terms"  # x0 and nine squares
    squares = [b for b in folded.boxes if b.kind == "stack" and b.copies == 9]
    assert len(squares) == 1 and squares[0].title.startswith("\u00d7")
    w, x, y = Value(3.0, label="w"), Value(-4.0, label="x"), Value(2.0, label="y")
    mse = (w * x - y) ** 2
    assert all(b.kind != "stack" for b in fold(mse).boxes)


def test_many_wires_on_few_nodes_are_stepped_folded(monkeypatch):
    monkeypatch.setattr(budget, "MAX_EDGES", 20)
    xs = [Value(float(k)) for k in range(8)]
    out = xs[0]
    for k in range(1, 30):
        out = out + xs[k % 8] * xs[(k + 3) % 8]
    s = GraphStepper(out)
    assert s.folded and "Too many wires to draw one by one" in s.narration


def test_a_layout_that_takes_too_long_is_stopped(monkeypatch):
    monkeypatch.setattr(render, "LAYOUT_TIMEOUT_S", 0.001)
    render.clear_cache()
    xs = [Value(float(k), label=f"x{k}") for k in range(60)]
    out = xs[0]
    for x in xs[1:]:
        out = (out + x).tanh()
    try:
        s = GraphStepper(out)  # stopped, then folded
        assert s.folded and "did not finish laying out" in s.narration
        bundle = draw(out)._repr_mimebundle_()  # a drawing says so instead of raising
        assert "did not finish" in bundle["text/plain"]
    finally:
        render.clear_cache()


def test_hostile_label_is_text_in_the_overview():
    evil = "</script><img src=x onerror=alert(1)>"
    a = Value(1.0, label=evil)
    out = a * a
    view = Overview(out)
    assert "<img" not in view.svg and evil in texts(view.svg[view.svg.find("<svg"):])
