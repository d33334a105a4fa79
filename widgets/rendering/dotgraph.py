"""The DOT we write: a graph's gates as circles, values above the wires and gradients below (or boxes), and a
folded graph's boxes; every DOT opens with the same theme defaults."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Sequence
from html import escape as html_escape
from typing import Any

from autograd_core.node import is_constant

from ..planning import formatting
from ..planning.folding import Folded, label_of
from ..planning.plan import Cluster, Plan
from .themes import Theme

# Where wires enter and leave a value's table, for each drawing direction.
PORTS = {"LR": ("w", "e"), "RL": ("e", "w"), "TB": ("n", "s"), "BT": ("s", "n")}
MARK = "\u26a0"  # the warning sign next to a node that draw(highlight=...) points at


def printable(text: str, keep: str = "\n") -> str:
    """`text` as it can be drawn: a control character shown as its escape (`a\\x00b`), a lone
    surrogate (half of a character, which no file can hold) as the replacement character U+FFFD.

    Graphviz and XML refuse both (graphviz fails with a syntax error), and a label is the student's
    own text, so it is drawn rather than refused. The characters in `keep` stay (line breaks split a label).
    """
    if text.isprintable() or all(ch in keep or ch.isprintable() for ch in text):
        return text
    out = []
    for ch in text:
        if ch in keep or ch.isprintable() or ch == " ":
            out.append(ch)
        elif "\ud800" <= ch <= "\udfff":
            out.append("\ufffd")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn"):
            out.append(repr(ch)[1:-1] if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


def escape(text: str) -> str:
    """Text for a graphviz HTML label: printable, then with &, < and > escaped."""
    return html_escape(printable(text))


def defaults(theme: Theme, direction: str, *, pad: float = 0.15, nodesep: float = 0.25,
             ranksep: float = 0.3, arrowsize: float | None = None, graph: str = "", node: str = "",
             edge: str = "") -> list[str]:
    """The opening statements of every DOT we write: the theme's background, font and wires, the
    direction and spacing; `graph`, `node` and `edge` add attributes of a drawing's own."""
    pw = theme.penwidth
    arrow = 0.5 + 0.1 * pw if arrowsize is None else arrowsize

    def more(attrs: str) -> str:
        return f" {attrs}" if attrs else ""

    return [
        f'  graph [rankdir={direction} bgcolor="{theme.background}" pad="{pad:g}" nodesep="{nodesep:g}" '
        f'ranksep="{ranksep:g}" fontname="{theme.font}" fontsize={theme.label_size:g}{more(graph)}]',
        f'  node [fontname="{theme.font}" fontsize={theme.font_size:g} fontcolor="{theme.text}" '
        f'color="{theme.wire}" penwidth={pw:g}{more(node)}]',
        f'  edge [color="{theme.wire}" penwidth={pw:g} arrowsize={arrow:.2f}{more(edge)}]',
    ]


def dot_source(plan: Plan, theme: Theme, direction: str, values: Sequence[str], grads: Sequence[str],
               **options: Any) -> str:
    """The whole DOT text of `dot_body` (same arguments), as a graph named `backprop`."""
    body = dot_body(plan, theme, direction, values, grads, **options)
    return "digraph backprop {\n" + "".join(body) + "}\n"


def dot_body(
    plan: Plan,
    theme: Theme,
    direction: str,
    values: Sequence[str],
    grads: Sequence[str],
    *,
    slots: bool,
    marked: Collection[int] = (),
) -> list[str]:
    """The statements inside `digraph { ... }`, one per line (each ending in a newline): node i's two
    cells hold `values[i]` and `grads[i]`.

    With `slots=True` the cells (and each node's table) get ids (`v3`, `g3`, `t3`) so that the stepper
    can find their boxes in the SVG and put its own texts there (see layout.py).
    """
    lines = defaults(theme, direction)
    drawer = _Drawer(plan, theme, direction, values, grads, slots, set(marked))
    in_cluster = {i for c in _walk(plan.clusters) for i in c.nodes}
    for cluster in plan.clusters:
        lines.extend(drawer.cluster(cluster, "  "))
    for i in range(plan.size):
        if i not in in_cluster and i not in plan.folded:
            lines.extend(drawer.node(i, "  "))
    lines.extend(drawer.edges())
    return [line + "\n" for line in lines]


def _walk(clusters: list[Cluster]):
    for c in clusters:
        yield c
        yield from _walk(c.children)


