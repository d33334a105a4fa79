"""draw(): a graphviz picture of a graph as it is now, in two styles and three themes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest

from autograd_core import Value, stage
from widgets import budget, draw
from widgets.exercises import examples

SVG = "{http://www.w3.org/2000/svg}"


def circuit():
    """The article's circuit, its backward pass run: f and its inputs x, y, z and q."""
    f = examples.circuit()
    f.backward()
    return f, tuple(examples.nodes_by_label(f)[k] for k in "xyzq")


def rendered(drawing) -> ET.Element:
    return ET.fromstring(drawing.pipe(format="svg", encoding="utf-8"))


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def test_draw_returns_a_graphviz_digraph_that_displays_itself():
    f, _ = circuit()
    d = draw(f)
    assert isinstance(d, graphviz.Digraph)
    bundle = d._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


def test_circuit_shows_values_and_gradients_of_the_article_circuit():
    f, _ = circuit()
    shown = texts(rendered(draw(f)))
    # forward values, then gradients (ARTICLE.md row 1): q=3, f=-12; df/dq=-4, df/dz=3, df/dx=df/dy=-4
    for value in ("-2.0000", "5.0000", "-4.0000", "3.0000", "-12.0000", "1.0000"):
        assert value in shown
    assert shown.count("-4.0000") == 4  # z's value; the gradients of q, x and y
    assert shown.count("3.0000") == 2  # q's value; z's gradient
    assert {"+", "\u00d7"} <= set(shown)  # the two gates, drawn with their symbols


def test_values_are_above_the_wire_and_gradients_below():
    f, _ = circuit()
    root = rendered(draw(f, digits=2))
    above = below = 0
    for node in groups(root, "node"):
        wire = node.find(f"{SVG}polyline")
        if wire is None:
            continue
        y_wire = float(wire.get("points").split()[0].split(",")[1])
        for t in node.iter(f"{SVG}text"):
            if t.get("fill") == "#0072b2":
                assert float(t.get("y")) < y_wire  # a value: above
                above += 1
            if t.get("fill") == "#d55e00":
                assert float(t.get("y")) > y_wire  # a gradient: below, and in italics
                assert t.get("font-style") == "italic"
                below += 1
    assert above == below == 5


def test_nodes_style_is_a_box_per_value_with_label_data_and_grad():
    f, _ = circuit()
    shown = texts(rendered(draw(f, style="nodes")))
    assert shown.count("data") == 5 and shown.count("grad") == 5
    assert {"x", "y", "z", "q", "f"} <= set(shown)


def test_a_node_used_twice_is_drawn_with_two_edges():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    for style in ("circuit", "nodes"):
        root = rendered(draw(b, style=style))
        assert len(groups(root, "edge")) == 3  # a -> gate twice, gate -> b


def test_digits_and_themes():
    f, _ = circuit()
    assert "-12.00" in texts(rendered(draw(f, digits=2)))
    projector = draw(f, theme="projector")
    assert "-12.00" in texts(rendered(projector))  # two digits by default on a projector
    sizes = {float(t.get("font-size")) for t in rendered(projector).iter(f"{SVG}text")}
    assert min(sizes) >= 18
    dark = rendered(draw(f, theme="dark"))
    background = dark.find(f"{SVG}g/{SVG}polygon")
    assert background.get("fill") == "#1e1e1e"


def test_constants_fold_into_their_gate_in_circuit_style():
    x = Value(0.5, label="x")
    f = 1 / (1 + (-x).exp())
    shown = texts(rendered(draw(f)))
    assert "1+" in shown and "1\u00f7" in shown
    boxes = texts(rendered(draw(f, style="nodes")))
    assert boxes.count("1") == 2  # in the nodes style the constants are boxes of their own


def test_stages_are_clusters_and_collapsed_draws_one_gate():
    x = Value(0.5, label="x")
    with stage("sigmoid"):
        s = 1 / (1 + (-x).exp())
    f = s * 2
    expanded = rendered(draw(f))
    clusters = groups(expanded, "cluster")
    assert len(clusters) == 1 and "sigmoid" in texts(clusters[0])
    collapsed = rendered(draw(f, collapsed=True))
    assert not groups(collapsed, "cluster") and "sigmoid" in texts(collapsed)
    assert len(groups(collapsed, "node")) < len(groups(expanded, "node"))


def test_highlight_outlines_a_node_with_colour_and_a_second_cue():
    f, (x, y, z, q) = circuit()
    plain = draw(f).source
    marked = draw(f, highlight=q).source
    assert "#CC79A7" in marked and "#CC79A7" not in plain
    assert "peripheries=2" in marked  # the gate gets a double outline
    assert "\u26a0" in marked  # and the wire a warning sign next to its name
    assert draw(f, highlight=[x, z]).source.count("\u26a0") == 2
    with pytest.raises(ValueError, match="not part of the graph"):
        draw(f, highlight=Value(1.0))
    with pytest.raises(TypeError, match="highlight"):
        draw(f, highlight="q")


@pytest.mark.parametrize("direction", ["LR", "RL", "TB", "BT"])
def test_every_direction_lays_out(direction):
    f, _ = circuit()
    assert "-12.0000" in texts(rendered(draw(f, direction=direction)))


def test_bad_arguments_say_what_is_allowed():
    f, _ = circuit()
    with pytest.raises(ValueError, match="'circuit', 'nodes'"):
        draw(f, style="fancy")
    with pytest.raises(ValueError, match="'light', 'dark', 'projector'"):
        draw(f, theme="solarized")
    with pytest.raises(TypeError, match="Value"):
        draw("f")


def test_node_budget(monkeypatch):
    f, _ = circuit()
    monkeypatch.setattr(budget, "MAX_NODES", 4)
    folded = draw(f)  # over the budget: drawn folded into boxes, and the picture says why
    assert "Too many nodes to draw one by one" in folded.source and "5 nodes folded" in folded.source


def test_tensor_nodes_show_op_shape_and_a_compact_value():
    from autograd_core.tensor import Tensor

    a = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), label="A")
    b = Tensor(np.arange(12.0).reshape(3, 4), label="B")
    loss = (a * 2).sum() + (b**2).mean()
    loss.label = "loss"
    loss.backward()
    shown = " | ".join(texts(rendered(draw(loss))))
    assert "(2, 2)" in shown and "(3, 4)" in shown  # shapes next to the names
    assert "[1, 2]" in shown and "[3, 4]" in shown  # a small array in full, in few digits
    stats = re.search(r"min (\S+)[\s|]+mean (\S+)[\s|]+max (\S+)", shown)  # a larger one: min/mean/max
    assert [float(v) for v in stats.groups()] == [b.data.min(), b.data.mean(), b.data.max()]
    assert "sum" in shown and "mean" in shown  # the ops
