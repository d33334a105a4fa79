"""GraphStepper, headless: buttons, Play, bounds, predict mode, the stage toggle, and nothing re-laid out."""

from __future__ import annotations

import graphviz
import pytest
from article_graphs import MSE, NEURON_DW, NEURON_DX, mse

from autograd_core import Value
from autograd_core.graph import topological_order
from widgets import GraphStepper, GraphvizNotFound, budget, render, scene
from widgets.exercises import examples


def svg_texts(svg: str) -> set[str]:
    import xml.etree.ElementTree as ET

    return {"".join(t.itertext()).strip() for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")}


def test_mse_stepped_to_the_end_shows_196_and_112():
    loss, _ = mse()
    stepper = GraphStepper(loss)
    assert stepper.phase == "start"
    assert not {"196.0000", "112.0000"} & svg_texts(stepper.svg)
    while stepper.phase != "done":
        stepper.next()
    texts = svg_texts(stepper.svg)
    assert "196.0000" in texts and "112.0000" in texts and "-84.0000" in texts and "28.0000" in texts
    assert stepper.values["loss"] == MSE["loss"]
    assert {k: stepper.grads[k] for k in "wxy"} == {k: MSE[k] for k in "wxy"}


def test_values_appear_in_the_forward_pass_and_gradients_in_the_backward_pass():
    loss, _ = mse()
    stepper = GraphStepper(loss)
    n = len(topological_order(loss))
    stepper.goto(n)  # the end of the forward pass: every value, no gradient
    texts = svg_texts(stepper.svg)
    assert "196.0000" in texts and "112.0000" not in texts
    assert stepper.phase == "forward" and stepper.grads == {}
    stepper.next()
    assert stepper.phase == "backward" and stepper.grads["loss"] == 1.0


def test_stepping_never_changes_the_users_gradients():
    loss, (w, x, y) = mse()
    stepper = GraphStepper(loss)
    stepper.last()
    assert (w.grad, x.grad, y.grad, loss.grad) == (0.0, 0.0, 0.0, 0.0)
    loss.backward()
    loss.backward()  # leaves accumulate: 2x
    stepper = GraphStepper(loss)
    stepper.last()
    assert (w.grad, x.grad, y.grad) == (2 * MSE["w"], 2 * MSE["x"], 2 * MSE["y"])
    assert stepper.grads["w"] == MSE["w"]  # the stepper shows one fresh pass


def test_buttons_and_bounds_never_raise():
    loss, _ = mse()
    s = GraphStepper(loss)
    last = len(s.steps) - 1
    s.prev_button.click()
    s.first_button.click()
    s.prev()
    assert s.index == 0 and s.prev_button.disabled and s.first_button.disabled
    s.next_button.click()
    s.next_button.click()
    assert s.index == 2
    s.last_button.click()
    assert s.index == last and s.next_button.disabled
    s.next()
    s.next_button.click()
    s.goto(10_000)
    assert s.index == last
    s.goto(-3)
    assert s.index == 0
    with pytest.raises(TypeError, match="frame number"):
        s.goto("3")


def test_play_ticks_move_the_frames_and_stop_at_the_end():
    loss, _ = mse()
    s = GraphStepper(loss, speed=300)
    assert s.play.interval == 300
    s.play.playing = True
    for tick in range(1, 6):
        s.play.value = tick  # what a Play tick does
        assert s.index == tick and s.slider.value == tick
    s.play.value = 10_000  # past the end: clamped, and playing stops
    assert s.index == len(s.steps) - 1 and not s.play.playing
    s.slider.value = 3
    assert s.index == 3 and s.play.value == 3
    s.speed.value = 1500
    assert s.play.interval == 1500


def test_set_root_while_playing_starts_the_new_expression():
    loss, _ = mse()
    s = GraphStepper(loss)
    s.play.playing = True
    s.play.value = 9
    f = examples.neuron(fused=False)
    s.set_root(f)
    assert s.index == 0 and not s.play.playing and s.play.value == 0
    drawn = [n for n in topological_order(f) if not n._const]  # constants fold into their gate ("+1")
    assert len(s.steps) == 1 + 2 * len(drawn)
    assert s.play.max == len(s.steps) - 1 and s.slider.max == len(s.steps) - 1
    s.play.value = len(s.steps) - 1
    assert s.phase == "done" and s.values["f"] == pytest.approx(0.7310585786300049, rel=1e-15)
    s.set_root(Value(2.0, label="lonely"))  # a single input: one forward, one backward frame
    assert len(s.steps) == 3 and s.slider.max == 2
    s.last()
    assert s.grads == {"lonely": 1.0}
    with pytest.raises(TypeError, match="Value"):
        s.set_root([1, 2])


def test_two_steppers_of_the_same_graph_are_independent():
    loss, _ = mse()
    a, b = GraphStepper(loss), GraphStepper(loss)  # e.g. a cell run twice
    a.last()
    assert b.index == 0
    assert a.view.value != b.view.value  # ids and styles scoped per instance
    ids = {c for c in a._dom_classes if c.startswith("bp-i")}
    assert len(ids) == 1 and ids.isdisjoint(b._dom_classes)


def reach_first_target(s):
    while s.index + 1 < len(s.steps) and s.steps[s.index + 1].target is None:
        s.next()


def test_predict_mode_accepts_a_right_guess_and_rejects_a_wrong_one():
    loss, _ = mse()
    s = GraphStepper(loss, predict=True)
    reach_first_target(s)
    held = s.index
    s.next()  # the next step reveals a gradient: not before a guess
    assert s.index == held and "Predict" in s.guess_label.value
    assert "Predict" not in s.feedback.value  # the prompt is on screen once, not repeated below it
    target = s.steps[held + 1].target
    assert target.name == "n5" and target.value == -28.0  # d loss/d (w*x - y) = 2 * (-14)
    assert s.guess("-28") is True
    assert s.index == held + 1 and "Right" in s.feedback.value

    reach_first_target(s)
    held = s.index
    target = s.steps[s.index + 1].target
    assert s.guess(target.value + 1) is False
    assert "Not quite" in s.feedback.value and "Hint" in s.feedback.value
    assert s.index == held  # a first wrong guess: a hint, not the answer, and no reveal
    assert "+=" not in s.feedback.value  # the hint names what to multiply, not the finished sum
    assert s.guess(target.value + 1) is False  # the second wrong try: the answer, then on
    assert f'<span class="bp-g">{target.value:g}</span>' in s.feedback.value  # the right number, shown
    assert [t.name for t in s.steps[held + 1].targets] == ["n2", "-y"]  # this step reveals two
    assert s.index == held and "\u2202-y" in s.guess_label.value  # so it asks for the second one next
    s.reveal_button.click()
    assert s.index == held + 1 and s.frame.target is target


def test_predict_mode_tolerates_rounding_and_reads_fractions():
    loss, _ = mse()
    s = GraphStepper(loss, predict=True)
    s.last()
    s.first()
    reach_first_target(s)
    assert s.guess("-28.001") is True
    reach_first_target(s)
    assert s.guess("nonsense") is False and "Could not read" in s.feedback.value
    value = s.steps[s.index + 1].target.value
    assert s.guess(f"{int(value * 2)}/2") is True


def test_predict_mode_stops_play_at_a_gradient_to_guess():
    loss, _ = mse()
    s = GraphStepper(loss, predict=True)
    s.play.playing = True
    for tick in range(1, len(s.steps)):
        if not s.play.playing:
            break
        s.play.value = tick
    assert not s.play.playing
    assert s.steps[s.index + 1].target is not None
    assert s.guess_row.layout.display == "flex"
    s.predict = False
    assert s.guess_row.layout.display == "none"
    s.next()
    assert s.frame.target is not None


def test_stage_toggle_keeps_the_gradients_identical():
    f = examples.neuron(fused=False)
    s = GraphStepper(f)
    s.last()
    expanded = s.grads
    n_expanded = len(s.steps)
    s.stage_toggle.value = True  # the toggle button
    assert s.collapsed and len(s.steps) < n_expanded
    assert s.phase == "done"
    fused = s.grads
    for name in ("w0", "w1", "w2", "x0", "x1"):
        assert fused[name] == pytest.approx(expanded[name], rel=1e-14)
    assert [fused[k] for k in ("w0", "w1", "w2")] == pytest.approx(NEURON_DW, rel=1e-14)
    assert [fused[k] for k in ("x0", "x1")] == pytest.approx(NEURON_DX, rel=1e-14)
    assert "sigmoid" in svg_texts(s.svg)
    s.collapsed = False
    assert len(s.steps) == n_expanded and s.phase == "done"


def test_stage_toggle_keeps_the_place_in_the_timeline():
    s = GraphStepper(examples.neuron(fused=False))
    names = s.names
    forward_f = [k for k, fr in enumerate(s.steps) if fr.phase == "forward" and names[fr.node] == "f"]
    s.goto(forward_f[0])  # the forward step of the stage's output
    s.collapsed = True
    assert s.phase == "forward" and s.names[s.frame.node] == "f"
    s.collapsed = False
    assert s.phase == "forward" and s.names[s.frame.node] == "f"


def test_stage_toggle_is_disabled_without_stages():
    loss, _ = mse()
    s = GraphStepper(loss)
    assert s.stage_toggle.disabled
    s.collapsed = True
    assert not s.collapsed


def test_stepping_never_calls_graphviz(monkeypatch):
    s = GraphStepper(examples.neuron(fused=False))
    s.collapsed = True  # both views are laid out now
    s.collapsed = False

    def refuse(*args, **kwargs):
        raise AssertionError("graphviz was called during a step")

    monkeypatch.setattr(graphviz.Source, "pipe", refuse)
    monkeypatch.setattr(scene, "svg_from_dot", refuse)
    for view in (False, True, False):
        s.collapsed = view
        for i in range(len(s.steps)):
            s.goto(i)
            assert s.svg
        s.play.value = 2
        s.prev()


@pytest.fixture
def no_graphviz(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    render.clear_cache()
    yield
    render.clear_cache()


def test_without_graphviz_the_stepper_explains_how_to_install_it(no_graphviz):
    loss, _ = mse()
    s = GraphStepper(loss)
    assert "apt-get install graphviz" in s.view.value and "brew install graphviz" in s.view.value
    assert "conda install -c conda-forge graphviz" in s.view.value
    s.last()
    assert s.svg == "" and s.grads["w"] == MSE["w"]  # the narration still steps


def test_without_graphviz_draw_explains_how_to_install_it(no_graphviz):
    from widgets import draw

    loss, _ = mse()
    d = draw(loss)
    bundle = d._repr_mimebundle_()
    assert "apt-get install graphviz" in bundle["text/plain"]
    with pytest.raises(GraphvizNotFound, match="brew install graphviz"):
        d.pipe(format="svg")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"theme": "neon"}, ValueError, "'light', 'dark', 'projector'"),
        ({"style": "boxes"}, ValueError, "'circuit', 'nodes'"),
        ({"direction": "up"}, ValueError, "'LR', 'RL', 'TB', 'BT'"),
        ({"digits": -1}, ValueError, "0 to 12"),
        ({"speed": 0}, ValueError, "milliseconds"),
    ],
)
def test_bad_arguments_say_what_is_allowed(kwargs, error, words):
    loss, _ = mse()
    with pytest.raises(error, match=words):
        GraphStepper(loss, **kwargs)