class _Drawer:
    def __init__(self, plan, theme, direction, values, grads, slots, marked) -> None:
        self.plan, self.t, self.direction = plan, theme, direction
        self.values, self.grads, self.slots, self.marked = values, grads, slots, marked
        self.port_in, self.port_out = PORTS[direction]

    # ----- nodes ----------------------------------------------------------------------------
    def cluster(self, c: Cluster, indent: str) -> list[str]:
        t = self.t
        out = [
            f"{indent}subgraph cluster_{c.id} {{",
            f'{indent}  id="{c.id}" label=<{escape(c.name)}> style="dashed,rounded" color="{t.stage}" '
            f'fontcolor="{t.stage}" penwidth={t.penwidth:g} margin=10',
        ]
        for child in c.children:
            out.extend(self.cluster(child, indent + "  "))
        for i in c.nodes:
            out.extend(self.node(i, indent + "  "))
        out.append(f"{indent}}}")
        return out

    def node(self, i: int, indent: str) -> list[str]:
        p, t = self.plan, self.t
        out = []
        text = p.gate_text[i]
        if text is not None:
            marked = i in self.marked
            shape = "circle" if len(text) <= 2 else "ellipse"
            size = t.font_size / 72 * 1.9
            style = f'shape={shape} width={size:.2f} height={size:.2f} margin="0.04,0.02"'
            color = f'color="{t.mark}" penwidth={t.penwidth * 2.5:g} peripheries=2' if marked else ""
            out.append(
                f'{indent}g{i} [id="g{i}" {style} style=filled fillcolor="{t.gate_fill}" {color} '
                f"label=<{escape(text)}>]"
            )
        if p.style == "circuit":
            table = self.circuit_table(i)
        elif p.style == "boxes":
            table = self.stacked_table(i)
        else:
            table = self.box_table(i)
        out.append(f'{indent}n{i} [id="n{i}" shape=plain label=<{table}>]')
        return out

    def edges(self) -> list[str]:
        p = self.plan
        out = []
        for e in p.edges:
            t = self.t
            count = (f' label="\u00d7{e.count:,}" fontname="{t.font}" fontsize={t.font_size * 0.75:g} '
                     f'fontcolor="{t.wire}"' if e.count > 1 else "")
            if p.style == "circuit":
                out.append(f'  n{e.parent}:wire:{self.port_out} -> g{e.child} [id="{e.id}"{count}]')
            elif p.gate_text[e.child] is None:  # a box without a gate (a folded view): box to box
                out.append(f'  n{e.parent} -> n{e.child} [id="{e.id}"{count}]')
            else:
                out.append(f'  n{e.parent} -> g{e.child} [id="{e.id}"{count}]')
        for i, text in enumerate(p.gate_text):
            if text is None:
                continue
            head = f"n{i}:wire:{self.port_in}" if p.style == "circuit" else f"n{i}"
            out.append(f'  g{i} -> {head} [id="o{i}" arrowhead=none]')
        return out

    # ----- the cells ------------------------------------------------------------------------
    def name_cell(self, i: int) -> str:
        p, t = self.plan, self.t
        node = p.order[i]
        name = escape(p.names[i])
        if i in self.marked:
            name = f'<FONT COLOR="{t.mark}">{MARK}</FONT> {name}'
        generated = not getattr(node, "label", None) and not is_constant(node)
        # A made-up name is lighter (it is only there to be referred to) and a shape is plain, both at the
        # theme's size: the smallest text decides how far a wide picture may shrink to fit its cell.
        name = f'<FONT COLOR="{t.wire}">{name}</FONT>' if generated else f"<B>{name}</B>"
        shape = formatting.shape_of(node.data)
        if shape:
            name += f' <FONT COLOR="{t.wire}">{escape(shape)}</FONT>'
        return name

    def slot(self, kind: str, i: int, text: str, colour: str, italic: bool) -> str:
        t = self.t
        if not text:  # nothing to show (a tensor without gradient): graphviz refuses empty <I></I>
            attrs = f' ID="{kind}{i}" HREF="#" BGCOLOR="{t.background}"' if self.slots else ""
            return f"<TD{attrs}> </TD>"
        body = "<BR/>".join(escape(line) for line in text.split("\n"))
        if t.bold_numbers:
            body = f"<B>{body}</B>"
        if italic:
            body = f"<I>{body}</I>"
        body = f'<FONT COLOR="{colour}">{body}</FONT>'
        attrs = f' ID="{kind}{i}" HREF="#" BGCOLOR="{t.background}"' if self.slots else ""
        return f"<TD{attrs}>{body}</TD>"

    def table_id(self, i: int, fill: str = "transparent") -> str:
        """With slots, the node's table gets an id (`t3`): graphviz then writes its box, which the layout
        records as the node's box (layout.py), so nothing has to guess how wide a node is drawn."""
        return f' ID="t{i}" HREF="#" BGCOLOR="{fill}"' if self.slots else ""

    def circuit_table(self, i: int) -> str:
        t = self.t
        value = self.slot("v", i, self.values[i], t.value, False)
        grad = self.slot("g", i, self.grads[i], t.grad, True)
        border = f' BORDER="2" COLOR="{t.mark}"' if i in self.marked else ' BORDER="0"'
        pad = 1 + round(t.penwidth)  # room between a number and the (possibly highlighted, thicker) wire
        head = f'<TABLE{border}{self.table_id(i)} CELLBORDER="0" CELLSPACING="0" CELLPADDING="{pad}">'
        wire_w = max(1, round(self.t.penwidth))
        if self.direction in ("LR", "RL"):
            wire = (
                f'<TD COLSPAN="2" PORT="wire" SIDES="B" BORDER="{wire_w}" COLOR="{t.wire}" '
                f'HEIGHT="1" CELLPADDING="0"></TD>'
            )
            return (
                f"{head}<TR><TD ALIGN=\"LEFT\">{self.name_cell(i)}</TD>{value}</TR>"
                f"<TR>{wire}</TR><TR><TD></TD>{grad}</TR></TABLE>"
            )
        wire = (
            f'<TD PORT="wire" SIDES="L" BORDER="{wire_w}" COLOR="{t.wire}" WIDTH="1" '
            f'CELLPADDING="0"></TD>'
        )
        return f"{head}<TR><TD>{self.name_cell(i)}</TD>{value}{wire}{grad}</TR></TABLE>"

    def box_open(self, i: int, padding: int) -> str:
        """The table of a boxed node: bordered, thick and in the mark colour when it is highlighted."""
        t = self.t
        colour = t.mark if i in self.marked else t.text
        border = "3" if i in self.marked else "1"
        fill = self.table_id(i, t.background) or f' BGCOLOR="{t.background}"'
        return (f'<TABLE BORDER="{border}" COLOR="{colour}" CELLBORDER="0" CELLSPACING="0" '
                f'CELLPADDING="{padding}"{fill}>')

    def stacked_table(self, i: int) -> str:
        """A folded view's box: its title above its data and its gradient (narrow, for a notebook cell)."""
        t = self.t
        value = self.slot("v", i, self.values[i], t.value, False)
        grad = self.slot("g", i, self.grads[i], t.grad, True)
        return (
            f'{self.box_open(i, 3)}<TR><TD COLSPAN="2">{self.name_cell(i)}</TD></TR>'
            f'<TR><TD ALIGN="RIGHT"><FONT COLOR="{t.wire}">data</FONT></TD>{value}</TR>'
            f'<TR><TD ALIGN="RIGHT"><FONT COLOR="{t.wire}"><I>grad</I></FONT></TD>{grad}</TR></TABLE>'
        )

    def box_table(self, i: int) -> str:
        """micrograd's box: name | data | grad in one row."""
        t = self.t
        value = self.slot("v", i, self.values[i], t.value, False)
        grad = self.slot("g", i, self.grads[i], t.grad, True)
        sep = f'<TD SIDES="L" BORDER="1" COLOR="{t.text}">'
        return (
            f'{self.box_open(i, 4)}<TR><TD>{self.name_cell(i)}</TD>'
            f'{sep}<FONT COLOR="{t.wire}">data</FONT></TD>{value}'
            f'{sep}<FONT COLOR="{t.wire}"><I>grad</I></FONT></TD>{grad}</TR></TABLE>'
        )


