"""One graphviz layout, made restylable: ids per instance, the value and gradient cells found and emptied.

graphviz lays the graph out once, with the widest texts each cell will ever hold, so nothing moves
later. Each value/gradient cell (`v3`, `g3` in the DOT) is emptied and its box remembered: the
scene then draws `?` and the numbers in those boxes, in layers that CSS shows or hides (scene.py).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape as html_escape

from .dotgraph import printable
from .fit import PT_TO_PX, fit_width_style, least_font_pt
from .themes import Theme

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
_NS = {"s": SVG}
_SLOT_ID = re.compile(r"a_([vg])(\d+)$")
_TABLE_ID = re.compile(r"a_t(\d+)$")


@dataclass(frozen=True)
class Box:
    """A cell's rectangle in SVG coordinates (y grows downward) and the font size of its text."""

    x0: float
    y0: float
    x1: float
    y1: float
    font_size: float
    baseline: float  # where graphviz put a one-line text's baseline, relative to the centre


    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Layout:
    """A laid-out graph: the fixed SVG (as parts) and the boxes of its value and gradient cells."""

    prefix: str  # every id in the SVG starts with it: unique per widget instance and view
    open_tag: str  # <svg ...>
    transform: str  # graphviz's transform of the graph group
    body: str  # the fixed picture: wires, gates, names, and `?` in every cell
    value_boxes: dict[int, Box]
    grad_boxes: dict[int, Box]
    node_boxes: dict[int, Box]  # each value's whole table (name, cells, wire), as graphviz drew it
    width_pt: float
    height_pt: float
    least_font_pt: float | None = None  # its smallest text: how far it may shrink

    @property
    def svg_id(self) -> str:
        return f"{self.prefix}-svg"

    def node_id(self, name: str) -> str:
        return f"{self.prefix}-{name}"


def make_layout(raw_svg: str, prefix: str, theme: Theme, scale: float = 1.0) -> Layout:
    """Turn graphviz's SVG (with slot cells `a_v3`/`a_g3`) into a Layout with ids `prefix-...`."""
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    root = ET.fromstring(raw_svg.encode("utf-8"))
    view_box = root.get("viewBox", "0 0 100 100")
    _, _, width_pt, height_pt = (float(v) for v in view_box.split())
    graph = root.find("s:g", _NS)
    transform = graph.get("transform", "")

    value_boxes: dict[int, Box] = {}
    grad_boxes: dict[int, Box] = {}
    _strip_titles(graph)
    slots = [
        (parent, child, _SLOT_ID.match(child.get("id", "")))
        for parent in graph.iter()
        for child in parent
    ]
    for parent, child, match in slots:
        if not match:
            continue
        kind, i = match.group(1), int(match.group(2))
        box = _box_of(child, theme)
        (value_boxes if kind == "v" else grad_boxes)[i] = box
        parent.remove(child)
    node_boxes = _unwrap_tables(graph, theme)
    for element in graph.iter():
        ident = element.get("id")
        if ident:
            element.set("id", f"{prefix}-{ident}")
    graph.set("id", f"{prefix}-graph")

    whole = _serialize(graph)  # once, not per child: ElementTree is slow at thousands of small calls
    body = whole[whole.index(">") + 1 : whole.rindex("</")]
    width_px = width_pt * PT_TO_PX * scale
    least = least_font_pt(body)
    style = fit_width_style(width_px, theme.font_size, scale, least)
    open_tag = (
        f'<svg xmlns="{SVG}" id="{prefix}-svg" class="bp-svg" viewBox="{view_box}" '
        f'preserveAspectRatio="xMidYMid meet" style="{style}">'
    )
    return Layout(prefix, open_tag, transform, body, value_boxes, grad_boxes, node_boxes, width_pt, height_pt,
                  least)


