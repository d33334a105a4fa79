"""`GradCheckView`: a graph drawn as a gradient check, every node's backward gradient against a central
difference, graded by the CS231n bands; the first wrong gate and the first nan/inf pointed at; the
size of the gradient flowing back along each wire drawn as its width (vanishing and exploding show).

Every number comes from `autograd_core`: `gradcheck.check_graph` (analytic vs numeric per node),
`first_wrong_gate`, `first_nonfinite`, and the engine's recorded backward steps for the wires.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from autograd_core import gradcheck
from autograd_core.graph import backward_steps, clone, topological_order

from . import fit, formatting
from .budget import GraphTooLarge
from .dotgraph import defaults, escape
from .fit import Fit
from .plan import check_root, make_plan
from .render import INSTALL_HELP, GraphvizNotFound, svg_from_dot
from .themes import check_direction, get_theme

# Each CS231n band: a colour (Okabe-Ito) and, so colour is never the only cue, a symbol, a border
# width and a border style.
BANDS = {
    "happy": ("#009E73", "\u2714", 1, "solid"),
    "fine with kinks": ("#56B4E9", "\u2248", 1, "solid"),
    "uncomfortable": ("#E69F00", "?", 2, "dashed"),
    "wrong": ("#D55E00", "\u2718", 3, "solid"),
}

# The gradient flowing back along a wire, by decade: (upper bound of |g|, width, shade).
FLOW = (
    (1e-6, 0.6, "#d9d9d9"),
    (1e-3, 1.2, "#bdbdbd"),
    (1e-1, 2.0, "#969696"),
    (1e1, 3.2, "#636363"),
    (1e3, 5.0, "#252525"),
    (math.inf, 7.5, "#000000"),
)
FLOW_NAMES = ("< 1e-6", "1e-6 .. 1e-3", "1e-3 .. 0.1", "0.1 .. 10", "10 .. 1e3", "> 1e3")
NONFINITE = (3.5, "6,3")  # a nan or inf on a wire: width and dashes, in the mark colour

# check_graph nudges every node and re-runs the graph: n^2 gate calls.
MAX_CHECKED = 1500


@dataclass(frozen=True)
class Flow:
    """The gradient flowing back along one wire: `child` passes `value` to its input `pos` (`parent`)."""

    parent: int
    child: int
    pos: int
    value: float


def flow_style(value: float) -> tuple[float, str, int]:
    """(pen width, colour, bin) for a gradient of this size on a wire; nan/inf are the widest."""
    size = abs(value)
    if not math.isfinite(size):
        return FLOW[-1][1], FLOW[-1][2], len(FLOW) - 1
    for k, (bound, width, shade) in enumerate(FLOW):
        if size < bound:
            return width, shade, k
    return FLOW[-1][1], FLOW[-1][2], len(FLOW) - 1


class GradCheckView(w.VBox):
    """A gradient check you can look at.

        view = GradCheckView(loss)     # shows itself in a notebook
        view.worst(5)                  # the five nodes whose gradients disagree most
        view.wrong_gate                # the first gate whose local gradient disagrees with its rule
        view.nonfinite                 # where a nan or inf first appears (forward, then backward)

    Each node shows its value, its gradient from backward(), the central difference
    (f(x + h) - f(x - h)) / 2h, and the relative error's CS231n band (colour, symbol and border).
    Wires are as wide as the gradient flowing back along them. Your graph is not changed.
    """

    def __init__(self, root: Any, *, theme: str = "light", direction: str = "LR", h: float = 1e-5,
                 worst: int = 8) -> None:
        check_root(root, "GradCheckView")
        if formatting.is_array(root.data):
            raise TypeError("GradCheckView checks scalar graphs (Value); for a Tensor, check a scalar "
                            "function of it with gradcheck.check_function")
        self._theme = get_theme(theme)
        self._direction = check_direction(direction)
        if not isinstance(worst, int) or isinstance(worst, bool) or worst < 1:
            raise ValueError(f"worst is how many rows the table lists (an int >= 1), got {worst!r}")
        order = topological_order(root)
        if len(order) > MAX_CHECKED:
            raise ValueError(
                f"this graph has {len(order)} nodes: checking each one numerically re-runs the whole graph "
                f"twice per node (more than {MAX_CHECKED} nodes would take minutes). Check a smaller piece: "
                "one neuron, one sample, or gradcheck.check_function on the function you suspect."
            )
        self.root = root
        self.checks: list[gradcheck.Check] = gradcheck.check_graph(root, h=h)
        self.wrong_gate: gradcheck.LocalCheck | None = gradcheck.first_wrong_gate(root)
        self.nonfinite: gradcheck.NonFinite | None = gradcheck.first_nonfinite(root)
        self._index = {id(n): i for i, n in enumerate(order)}
        copy, _ = clone(root)
        self._plan = make_plan(copy, "nodes")
        self._names = self._plan.names
        self.flows = _flows(root, self._index)
        self._rows = worst
        self.summary_html = w.HTML()
        self.summary_html.add_class("bp-check-summary")
        self.view = w.HTML(layout=w.Layout(overflow="auto", width="100%", margin="0"))
        self.view.add_class("bp-view")
        self.table_html = w.HTML()
        self.table_html.add_class("bp-check-table")
        super().__init__(children=[self.summary_html, self.view, self.table_html])
        self.add_class("bp-gradcheck")
        self.summary_html.value = self.summary()
        try:
            self.svg = svg_from_dot(self.dot())
        except GraphvizNotFound:
            self.svg = ""
            self.view.value = f"<pre style='white-space:pre-wrap'>{escape(INSTALL_HELP)}</pre>"
        else:
            self.view.value = self._picture() + self.legend_svg()
        self.table_html.value = self.table()

    # ----- the findings -----------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Each node's name as drawn, in the order of `checks` (topological)."""
        return list(self._names)

    def band_of(self, node: Any) -> str:
        return self.checks[self._index[id(node)]].band

    def worst(self, k: int = 8) -> list[gradcheck.Check]:
        """The k checks with the largest relative error (a nan or inf counts as the largest).

        Ties (every node a nan or inf reaches) list the nodes nearest the output first: the backward
        pass meets them first, so the one that starts the trouble comes at the top.
        """
        def key(item: tuple[int, gradcheck.Check]) -> tuple[float, int]:
            position, c = item
            e = c.rel_error
            return (math.inf if math.isnan(e) else e, position)

        return [c for _, c in sorted(enumerate(self.checks), key=key, reverse=True)][:k]

    def summary(self) -> str:
        """One paragraph: how many nodes in each band, the wrong gate, the first nan/inf."""
        counts = {band: 0 for band in BANDS}
        for c in self.checks:
            counts[c.band] += 1
        parts = [
            f'<span style="color:{BANDS[b][0]};font-weight:600;white-space:nowrap">'  # symbol with its label
            f"{BANDS[b][1]} {escape(b)}: {n}</span>"
            for b, n in counts.items()
        ]
        lines = ["Gradient check, node by node (relative error of backward() vs a central difference): "
                 + " &nbsp; ".join(parts)]
        if self.wrong_gate is not None:
            lines.append("\u26a0 " + escape(self.wrong_gate_text()))
        if self.nonfinite is not None:
            lines.append("\u26a0 " + escape(self.nonfinite_text()))
        if self.wrong_gate is None and self.nonfinite is None and counts["wrong"] == 0:
            lines.append("Every gate's local gradient agrees with its rule.")
        return "".join(f"<div>{line}</div>" for line in lines)

    def wrong_gate_text(self) -> str:
        c = self.wrong_gate
        if c is None:
            return ""
        name = self._name(c.node)
        op = c.node._op
        arg = self._name(c.node._prev[c.input_index])
        if not (math.isfinite(c.analytic) and math.isfinite(c.numeric)):
            x = formatting.full(c.node._prev[c.input_index].data)
            return (f"first wrong gate: '{op}' computing {name}: its local gradient d{name}/d{arg} is "
                    f"{formatting.full(c.analytic)} at {arg} = {x}, where its rule has no finite slope "
                    "(a pole or a kink): nan or inf flows back from here.")
        return (f"first wrong gate: '{op}' computing {name}: its local gradient d{name}/d{arg} is "
                f"{formatting.full(c.analytic)}, but its own rule's slope is {formatting.full(c.numeric)}. "
                "Every gradient before it in the backward pass is right; from here on they are wrong.")

    def nonfinite_text(self) -> str:
        f = self.nonfinite
        if f is None:
            return ""
        name = self._name(f.node)
        if f.phase == "forward":
            ins = ", ".join(formatting.full(v) for v in f.inputs)
            return (f"first nan/inf, forward pass: {name} = {formatting.full(f.value)} from finite inputs "
                    f"({ins}), in gate '{f.node._op}'.")
        if len(f.inputs) == 2:
            up, local = f.inputs
            return (f"first nan/inf, backward pass: {name} receives {formatting.full(f.value)} = upstream "
                    f"{formatting.full(up)} \u00d7 local {formatting.full(local)}.")
        return f"first nan/inf, backward pass: {name}'s gradient is {formatting.full(f.value)}."

    # ----- the drawing ------------------------------------------------------------------------
    def _picture(self) -> str:
        """The checked graph fitted to the cell: laid out the other way too when it is too wide for one."""
        first = fit.sized(self.svg, self._theme.font_size)
        if first is None:
            return self.svg
        pictures = [first]
        if fit.wants_alternate(first[1]):
            try:
                turned = fit.sized(svg_from_dot(self.dot(fit.other_direction(self._direction))),
                                self._theme.font_size)
            except GraphTooLarge:
                turned = None
            if turned is not None and fit.useful(first[1], turned[1]) is not None:
                pictures.append(turned)
        return Fit(fit.new_key(), tuple(side for _, side in pictures)).html([svg for svg, _ in pictures])

    def dot(self, direction: str | None = None) -> str:
        """The DOT of the checked graph (laid out once, by graphviz), in `direction` (default: the view's)."""
        t = self._theme
        plan, names = self._plan, self._names
        wrong_gate = self._index[id(self.wrong_gate.node)] if self.wrong_gate is not None else None
        bad = self._index[id(self.nonfinite.node)] if self.nonfinite is not None else None
        pw = t.penwidth
        lines = ["digraph gradcheck {", *defaults(t, direction or self._direction, pad=0.2, nodesep=0.3,
                                                  ranksep=0.35, arrowsize=0.6)]
        for i in range(plan.size):
            if i in plan.folded:
                continue
            if plan.gate_text[i] is not None:
                text = escape(plan.gate_text[i])
                attrs = f'style=filled fillcolor="{t.gate_fill}"'
                if i == wrong_gate:
                    text = "\u26a0 " + text
                    attrs = (f'style=filled fillcolor="{t.background}" color="{t.mark}" '
                             f"penwidth={pw * 2.5:g} peripheries=2")
                shape = "circle" if len(plan.gate_text[i]) <= 2 and i != wrong_gate else "ellipse"
                lines.append(f'  g{i} [id="g{i}" shape={shape} {attrs} label=<{text}>]')
            lines.append(f'  n{i} [id="n{i}" shape=plain label=<{self._table(i, names, i == bad)}>]')
        flows = {(f.child, f.pos): f for f in self.flows}
        for e in plan.edges:
            flow = flows.get((e.child, e.pos))
            attrs = ""
            if flow is not None:
                attrs = self._wire(flow.value)
            if wrong_gate is not None and e.child == wrong_gate and e.pos == self.wrong_gate.input_index:
                attrs += f' color="{t.mark}" style=dashed'
            lines.append(f'  n{e.parent} -> g{e.child} [id="{e.id}"{attrs}]')
        for i, text in enumerate(plan.gate_text):
            if text is None:
                continue
            lines.append(f'  g{i} -> n{i} [id="o{i}" arrowhead=none{self._wire(self.checks[i].analytic)}]')
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _wire(self, value: float) -> str:
        if not math.isfinite(value):
            return f' penwidth={NONFINITE[0]:g} color="{self._theme.mark}" style=dashed'
        width, shade, _ = flow_style(value)
        return f' penwidth={width:g} color="{shade}"'

    def _table(self, i: int, names: list[str], nonfinite: bool) -> str:
        t = self._theme
        c = self.checks[i]
        colour, symbol, border, style = BANDS[c.band]
        node = c.node
        name = escape(names[i])
        faint = f'<FONT COLOR="{t.wire}">'
        error = "0" if c.rel_error == 0 else f"{c.rel_error:.1e}"
        rows = [
            f'<TR><TD ALIGN="LEFT"><B>{name}</B></TD><TD ALIGN="RIGHT">{faint}data</FONT> '
            f'<FONT COLOR="{t.value}">{escape(formatting.short(node.data, 4))}</FONT></TD></TR>',
            f'<TR><TD ALIGN="LEFT">{faint}<I>grad</I></FONT></TD><TD ALIGN="RIGHT">'
            f'<FONT COLOR="{t.grad}"><I>'
            f"{escape(_num(c.analytic))}</I></FONT></TD></TR>",
            f'<TR><TD ALIGN="LEFT">{faint}numeric</FONT></TD><TD ALIGN="RIGHT">'
            f"{escape(_num(c.numeric))}</TD></TR>",
            f'<TR><TD COLSPAN="2" BGCOLOR="{colour}"><FONT COLOR="#000000"><B>{symbol} {escape(c.band)}</B>'
            f"&nbsp;&nbsp;{error}</FONT></TD></TR>",
        ]
        if nonfinite:
            f = self.nonfinite
            rows.append(f'<TR><TD COLSPAN="2"><FONT COLOR="{t.mark}"><B>\u26a0 first nan/inf ({f.phase})'
                        "</B></FONT></TD></TR>")
        outline = t.mark if nonfinite else colour
        border = 4 if nonfinite else border
        look = "rounded" if style == "solid" else style
        return (f'<TABLE BORDER="{border}" STYLE="{look}" COLOR="{outline}" '
                f'CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{t.background}">'
                f'{"".join(rows)}</TABLE>')

    def legend_svg(self) -> str:
        """A key for the wires: a sample wire for each decade of the gradient flowing back, and nan/inf.

        HTML that wraps in a narrow cell (its text stays at the theme's size), each sample wire a tiny SVG.
        """
        t = self._theme
        size = max(fit.FLOOR_PX, t.font_size * fit.PT_TO_PX * 0.8)
        rows = [(width, shade, label, "") for (_, width, shade), label in zip(FLOW, FLOW_NAMES)]
        rows.append((NONFINITE[0], t.mark, "nan / inf", f' stroke-dasharray="{NONFINITE[1]}"'))
        items = "".join(
            f'<span style="display:inline-flex;align-items:center;gap:6px;margin-right:14px">'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="50" height="12" viewBox="0 0 50 12">'
            f'<line x1="0" y1="6" x2="50" y2="6" stroke="{shade}" stroke-width="{width:g}"{dash}/></svg>'
            f"{escape(label)}</span>"
            for width, shade, label, dash in rows
        )
        title = ("wire width: the gradient flowing back along it, |upstream \u00d7 local| "
                 "(thin and light: vanishing; thick and dark: exploding)")
        return (
            f'<div class="bp-legend" style="background:{t.background};color:{t.text};font-size:{size:.0f}px;'
            f'padding:4px 8px;line-height:1.6"><div style="font-weight:bold">{escape(title)}</div>'
            f'<div style="display:flex;flex-wrap:wrap">{items}</div></div>'
        )

    # ----- the table ----------------------------------------------------------------------------
    def table(self) -> str:
        """An HTML table of the worst nodes: backward vs numeric, relative error, band."""
        t = self._theme
        names = self._names
        head = ("<tr><th>node</th><th>gate</th><th>backward</th><th>numeric</th><th>relative error</th>"
                "<th>band</th></tr>")
        rows = []
        for c in self.worst(self._rows):
            i = self._index[id(c.node)]
            colour, symbol, _, _ = BANDS[c.band]
            rows.append(
                f"<tr><td><b>{escape(names[i])}</b></td><td>{escape(c.node._op or 'input')}</td>"
                f"<td style='color:{t.grad}'>{escape(_num(c.analytic))}</td>"
                f"<td>{escape(_num(c.numeric))}</td>"
                f"<td>{c.rel_error:.2e}</td>"
                f"<td style='border-left:6px solid {colour}'>{symbol} {escape(c.band)}</td></tr>"
            )
        style = (f"border-collapse:collapse;font-size:14px;color:{t.text};background:{t.background}")
        cell = "padding:2px 10px;text-align:right"
        return (f"<style>.bp-check-table td,.bp-check-table th{{{cell}}}</style>"
                f"<div><b>The {len(rows)} worst nodes</b> (largest relative error first)</div>"
                f"<table style='{style}'>{head}{''.join(rows)}</table>")

    def _name(self, node: Any) -> str:
        return self._names[self._index[id(node)]]


def _flows(root: Any, index: dict[int, int]) -> list[Flow]:
    """The gradient each backward step passed along each wire (the engine's recorded contributions)."""
    copy, copies = clone(root)
    back = {id(copies[k]): i for k, i in index.items()}
    flows = []
    for step in backward_steps(copy):
        child = back[id(step.node)]
        for pos, c in enumerate(step.contributions):
            flows.append(Flow(back[id(c.parent)], child, pos, formatting.magnitude(c.value)))
    return flows


def _num(x: float) -> str:
    if not math.isfinite(x):
        return formatting.full(x)
    if x != 0 and (abs(x) < 1e-4 or abs(x) >= 1e6):
        return f"{x:.4e}"
    return f"{x:.6g}"


__all__ = ["BANDS", "FLOW", "Flow", "GradCheckView", "flow_style"]