def folded_dot(folded: Folded, theme: Theme, direction: str = "LR", caption: str = "") -> str:
    """The DOT of a folded graph: a box per Box, a wire per Wire (labelled with its count)."""
    t = theme
    pw = t.penwidth
    lines = ["digraph folded {", *defaults(
        t, direction, pad=0.2, nodesep=0.3, ranksep=0.45, arrowsize=0.7,
        graph=f"fontcolor=\"{t.text}\" labelloc=t labeljust=l label=<{escape(caption)}>",
        node=f'shape=box style="rounded,filled" fillcolor="{t.gate_fill}" margin="0.12,0.06"',
        edge=f'fontname="{t.font}" fontsize={t.font_size * 0.75:g} fontcolor="{t.wire}"')]
    for b in folded.boxes:
        rows = [f"<B>{escape(b.title)}</B>"]
        if b.value is not None:
            rows.append(f'<FONT COLOR="{t.value}">{escape(formatting.short(b.value, 4))}</FONT>')
        if b.note:
            rows.append(f'<FONT COLOR="{t.wire}" POINT-SIZE="{t.font_size * 0.75:g}">{escape(b.note)}</FONT>')
        if b.expandable is not None:
            rows.append(f'<FONT COLOR="{t.stage}" POINT-SIZE="{t.font_size * 0.7:g}">'
                        f"\u25b8 expand: {escape(label_of(b.expandable))}</FONT>")
        label = "<BR/>".join(rows)
        attrs = ""
        if b.kind == "stack":
            attrs = " peripheries=3"  # a pile of copies
        elif b.kind in ("module", "sum"):
            attrs = f' color="{t.stage}" penwidth={pw * 1.5:g}'
        elif b.kind == "params":
            attrs = f' fillcolor="{t.background}" color="{t.value}"'
        elif b.kind == "input":
            attrs = f' fillcolor="{t.background}"'
        lines.append(f'  b{b.id} [id="b{b.id}" label=<{label}>{attrs}]')
    for wire in folded.wires:
        label = f' label="\u00d7{wire.count:,}"' if wire.count > 1 else ""
        width = pw * (1 + 0.35 * math.log10(wire.count))
        lines.append(f'  b{wire.source} -> b{wire.target} [penwidth={width:.2f}{label}]')
    lines.append("}")
    return "\n".join(lines) + "\n"
