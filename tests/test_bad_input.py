"""Every bad input of issue 11 gets a clear error naming the offending value and what to do instead."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from html import unescape

import numpy as np
import pytest

from autograd_core import Tensor, Value, gate
from autograd_core.tensor import tensor_gate


def test_tensor_of_none_says_give_a_number():
    with pytest.raises(TypeError, match=r"got None; give a number in its place"):
        Tensor(None)


def test_tensor_of_a_string_says_convert_it():
    with pytest.raises(TypeError, match=r"got the string '3'; convert it first, e\.g\. Tensor\(float\(s\)\)"):
        Tensor("3")


def test_tensor_of_strings_says_convert_them():
    with pytest.raises(TypeError, match=r"got the string '1' in \['1', '2'\]; convert it first"):
        Tensor(["1", "2"])


def test_tensor_of_values_says_gradients_would_not_arrive():
    with pytest.raises(TypeError, match=r"got a Value in \[Value\(1.*gradients would never reach them.*"
                                        r"Tensor\(\[v\.data for v in values\]\)"):
        Tensor([Value(1.0), Value(2.0)])


def test_ragged_rows_say_make_them_the_same_length():
    with pytest.raises(ValueError, match=r"rows have different lengths, \[\[1, 2\], \[3\]\].*same number"):
        Tensor([[1, 2], [3]])


def test_value_of_a_huge_int_says_it_is_too_large():
    with pytest.raises(OverflowError, match=r"Value\(\).*an int of 401 digits, is too large.*float\('inf'\)"):
        Value(10**400)


def test_adding_a_huge_int_says_it_is_too_large():
    with pytest.raises(OverflowError, match=r"gate '\+'.*an int of 401 digits, is too large.*rescale"):
        Value(1.0) + 10**400


def test_tensor_of_a_huge_int_says_it_is_too_large():
    with pytest.raises(OverflowError, match=r"an int of 401 digits, is too large"):
        Tensor([1, 10**400])


def test_a_failing_scalar_rule_names_its_gate_and_inputs():
    @gate("inverse")
    def inverse(a):
        return 1 / a, (-1 / a**2,)

    with pytest.raises(ZeroDivisionError, match=r"gate 'inverse' failed on inputs \(0\): ZeroDivisionError.*"
                                                r"Check the gate's rule"):
        inverse(Value(0.0))


def test_a_failing_tensor_rule_names_its_gate_and_input_shapes():
    @tensor_gate("needs_row")
    def needs_row(a):
        raise KeyError("no row here")

    with pytest.raises(KeyError, match=r"gate .needs_row. failed on inputs \(shape \(2, 3\)\).*Check"):
        needs_row(Tensor(np.ones((2, 3))))


def test_stepper_of_a_non_scalar_tensor_says_reduce_it():
    pytest.importorskip("ipywidgets", reason="the stepper is an ipywidget")
    from widgets import GraphStepper

    said = r"one number at the root.*\(3,\).*loss\.sum\(\).*loss\.mean\(\)"
    with pytest.raises(ValueError, match=said) as e:
        GraphStepper(Tensor([1.0, 2.0, 3.0]) * 2)
    assert "backward" not in str(e.value)


@pytest.mark.parametrize("name, said", [("x.png", r"ends in '\.png'"), ("nosuffix", "has no suffix")])
def test_save_gif_names_the_suffix_it_accepts(name, said, tmp_path):
    pytest.importorskip("ipywidgets", reason="the stepper is an ipywidget")
    from widgets import GraphStepper

    stepper = GraphStepper(Value(2.0, label="x") * 3)
    with pytest.raises(ValueError, match=said + r".*must end in \.gif.*save_frames"):
        stepper.save_gif(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_tensor_grad_is_writable_after_zero_grad():
    w = Tensor([[1.0, 2.0]])
    (w * 3).sum().backward()
    w.zero_grad()
    w.grad[0, 0] = 5.0  # PyTorch users write to .grad (clipping, masking)
    assert w.grad.tolist() == [[5.0, 0.0]]
    loss = (w * 3).sum()
    loss.zero_grad()
    w.grad += 1.0
    assert w.grad.tolist() == [[1.0, 1.0]]


@pytest.mark.parametrize("expr", [
    lambda t: t + np.inf - np.inf,
    lambda t: (t * 0.0).log() * 0.0,
    lambda t: (t * np.inf) / (t * np.inf),
    lambda t: (t - t).relu() ** -1.0,
])
def test_tensor_gates_never_warn_at_inf_and_nan(expr):
    t = Tensor([1.0, -2.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning fails the test
        expr(t).sum().backward()  # the assertion is the filter above: no warning at all


@pytest.mark.parametrize("label", ["a\x00b", "\x01", "\x0b", "x\ud800y"])
def test_control_characters_in_labels_draw_and_export(label, tmp_path):
    pytest.importorskip("ipywidgets", reason="the stepper is an ipywidget")
    from widgets import GraphStepper, draw
    from widgets.rendering.dotgraph import printable

    x = Value(2.0, label=label)
    y = x * 3
    y.label = "out"
    draw(y)
    stepper = GraphStepper(y)
    page = stepper.save_html(tmp_path / "steps.html").read_text(encoding="utf-8")
    assert printable(label) in page  # drawn escaped: a\x00b, \x01, \x0b, x\ufffdy
    assert stepper.save_gif(tmp_path / "steps.gif").stat().st_size > 0
    frames = stepper.save_frames(tmp_path / "frames", format="svg")
    assert any(printable(label) in p.read_text(encoding="utf-8") for p in frames)


@pytest.mark.parametrize("label", ["a\x00b", "\x01", "\x0b", "x\ud800y"])
def test_control_characters_in_labels_draw_in_every_view(label):
    """GradCheckView, Overview and the sort player write their own DOT: they draw such labels too."""
    pytest.importorskip("ipywidgets", reason="the views are ipywidgets")
    from widgets import GradCheckView, Overview, TopoSortPlayer
    from widgets.rendering.dotgraph import printable

    x = Value(2.0, label=label)
    y = (x * 3).tanh()
    y.label = "out"
    player = TopoSortPlayer(y)
    player.last()  # the order list holds every name: its SVG must be drawable by an XML parser too
    ET.fromstring(player.svg)
    for view in (GradCheckView(y), Overview(y), player):
        html = view.view.value
        assert "<svg" in html, f"{type(view).__name__} did not draw: {html[:300]}"
        assert printable(label) in unescape(html), f"{type(view).__name__} does not show {printable(label)!r}"
