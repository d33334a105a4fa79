"""GradCheckView: CS231n bands per node, the wrong gate, the first nan/inf, wires as wide as the gradient."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from article_graphs import mse_loss

from autograd_core import Value, gate
from widgets.gradcheck_view import BANDS, MAX_CHECKED, GradCheckView, flow_style

SVG = "{http://www.w3.org/2000/svg}"


@gate("softplus")
def bad_softplus(x):
    """softplus(x) = ln(1 + e^x), with a wrong local gradient (e^x instead of the sigmoid)."""
    return math.log1p(math.exp(x)), (math.exp(x),)


def node_text(view: GradCheckView, name: str) -> str:
    """Everything drawn inside the box of the node called `name`."""
    root = ET.fromstring(view.svg)
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            texts = ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
            if texts and texts[0] == name:
                return " ".join(texts)
    raise AssertionError(f"no node {name!r} drawn")


def test_a_correct_graph_is_happy_everywhere():
    view = GradCheckView(mse_loss())
    assert {c.band for c in view.checks} == {"happy"}
    assert view.wrong_gate is None and view.nonfinite is None
    by_name = {c.name: c for c in view.checks}
    assert by_name["w"].analytic == 112.0 and by_name["w"].numeric == pytest.approx(112.0, rel=1e-8)
    text = node_text(view, "w")
    assert "\u2714 happy" in text and "112" in text
    assert "every gate's local gradient agrees" in view.summary_html.value.lower()


def test_a_wrong_custom_gate_is_found_and_only_the_gradients_behind_it_are_wrong():
    w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(-1.0, label="b")
    h = bad_softplus(w * x + b)  # w*x + b = 0: the right local gradient is sigmoid(0) = 0.5, not e^0 = 1
    h.label = "h"
    loss = (h - 1.0) ** 2
    loss.label = "loss"
    view = GradCheckView(loss)
    assert view.wrong_gate is not None and view.wrong_gate.node is h
    assert view.wrong_gate.analytic == 1.0 and view.wrong_gate.numeric == pytest.approx(0.5, rel=1e-6)
    # twice the right gradient behind the gate: relative error 0.5, "wrong"; from h on, all is right
    assert view.band_of(w) == view.band_of(x) == view.band_of(b) == "wrong"
    assert view.band_of(h) == view.band_of(loss) == "happy"
    assert [c.band for c in view.worst(6)] == ["wrong"] * 5 + ["happy"]  # w, x, b, w*x and w*x + b
    assert "softplus" in view.summary_html.value and "first wrong gate" in view.summary_html.value
    # the gate is drawn with the warning sign, in the mark colour, with a double outline
    gate_line = next(line for line in view.dot().splitlines() if "softplus" in line and "shape=" in line)
    assert "\u26a0" in gate_line and "peripheries=2" in gate_line
    assert "\u2718 wrong" in node_text(view, "w")


def test_a_nan_born_in_the_forward_pass_is_flagged_at_its_node():
    a = Value(1e200, label="a")
    big = a * a  # 1e400 overflows to inf here
    big.label = "big"
    out = big * 0.0 + a  # inf * 0 = nan below it
    out.label = "out"
    view = GradCheckView(out)
    assert view.nonfinite is not None and view.nonfinite.node is big and view.nonfinite.phase == "forward"
    assert "first nan/inf (forward)" in node_text(view, "big")
    assert "big = inf" in view.summary_html.value


def test_an_inf_born_in_the_backward_pass_is_flagged_where_it_arrives():
    x1, y1 = Value(1.0, label="x1"), Value(2.0, label="y1")
    x2, y2 = Value(1.0, label="x2"), Value(2.0, label="y2")
    dx = x1 - x2
    dy = y1 - y2
    s = dx**2 + dy**2
    s.label = "s"
    dist = s**0.5  # sqrt at 0: the local gradient 0.5 / sqrt(0) is infinite
    dist.label = "dist"
    view = GradCheckView(dist)
    assert view.nonfinite.node is s and view.nonfinite.phase == "backward"
    assert view.nonfinite.inputs == (1.0, math.inf)
    assert "first nan/inf (backward)" in node_text(view, "s")
    assert "receives inf" in view.summary_html.value
    # the wires carrying inf or nan are drawn dashed in the mark colour
    assert re.search(r'n\d+ -> g\d+ \[id="e\d+_\d" penwidth=3.5 color="#CC79A7" style=dashed', view.dot())


def test_wires_are_as_wide_as_the_gradient_flowing_back_and_vanishing_shows():
    x = Value(0.0, label="x")
    h = x
    for k in range(8):  # a chain of sigmoids: each multiplies the gradient by (1 - s) s <= 1/4
        h = h.sigmoid()
        h.label = f"s{k}"
    view = GradCheckView(h)
    # the flows are the engine's contributions: upstream (d h / d child) x the child's local gradient
    checks = {id(c.node): c for c in view.checks}
    order = [c.node for c in view.checks]
    for f in view.flows:
        child = order[f.child]
        assert f.value == checks[id(child)].analytic * child._local[f.pos]
    sizes = [abs(f.value) for f in sorted(view.flows, key=lambda f: f.child)]
    assert sizes == sorted(sizes)  # smaller and smaller towards the input
    # sigmoid' is at most 1/4 (at 0, the first gate): eight gates leave less than 0.25**8 at x
    assert sizes[-1] < 0.25 and 0 < sizes[0] < 0.25**8
    widths = [float(m) for m in re.findall(r'-> g\d+ \[id="e\d+_0" penwidth=([\d.]+)', view.dot())]
    assert min(widths) < max(widths)
    assert flow_style(1e-7)[0] < flow_style(0.05)[0] < flow_style(5.0)[0] < flow_style(1e4)[0]
    assert "vanishing" in view.legend_svg() and "exploding" in view.legend_svg()


def test_the_table_lists_the_worst_nodes_first():
    w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(-1.0, label="b")
    h = bad_softplus(w * x + b)
    h.label = "h"
    view = GradCheckView(h, worst=3)
    rows = re.findall(r"<tr><td><b>([^<]*)</b>", view.table_html.value)
    wrong = {view.names[i] for i, c in enumerate(view.checks) if c.band == "wrong"}
    assert len(wrong) == 5 and {"w", "x", "b"} <= wrong
    assert len(rows) == 3 and set(rows) <= wrong
    errors = [c.rel_error for c in view.worst(5)]
    assert errors == sorted(errors, reverse=True)
    for band, (_, symbol, _, _) in BANDS.items():
        assert f"{symbol} {band}" in view.summary_html.value  # each band with its symbol, not colour alone


def test_too_large_a_graph_is_refused_with_what_to_do_instead():
    x = Value(0.5, label="x")
    for _ in range(MAX_CHECKED):
        x = x * 1.0001
    with pytest.raises(ValueError, match="one neuron, one sample, or gradcheck.check_function"):
        GradCheckView(x)


def test_hostile_label_is_text():
    evil = "</script><img src=x onerror=alert(1)>"
    a = Value(2.0, label=evil)
    out = a * a
    out.label = "out"
    view = GradCheckView(out)
    assert "<img" not in view.svg and "<img" not in view.table_html.value
    assert "<img" not in view.summary_html.value
    assert node_text(view, evil).startswith(evil)


def test_the_worst_table_starts_where_an_inf_gradient_starts():
    x1, y1, x2, y2 = Value(1.0, "x1"), Value(2.0, "y1"), Value(1.0, "x2"), Value(2.0, "y2")
    s = (x1 - x2) ** 2 + (y1 - y2) ** 2
    s.label = "s"
    dist = s**0.5  # sqrt at 0: d dist/d s = inf, and nan below it
    worst = GradCheckView(dist).worst(3)
    assert worst[0].node is s and worst[0].analytic == math.inf and worst[0].band == "wrong"
