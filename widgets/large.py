"""Large graphs: fold a graph of tens of thousands of nodes into a few boxes, expand them, focus on a path.

A drawing of every node of micrograd's demo (a 2-16-16-1 MLP on 100 points: about 65,000 nodes)
would keep graphviz busy for many minutes. `Overview` draws the same graph folded, as a student
reads it: each call of an `nn` module (or a `stage`) is one box; repeated parts (100 calls of the
model, 100 hinge terms, 337 squared weights) are stacked into one box "x 100" (the way TensorBoard
folds a series); a long sum is one box; the parameters of a module are one box. A box can be
expanded (a model into its layers, a layer into its neurons, a neuron into its gates), and
`focus=node` keeps only the nodes on the paths from the output to that node.

Folding walks the graph once (no layout, no gradient); graphviz then lays out only the boxes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any

import ipywidgets as w

from autograd_core import graph
from autograd_core.graph import path_nodes, topological_order
from autograd_core.node import is_constant, stage_of

from . import budget, formatting
from .names import node_names
from .plan import check_root, gate_symbol
from .render import INSTALL_HELP, GraphvizNotFound, svg_from_dot
from .themes import Theme, check_direction, get_theme

STACK_MIN = 4  # this many parallel copies of the same part are drawn as one stacked box
MAX_BOXES = 150  # graphviz lays out this many boxes in well under a second


@dataclass
class Box:
    """One drawn box of a folded graph: a node, a module call, a stack of repeated parts, a sum, ..."""

    id: int
    kind: str  # "node", "input", "module", "params", "sum", or "stack" (of any of these)
    title: str
    members: int  # how many graph nodes it stands for
    copies: int = 1  # > 1 for a stack
    expandable: Any = None  # the module or stage name that expand() takes to open this box, if any
    value: Any = None  # a single node's value
    grad: Any = None
    note: str = ""


@dataclass
class Wire:
    """`count` graph edges from box `source` into box `target`."""

    source: int
    target: int
    count: int


@dataclass
class Folded:
    """A graph folded into boxes: what to draw, and how each graph node maps to a box."""

    boxes: list[Box]
    wires: list[Wire]
    nodes: int  # graph nodes represented (constants included)
    box_of: dict[int, int] = field(repr=False)  # id(graph node) -> box id
    expandable: dict[str, Any] = field(default_factory=dict)  # a name for each thing expand() takes
    focus: str | None = None


# ----- focusing on a path: the engine's graph.focus ---------------------------------------------
def focus_graph(root: Any, target: Any) -> tuple[Any, dict[int, Any]]:
    """A copy of only the paths from `target` to `root` (`autograd_core.graph.focus`)."""
    check_root(root, "focus")
    return graph.focus(root, target)


# ----- folding ---------------------------------------------------------------------------------
def fold(root: Any, expand: Iterable[Any] = (), focus: Any = None) -> Folded:
    """Fold `root`'s graph into boxes (see the module's docstring). No layout, no gradient computed.

    expand: modules (or stage names) whose calls are drawn opened, one level deeper.
    focus: a node; only the paths from it to `root` are folded and drawn.
    """
    check_root(root, "fold")
    order = topological_order(root)
    if focus is not None:
        order = path_nodes(root, focus, order)
    opened = {_key(x) for x in expand}
    names = node_names(order)
    index = {id(n): i for i, n in enumerate(order)}
    uses = [0] * len(order)
    first_user: list[Any] = [None] * len(order)
    for node in order:
        for p in node._prev:
            k = index.get(id(p))
            if k is not None:
                uses[k] += 1
                if first_user[k] is None:
                    first_user[k] = node

    visible: dict[int, Any] = {}  # id(stage) -> the stage drawn for its nodes (None: drawn as nodes)

    def shown_stage(stage: Any) -> Any:
        if stage is None:
            return None
        found = visible.get(id(stage), False)
        if found is not False:
            return found
        chain = []
        s = stage
        while s is not None:
            chain.append(s)
            s = s.parent
        shown = None
        for s in reversed(chain):  # outermost first: the first one not opened is drawn as a box
            if _key(s.owner if s.owner is not None else s.name) not in opened:
                shown = s
                break
        visible[id(stage)] = shown
        return shown

    # 1. atoms: each node joins a module call, a parameter group, a sum chain, or stays itself
    atom_of: list[int] = [-1] * len(order)
    atoms: list[dict] = []
    by_key: dict[Any, int] = {}
    owner_params: dict[int, set[int]] = {}

    def atom(key: Any, kind: str, **info: Any) -> int:
        a = by_key.get(key)
        if a is None:
            a = len(atoms)
            by_key[key] = a
            atoms.append({"kind": kind, "members": 0, "first": None, **info})
        return a

    def params_of(owner: Any) -> set[int]:
        found = owner_params.get(id(owner))
        if found is None:
            try:
                found = {id(p) for p in owner.parameters()}
            except Exception:  # an owner without parameters()
                found = set()
            owner_params[id(owner)] = found
        return found

    for i, node in enumerate(order):
        if is_constant(node) and not node._prev:
            continue  # constants are folded into whatever uses them
        stage = shown_stage(stage_of(node))
        if stage is not None:
            a = atom(("stage", id(stage)), "module", stage=stage)
        elif not node._prev:
            # a module's parameter joins its module's parameter box (the module of its first user)
            user = first_user[i]
            owner = getattr(shown_stage(stage_of(user)), "owner", None)
            if owner is not None and id(node) in params_of(owner):
                a = atom(("params", id(owner)), "params", owner=owner)
            else:
                a = atom(("node", id(node)), "input", node=i)
        else:
            chain = _chain_parent(node, index, uses, atom_of, atoms) if node._op == "+" else None
            if chain is not None:
                a = chain
                atoms[a]["kind"] = "sum"
                atoms[a]["terms"] = atoms[a].get("terms", 2) + 1
            else:
                a = atom(("node", id(node)), "node", node=i, op=node._op)
        atom_of[i] = a
        atoms[a]["members"] += 1
        if atoms[a]["first"] is None:
            atoms[a]["first"] = i
        atoms[a]["last"] = i
    for a in atoms:
        if a["kind"] == "node" and a.get("op") == "+":
            a["terms"] = 2

    # 2. wires between atoms (constants give none)
    links: dict[tuple[int, int], int] = {}
    inputs_of: list[set[int]] = [set() for _ in atoms]
    incoming = [0] * len(atoms)
    for i, node in enumerate(order):
        t = atom_of[i]
        if t < 0:
            continue
        for p in node._prev:
            k = index.get(id(p))
            if k is None or atom_of[k] < 0 or atom_of[k] == t:
                continue
            s = atom_of[k]
            links[(s, t)] = links.get((s, t), 0) + 1
            inputs_of[t].add(s)
            incoming[t] += 1
    for a, info in enumerate(atoms):
        if info["kind"] == "sum":
            info["terms"] = incoming[a]

    # 3. signatures: atoms built the same way from the same kinds of inputs are parallel copies
    interned: dict[tuple, int] = {}
    signature = [0] * len(atoms)
    for a in sorted(range(len(atoms)), key=lambda k: atoms[k]["last"]):
        info = atoms[a]
        if info["kind"] == "module":
            s = info["stage"]
            base: tuple = ("module", s.name, id(s.owner) if s.owner is not None else None)
        elif info["kind"] == "params":
            base = ("params", id(info["owner"]))
        elif info["kind"] == "input":
            base = ("input",)
        elif info["kind"] == "sum":
            base = ("sum",)
        else:
            base = ("node", info["op"])
        sig = (base, tuple(sorted({signature[s] for s in inputs_of[a]})))
        signature[a] = interned.setdefault(sig, len(interned) + 1)

    # 4. stacks: STACK_MIN or more atoms with one signature become one box (params never stack)
    groups: dict[int, list[int]] = {}
    for a, sig in enumerate(signature):
        if atoms[a]["kind"] != "params":
            groups.setdefault(sig, []).append(a)
    box_of_atom = [-1] * len(atoms)
    boxes: list[Box] = []
    expandable: dict[str, Any] = {}
    for a in sorted(range(len(atoms)), key=lambda k: atoms[k]["first"]):
        if box_of_atom[a] >= 0:
            continue
        group = groups.get(signature[a], [a])
        if len(group) < STACK_MIN:
            group = [a]
        box = _box(len(boxes), [atoms[g] for g in group], order, names)
        if box.expandable is not None and all(v is not box.expandable for v in expandable.values()):
            label, k = _label_of(box.expandable), 1
            while label in expandable:  # two layers of the same shape: "Layer(16, 16) #2"
                k += 1
                label = f"{_label_of(box.expandable)} #{k}"
            expandable[label] = box.expandable
        boxes.append(box)
        for g in group:
            box_of_atom[g] = box.id

    wires: dict[tuple[int, int], int] = {}
    for (s, t), n in links.items():
        key = (box_of_atom[s], box_of_atom[t])
        if key[0] != key[1]:
            wires[key] = wires.get(key, 0) + n
    box_of = {id(n): box_of_atom[atom_of[i]] for i, n in enumerate(order) if atom_of[i] >= 0}
    return Folded(boxes, [Wire(s, t, n) for (s, t), n in wires.items()], len(order), box_of, expandable,
                  _describe(focus) if focus is not None else None)


def _chain_parent(node: Any, index: dict[int, int], uses: list[int], atom_of: list[int],
                  atoms: list[dict]) -> int | None:
    """The sum this '+' continues: its first input is a '+' outside any module, used only here."""
    p = node._prev[0]
    k = index.get(id(p))
    if k is None or uses[k] != 1 or p._op != "+":
        return None
    a = atom_of[k]
    if a < 0 or atoms[a]["kind"] not in ("node", "sum") or atoms[a].get("op", "+") != "+":
        return None
    return a


def _box(bid: int, group: list[dict], order: list, names: list[str]) -> Box:
    first = group[0]
    kind = first["kind"]
    copies = len(group)
    members = sum(g["members"] for g in group)
    if kind == "module":
        stage = first["stage"]
        what = _module_name(stage)
        title = f"{what} (\u00d7{copies:,} calls)" if copies > 1 else what
        expandable = stage.owner if stage.owner is not None else stage.name
        return Box(bid, "stack" if copies > 1 else "module", title, members, copies, expandable,
                   note=f"{members:,} nodes")
    if kind == "params":
        owner = first["owner"]
        return Box(bid, "params", f"parameters of {_short(owner)}", members, 1, None,
                   note=f"{members:,} numbers")
    if kind == "sum":
        terms = first.get("terms", 2)
        title = f"\u03a3 of {terms:,} terms" + (f" (\u00d7{copies:,})" if copies > 1 else "")
        return Box(bid, "sum" if copies == 1 else "stack", title, members, copies, note=f"{members:,} nodes")
    if copies > 1:
        if kind == "input":
            return Box(bid, "stack", f"inputs (\u00d7{copies:,})", members, copies)
        symbol = gate_symbol(first["op"])
        return Box(bid, "stack", f"{symbol}  (\u00d7{copies:,})", members, copies, note="gates")
    i = first["node"]
    node = order[i]
    if kind == "input":
        return Box(bid, "input", names[i], 1, value=node.data, grad=node.grad)
    symbol = gate_symbol(node._op)
    # a made-up name (n65237) says nothing in a picture of 65,000 nodes: show the gate, and the label if any
    title = f"{node.label} = {symbol}" if node.label else (f"output = {symbol}" if i == len(order) - 1
                                                          else symbol)
    return Box(bid, "node", title, 1, value=node.data, grad=node.grad)


def _module_name(stage: Any) -> str:
    return _short(stage.owner) if stage.owner is not None else stage.name


def _short(owner: Any) -> str:
    text = repr(owner)
    return text if len(text) <= 32 else type(owner).__name__


def _key(x: Any) -> Any:
    return ("name", x) if isinstance(x, str) else ("owner", id(x))


def _label_of(x: Any) -> str:
    return x if isinstance(x, str) else _short(x)


def _describe(node: Any) -> str:
    label = getattr(node, "label", None)
    return repr(label) if label else f"the node {type(node).__name__}({getattr(node, 'data', '?')!r})"


# ----- drawing ---------------------------------------------------------------------------------
def folded_dot(folded: Folded, theme: Theme, direction: str = "LR", caption: str = "") -> str:
    """The DOT of a folded graph: a box per Box, a wire per Wire (labelled with its count)."""
    t = theme
    pw = t.penwidth
    lines = [
        "digraph folded {",
        f'  graph [rankdir={direction} bgcolor="{t.background}" pad="0.2" nodesep="0.3" ranksep="0.45" '
        f'fontname="{t.font}" fontsize={t.font_size:g} fontcolor="{t.text}" labelloc=t labeljust=l '
        f"label=<{escape(caption)}>]",
        f'  node [fontname="{t.font}" fontsize={t.font_size:g} fontcolor="{t.text}" color="{t.wire}" '
        f'penwidth={pw:g} shape=box style="rounded,filled" fillcolor="{t.gate_fill}" margin="0.12,0.06"]',
        f'  edge [color="{t.wire}" penwidth={pw:g} arrowsize=0.7 fontname="{t.font}" '
        f'fontsize={t.font_size * 0.75:g} fontcolor="{t.wire}"]',
    ]
    for b in folded.boxes:
        rows = [f"<B>{escape(b.title)}</B>"]
        if b.value is not None:
            rows.append(f'<FONT COLOR="{t.value}">{escape(formatting.short(b.value, 4))}</FONT>')
        if b.note:
            rows.append(f'<FONT COLOR="{t.wire}" POINT-SIZE="{t.font_size * 0.75:g}">{escape(b.note)}</FONT>')
        if b.expandable is not None:
            rows.append(f'<FONT COLOR="{t.stage}" POINT-SIZE="{t.font_size * 0.7:g}">'
                        f"\u25b8 expand: {escape(_label_of(b.expandable))}</FONT>")
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


def caption_of(folded: Folded, reason: str = "") -> str:
    text = f"{folded.nodes:,} nodes folded into {len(folded.boxes)} boxes"
    if folded.focus:
        text += f" (only the paths from the output to {folded.focus})"
    return f"{reason}{text}"


def check_boxes(folded: Folded) -> None:
    """Refuse to lay out a folding that is still too large, naming what to do instead."""
    if len(folded.boxes) > MAX_BOXES:
        raise budget.GraphTooLarge(
            f"even folded, this graph makes {len(folded.boxes)} boxes (more than {MAX_BOXES}): open fewer "
            "modules (expand=...), or focus on the path from the output to one node, e.g. "
            "Overview(loss, focus=model.parameters()[0])"
        )


def folded_drawing(root: Any, *, focus: Any = None, theme: Theme | str = "light", direction: str = "LR",
                   expand: Iterable[Any] = ()) -> Any:
    """`draw()` of a graph over the budget: the folded boxes as a graphviz drawing, saying why."""
    from .draw import Drawing

    folded = fold(root, expand, focus)
    check_boxes(folded)
    reason = (f"Too many nodes to draw one by one (the budget is {budget.MAX_NODES:,} nodes, "
              f"{budget.MAX_EDGES:,} wires), so: ")
    caption = caption_of(folded, reason) + ". widgets.Overview(...) opens the boxes."
    lines = folded_dot(folded, get_theme(theme), direction, caption).splitlines(keepends=True)
    return Drawing(name="folded", body=lines[1:-1])


class Overview(w.VBox):
    """A large graph folded into boxes that you can open: modules, repeated parts, long sums.

        Overview(loss)                         # micrograd's demo: 65,000 nodes in about a dozen boxes
        Overview(loss, expand=[model])         # the model opened into its layers
        Overview(loss, focus=model.layers[0].neurons[0].w[0])   # only the paths through one weight

    Pick a box in the list and press "expand" to open it one level (a model into layers, a layer
    into neurons, a neuron into gates); "fold all" closes everything again.
    """

    def __init__(self, root: Any, *, expand: Iterable[Any] = (), focus: Any = None, theme: str = "light",
                 direction: str = "LR") -> None:
        check_root(root, "Overview")
        self._theme = get_theme(theme)
        self._direction = check_direction(direction)
        self.root = root
        self.focus = focus
        self._expanded: list[Any] = list(expand)
        self.caption = w.HTML()
        self.caption.add_class("bp-phase")
        self.view = w.HTML(layout=w.Layout(overflow="auto", width="100%"))
        self.view.add_class("bp-view")
        self.choice = w.Dropdown(options=[], description="box:", layout=w.Layout(width="360px"))
        self.choice.add_class("bp-expand-choice")
        self.expand_button = w.Button(description="expand", icon="expand", layout=w.Layout(width="auto"))
        self.expand_button.add_class("bp-expand")
        self.expand_button.on_click(lambda _b: self.expand(self.choice.value))
        self.fold_button = w.Button(description="fold all", icon="compress", layout=w.Layout(width="auto"))
        self.fold_button.add_class("bp-fold")
        self.fold_button.on_click(lambda _b: self.fold_all())
        controls = w.HBox([self.choice, self.expand_button, self.fold_button])
        super().__init__(children=[self.caption, controls, self.view])
        self.add_class("bp-overview")
        self.refresh()

    @property
    def expanded(self) -> list[Any]:
        return list(self._expanded)

    def expand(self, what: Any) -> None:
        """Open a module (or stage name) one level: its calls are drawn as their parts."""
        if what is None:
            return
        if isinstance(what, str) and what in self.folded.expandable:
            what = self.folded.expandable[what]
        if all(_key(x) != _key(what) for x in self._expanded):
            self._expanded.append(what)
        self.refresh()

    def fold_all(self) -> None:
        self._expanded = []
        self.refresh()

    def refresh(self) -> None:
        self.folded = fold(self.root, self._expanded, self.focus)
        check_boxes(self.folded)
        self.caption.value = f"<b>{escape(caption_of(self.folded))}</b>"
        self.choice.options = [(name, name) for name in self.folded.expandable]
        self.expand_button.disabled = not self.folded.expandable
        try:
            self.svg = svg_from_dot(folded_dot(self.folded, self._theme, self._direction))
        except GraphvizNotFound:
            self.svg = ""
            self.view.value = f"<pre style='white-space:pre-wrap'>{escape(INSTALL_HELP)}</pre>"
            return
        self.view.value = _fit(self.svg)

    @property
    def boxes(self) -> list[Box]:
        return self.folded.boxes


def _fit(svg: str) -> str:
    import re

    svg = svg[svg.find("<svg"):]
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg style="max-width:100%;height:auto"', svg,
                  count=1)