def cell(box: Box, text: str, colour: str, theme: Theme, italic: bool,
         cover: tuple[float, float, float, float] | None = None) -> str:
    """`text` (one line per row) centred in a cell's box.

    With `cover` (insets top, right, bottom, left) the box is first filled with the background, so
    that the text hides an earlier number in the same cell; the insets keep the fill off the wire
    or border beside the cell (which may be drawn thicker when highlighted).
    """
    rect = ""
    if cover is not None:
        top, right, bottom, left = cover
        # never so far in that the top of an earlier number shows above the fill
        glyph_top = box.cy + box.baseline - 0.8 * box.font_size - text.count("\n") * 0.6 * box.font_size
        top = max(0.0, min(top, glyph_top - 1 - box.y0))
        width, height = box.x1 - box.x0 - left - right, box.y1 - box.y0 - top - bottom
        rect = (
            f'<rect x="{box.x0 + left:.2f}" y="{box.y0 + top:.2f}" width="{width:.2f}" '
            f'height="{height:.2f}" fill="{theme.background}"/>'
        )
    return f"<g>{rect}{_text(box, text, colour, theme, italic)}</g>"


def placeholder(box: Box, colour: str, theme: Theme, italic: bool, text: str = "?") -> str:
    """What a cell shows before its number is computed: a faint `?`."""
    return _text(box, text, colour, theme, italic, extra=' class="bp-q" opacity="0.55"')


def _text(box: Box, text: str, colour: str, theme: Theme, italic: bool, extra: str = "") -> str:
    lines = text.split("\n")
    size = box.font_size
    step = size * 1.2
    first = box.cy - step * (len(lines) - 1) / 2 + box.baseline
    style = ' font-style="italic"' if italic else ""
    if theme.bold_numbers:
        style += ' font-weight="bold"'
    spans = "".join(
        f'<tspan x="{box.cx:.2f}" y="{first + k * step:.2f}">{html_escape(printable(line))}</tspan>'
        for k, line in enumerate(lines)
    )
    return (
        f'<text{extra} text-anchor="middle" font-size="{size:g}" fill="{colour}"{style}>{spans}</text>'
    )


def _box_of(slot: ET.Element, theme: Theme) -> Box:
    poly = slot.find(".//s:polygon", _NS)
    xs, ys = [], []
    for pair in poly.get("points", "").split():
        x, y = pair.split(",")
        xs.append(float(x))
        ys.append(float(y))
    texts = slot.findall(".//s:text", _NS)
    size = float(texts[0].get("font-size")) if texts else theme.font_size
    cy = (min(ys) + max(ys)) / 2
    if len(texts) == 1:  # match graphviz's own baseline, so numbers line up with the names beside them
        baseline = float(texts[0].get("y")) - cy
    else:
        baseline = size * 0.36
    return Box(min(xs), min(ys), max(xs), max(ys), size, baseline)


def _unwrap_tables(graph: ET.Element, theme: Theme) -> dict[int, Box]:
    """Record each node table's box (`a_t3`) and put its contents back in the node's group.

    graphviz wraps a table with an id in a link (`<g id="a_t3"><a>...`): unwrapped, the node's wire and
    border stay direct children of the node (the highlight's CSS selects them so), and nothing is a link.
    """
    boxes: dict[int, Box] = {}
    for parent in list(graph.iter()):
        for child in list(parent):
            match = _TABLE_ID.match(child.get("id", ""))
            if not match:
                continue
            boxes[int(match.group(1))] = _box_of(child, theme)
            link = child[0] if len(child) else child
            inner = [el for el in link
                     if not (el.tag.endswith("polygon") and el.get("fill") == "transparent")]
            at = list(parent).index(child)
            parent.remove(child)
            for n, el in enumerate(inner):
                parent.insert(at + n, el)
    return boxes


def _strip_titles(graph: ET.Element) -> None:
    """graphviz's <title>s would show the DOT names (`n3`) as tooltips: remove them."""
    found = [(parent, child) for parent in graph.iter() for child in parent if child.tag == f"{{{SVG}}}title"]
    for parent, child in found:
        parent.remove(child)


def _serialize(element: ET.Element) -> str:
    text = ET.tostring(element, encoding="unicode")
    return text.replace(f' xmlns="{SVG}"', "").replace(f' xmlns:xlink="{XLINK}"', "")
