"""`draw(root)`: a picture of a graph as it is now (values and gradients), as a graphviz object."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

import graphviz

from autograd_core.stages import fuse_stages

from . import fit, formatting, render
from .budget import GraphTooLarge
from .dotgraph import dot_body, folded_dot
from .fit import Fit
from .folding import caption_of, focus_graph, fold
from .plan import check_root, make_plan
from .render import GraphvizNotFound, svg_from_dot
from .themes import Theme, check_digits, check_direction, check_style, get_theme


class Drawing(graphviz.Digraph):
    """A graphviz graph that shows itself in a notebook, and explains how to install graphviz if needed.

    Besides graphviz's SVG it offers the same SVG inline as HTML (what JupyterLab, Notebook and Colab
    prefer), sized like the stepper's view: a wide graph shrinks to the cell's width while its text
    stays readable, then scrolls sideways, instead of running off the right edge.
    """

    font_pt: float | None = None  # the theme's font size; None: never shrink (only scroll)
    # draws the same graph folded, saying why (when graphviz does not finish in time), or None
    fallback: Callable[[str], Drawing] | None = None
    # the same picture laid out the other way (top to bottom), offered to cells too narrow for this one
    alternate: Callable[[], Drawing] | None = None

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        as_svg = args in ((), ("svg",)) and kwargs.get("format", "svg") == "svg"
        if as_svg and set(kwargs) <= {"format", "encoding"}:
            # what a notebook shows: laid out with a time limit, so a huge graph never hangs the kernel
            try:
                svg = svg_from_dot(self.source)
            except GraphTooLarge:
                if self.fallback is None:
                    raise
                return self.fallback(f"graphviz did not finish in {render.LAYOUT_TIMEOUT_S:g} s, so: ").pipe(
                    *args, **kwargs)
            return svg if kwargs.get("encoding") else svg.encode("utf-8")
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound() from None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        try:
            bundle = super()._repr_mimebundle_(include, exclude, **kwargs)
        except (GraphvizNotFound, GraphTooLarge) as problem:
            text = str(problem)
            html = "<pre style='color:#D55E00;white-space:pre-wrap'>" + escape(text) + "</pre>"
            return {"text/plain": text, "text/html": html}
        svg = bundle.get("image/svg+xml")
        wanted = (include is None or "text/html" in include) and not (exclude and "text/html" in exclude)
        html = None
        if svg and wanted:
            html = _fitting_html(svg, self.font_pt, self.alternate)
        if html is not None:
            bundle["text/html"] = html
        return bundle




def _fitting_html(svg: str, font_pt: float | None,
                  alternate: Callable[[], Drawing] | None = None) -> str | None:
    """graphviz's SVG as inline HTML that fits the output's width (None if its size cannot be read).

    A picture too wide for a narrow cell is also laid out the other way; the page shows the one that
    fits (widgets.fit). Without a font size (not ours) it is never shrunk, only scrolled.
    """
    first = fit.sized(svg, font_pt)
    if first is None:
        return None
    pictures = [first]
    if font_pt and alternate is not None and fit.wants_alternate(first[1]):
        try:
            other = fit.sized(alternate().pipe(format="svg", encoding="utf-8"), font_pt)
        except GraphTooLarge:
            other = None
        if other is not None and fit.useful(first[1], other[1]) is not None:
            pictures.append(other)
    chosen = Fit(fit.new_key(), tuple(side for _, side in pictures))
    return f'<div class="bp-drawing">{chosen.html([html for html, _ in pictures])}</div>'


def draw(
    root: Any,
    *,
    style: str = "circuit",
    theme: str = "light",
    direction: str = "LR",
    digits: int | None = None,
    collapsed: bool = False,
    highlight: Any = None,
    focus: Any = None,
) -> Drawing:
    """Draw the graph that computed `root`, with every node's `data` and `grad` as they are now.

    style: "circuit" (CS231n: gates as circles, values above the wires, gradients below) or "nodes"
    (a box per value with its label, data and grad, as in micrograd). theme: "light", "dark" or
    "projector". digits: decimals shown (default: 4, or 2 for the projector). collapsed: draw each
    stage (`with stage("sigmoid"): ...`) as one gate. highlight: a node, or several, to point at.
    focus: a node; only the paths from it to `root` are drawn (every other input held fixed).
    A graph over the budget (widgets.budget) is drawn folded into boxes instead, and says so.
    """
    check_root(root, "draw")
    check_style(style)
    th = get_theme(theme)
    check_direction(direction)
    digits = check_digits(digits, th)
    marked_nodes = _as_nodes(highlight)
    original = root
    if focus is not None:
        root, copies = focus_graph(root, focus)
        marked_nodes = [copies.get(id(n), n) for n in marked_nodes]
    if collapsed:
        fused, mapping = fuse_stages(root)
        marked_nodes = [mapping.get(id(n), n) for n in marked_nodes]
        root = fused
    def folded(reason: str) -> Drawing:
        return folded_drawing(original, focus=focus, theme=th, direction=direction, reason=reason)

    try:
        plan = make_plan(root, style)
    except GraphTooLarge as why:
        return folded(why.reason + ", so: ")
    marked = set()
    for node in marked_nodes:
        i = plan.index.get(id(node))
        if i is None:
            raise ValueError(f"highlight: {node!r} is not part of the graph being drawn")
        if i in plan.folded:  # a constant drawn inside its gate: point at the gate
            i = next(c for c, n in enumerate(plan.order) if any(p is node for p in n._prev))
        marked.add(i)
    values = [formatting.short(n.data, digits) for n in plan.order]
    # a tensor with requires_grad=False (data, labels) has no gradient: show none, not zeros
    grads = [formatting.short(n.grad, digits) if getattr(n, "requires_grad", True) else ""
             for n in plan.order]
    body = dot_body(plan, th, direction, values, grads, slots=False, marked=marked)
    drawing = Drawing(name="backprop", body=body)
    drawing.font_pt = th.font_size
    drawing.fallback = folded

    def across() -> Drawing:
        turned = dot_body(plan, th, fit.other_direction(direction), values, grads, slots=False, marked=marked)
        other = Drawing(name="backprop", body=turned)
        other.font_pt = th.font_size
        return other

    drawing.alternate = across
    return drawing


def folded_drawing(root: Any, *, focus: Any = None, theme: Theme | str = "light", direction: str = "LR",
                   expand: Iterable[Any] = (), reason: str = "") -> Drawing:
    """`draw()` of a graph too large (or too tangled) to draw node by node: its folded boxes, saying why."""
    folded = fold(root, expand, focus)
    caption = caption_of(folded, reason) + ". widgets.Overview(...) opens the boxes."
    lines = folded_dot(folded, get_theme(theme), direction, caption).splitlines(keepends=True)
    return Drawing(name="folded", body=lines[1:-1])


def _as_nodes(highlight: Any) -> list:
    if highlight is None:
        return []
    if hasattr(highlight, "_prev"):
        return [highlight]
    if isinstance(highlight, Iterable) and not isinstance(highlight, str):
        nodes = list(highlight)
        if all(hasattr(n, "_prev") for n in nodes):
            return nodes
    raise TypeError(f"highlight must be a node of the graph or a list of nodes, got {highlight!r}")