def test_a_root_that_is_not_a_value_is_refused_clearly():
    with pytest.raises(TypeError, match=r"Value\(\.\.\.\)"):
        GraphStepper(3.0)
    loss, _ = mse()
    with pytest.raises(TypeError, match="one output at a time"):
        GraphStepper([loss, loss])


def test_a_graph_over_the_node_budget_opens_folded_and_says_why(monkeypatch):
    monkeypatch.setattr(budget, "MAX_NODES", 5)
    loss, _ = mse()
    s = GraphStepper(loss)
    assert s.folded and "Too many nodes to draw one by one (7; the budget is 5)" in s.narration
    s.last()
    assert s.frame.phase == "done"


def test_css_classes_for_browser_tests():
    s = GraphStepper(examples.neuron(fused=False), predict=True)
    classes = set()
    stack = [s]
    while stack:
        widget = stack.pop()
        classes |= set(widget._dom_classes)
        stack.extend(getattr(widget, "children", ()))
    expected = {"bp-stepper", "bp-view", "bp-narration", "bp-next", "bp-prev", "bp-first", "bp-last",
                "bp-play", "bp-slider", "bp-phase", "bp-stage-toggle", "bp-guess", "bp-guess-button",
                "bp-feedback"}
    assert expected <= classes


@pytest.mark.parametrize("style", ["circuit", "nodes"])
@pytest.mark.parametrize("direction", ["LR", "RL", "TB", "BT"])
@pytest.mark.parametrize("theme", ["light", "dark", "projector"])
def test_every_style_direction_and_theme_steps_to_the_articles_numbers(style, direction, theme):
    loss, _ = mse()
    s = GraphStepper(loss, style=style, direction=direction, theme=theme)
    s.last()
    texts = svg_texts(s.svg)
    digits = 2 if theme == "projector" else 4
    assert f"{MSE['loss']:.{digits}f}" in texts and f"{MSE['w']:.{digits}f}" in texts


