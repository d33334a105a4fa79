"""Every view on Tensor graphs from `nn` layers: stepper, stage toggle, collapsed, focus, sort, grad check."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_core import Tensor, nn
from autograd_core.graph import clone, topological_order
from widgets import GradCheckView, GraphStepper, TopoSortPlayer, draw


def linear_tanh_linear(seed: int = 0):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(2, 4, rng=seed), nn.Tanh(), nn.Linear(4, 1, rng=seed + 1))
    X = Tensor(rng.normal(size=(5, 2)), requires_grad=False, label="X")
    y = Tensor(rng.normal(size=(5, 1)), requires_grad=False, label="y")
    return model, nn.mse_loss(model(X), y)


def notebook_07_tensor_mlp():
    """Notebook 07's network in its Tensor form: MLP(2, [16, 16, 1]).to_tensor() on 100 moons."""
    X, y = nn.make_moons(100, noise=0.1, seed=1)
    model = nn.MLP(2, [16, 16, 1], seed=0).to_tensor()
    logits = model(Tensor(X, requires_grad=False))
    return model, nn.binary_cross_entropy_with_logits(logits, y.reshape(-1, 1))


def expected_grads(loss, model):
    copy, copies = clone(loss)
    copy.backward()
    return [copies[id(p)].grad for p in model.parameters()]


@pytest.mark.parametrize("make", [linear_tanh_linear, notebook_07_tensor_mlp],
                         ids=["linear-tanh-linear", "nb07"])
def test_the_stepper_steps_a_tensor_model_to_the_end(make):
    model, loss = make()
    want = expected_grads(loss, model)
    before = [p.grad.copy() for p in model.parameters()]
    s = GraphStepper(loss)
    assert not s.folded
    svgs = set()
    while True:
        assert s.svg.startswith("<svg") and s.narration  # every frame renders and narrates
        svgs.add(s.svg)
        if s.index == len(s.steps) - 1:
            break
        s.next()
    assert s.frame.phase == "done" and len(svgs) == len(s.steps)
    order = s._current.story.plan.order
    shown = s._current.story.grads_at(s.frame)
    got = {id(n): shown.get(i) for i, n in enumerate(order)}
    stepped = [got[id(p)] for p in order if p.label in ("weight", "bias") and not p._prev]
    assert len(stepped) == len(want)
    for g in want:  # the stepper's final gradients are the engine's backward() ones
        assert any(x is not None and x.shape == g.shape and np.allclose(x, g, rtol=1e-12) for x in stepped)
    for p, b in zip(model.parameters(), before):  # the user's gradients untouched
        assert np.array_equal(p.grad, b)


def test_tensor_narration_states_the_vector_jacobian_product_in_dimensions():
    _, loss = linear_tanh_linear()
    s = GraphStepper(loss)
    s.last()
    text = "\n".join(f.narration.text for f in s.steps)
    assert "n2 = X @ weight" in text
    assert "\u2202L/\u2202weight (2\u00d74) += X^T (2\u00d75) @ \u2202L/\u2202n2 (5\u00d74)" in text
    assert "@ weight^T (1\u00d74)" in text  # the hidden layer's gradient: dL/dZ @ W2^T
    assert "broadcasting used bias (4) as (5\u00d74): its gradient is summed over axis 0" in text
    assert "\u2299 \u2202tanh(n4)/\u2202n4 (5\u00d74)" in text


def test_the_stage_toggle_fuses_a_tensor_module_with_the_same_gradients():
    model, loss = linear_tanh_linear(1)
    want = expected_grads(loss, model)
    s = GraphStepper(loss)
    assert not s.stage_toggle.disabled
    s.last()
    s.collapsed = True
    assert s.collapsed and "Sequential" in "".join(n._op for n in s._current.story.plan.order)
    s.last()
    grads = s._current.story.grads_at(s.frame)
    plan = s._current.story.plan
    params = [grads[i] for i, n in enumerate(plan.order) if n.label in ("weight", "bias")]
    for g in want:
        assert any(x.shape == g.shape and np.allclose(x, g, rtol=1e-12) for x in params)
    drawing = draw(loss, collapsed=True)
    assert "Sequential" in drawing.source and drawing.pipe(format="svg")


def test_focus_on_a_weight_matrix_in_draw_and_the_stepper():
    model, loss = linear_tanh_linear(2)
    W = model.parameters()[0]
    want = expected_grads(loss, model)[0]
    assert "weight" in draw(loss, focus=W).source
    s = GraphStepper(loss, focus=W)
    s.last()
    plan = s._current.story.plan
    (i,) = [k for k, n in enumerate(plan.order)
            if n.label == "weight" and not n._prev and n.data.shape == (2, 4)]
    assert np.allclose(s._current.story.grads_at(s.frame)[i], want, rtol=1e-12)


def test_the_sort_player_and_the_gradient_check_view_on_a_tensor_model():
    _, loss = linear_tanh_linear(3)
    player = TopoSortPlayer(loss)
    player.last()
    assert player.svg.startswith("<svg")
    view = GradCheckView(loss)
    assert "<svg" in view.svg
    checks = [c for c in view.checks if c.node.label == "weight"]
    assert checks and all(c.band == "happy" for c in checks)  # analytic = central difference


def test_the_html_export_of_a_tensor_stepper(tmp_path):
    _, loss = linear_tanh_linear(4)
    path = GraphStepper(loss).save_html(tmp_path / "tensor.html")
    text = path.read_text()
    assert "\\u1d40" in text and "bp-dims" in text  # the narration (JSON-escaped), with the transposes


def test_a_large_tensor_graph_opens_folded():
    X = Tensor(np.random.default_rng(0).normal(size=(8, 3)), requires_grad=False)
    W = Tensor(np.ones((3, 3)), label="W")
    h = X
    for _ in range(800):  # a long run of the same layer: a chain of 1,600 gates
        h = (h @ W * 0.1).tanh()
    loss = h.sum()
    s = GraphStepper(loss)
    assert s.folded
    s.last()
    assert s.frame.phase == "done"
    assert len(topological_order(loss)) > 1500