def test_collapsed_at_the_start_shows_the_fused_view():
    s = GraphStepper(examples.neuron(fused=False), collapsed=True)
    assert s.collapsed and s.stage_toggle.value
    assert "sigmoid" in svg_texts(s.svg)


def test_a_tensor_graph_steps_with_the_engines_gradients():
    import numpy as np

    from autograd_core.tensor import Tensor

    def build():
        a = Tensor(np.array([[1.0, -2.0], [3.0, 0.5]]), label="A")
        data = Tensor(np.array([2.0, -1.0]), label="data", requires_grad=False)
        out = ((a * data).tanh()).sum()
        out.label = "out"
        return out, a

    out, a = build()
    s = GraphStepper(out)
    s.last()
    reference, a_ref = build()
    reference.backward()
    np.testing.assert_array_equal(s.grads["A"], a_ref.grad)
    assert "data" not in s.grads  # requires_grad=False: no gradient flows to it
    texts = svg_texts(s.svg)
    assert "\u2013" in texts  # drawn as a dash, not a '?' that never resolves
    assert a.grad.sum() == 0  # the user's tensor is untouched


def test_the_browser_side_view_is_still_ipywidgets_vbox():
    """ipywidgets picks the browser view by `_view_name`: shadowing it leaves an empty, broken widget."""
    loss, _ = mse()
    s = GraphStepper(loss)
    assert s._view_name == "VBoxView" and s._view_module == "@jupyter-widgets/controls"
    s.collapsed = True
    assert s._view_name == "VBoxView"
