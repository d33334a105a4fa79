"""Large graphs folded: tens of thousands of nodes into a few boxes, opened a level at a time, or focused.

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
from typing import Any

from autograd_core import graph
from autograd_core.graph import path_nodes, topological_order
from autograd_core.node import is_constant, stage_of, symbol_of

from .names import node_names
from .plan import check_root

STACK_MIN = 4  # this many parallel copies of the same part are drawn as one stacked box
MAX_BOXES = 150  # graphviz lays out this many boxes in well under a second


@dataclass
class Box:
    """One drawn box of a folded graph: a node, a module call, a stack of repeated parts, a sum, ..."""

    id: int
    kind: str  # "node", "input", "module", "params", "sum", "chain", "band", or "stack" (of several)
    title: str
    members: int  # how many graph nodes it stands for
    copies: int = 1  # > 1 for a stack
    expandable: Any = None  # the module or stage name that expand() takes to open this box, if any
    value: Any = None  # a single node's value
    grad: Any = None
    note: str = ""
    node: Any = field(default=None, repr=False)  # the graph node, for a box of one node
    first: int = field(default=-1, repr=False)  # its first and last member in topological order
    last: int = field(default=-1, repr=False)


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
CHAIN_MIN = 6  # a run of this many gates, one feeding the next and nothing else, is drawn as one box
MAX_BANDS = 24  # a graph with no structure to fold by is cut into this many parts, in computing order


@dataclass
class _Graph:
    """What folding needs to know about the graph, read once: order, who uses whom, what is opened."""

    order: list
    index: dict[int, int]
    uses: list[int]
    first_user: list[Any]
    names: list[str]
    opened: set


@dataclass
class _Atom:
    """A group of nodes that is never split: a module call, a parameter group, a sum, a chain, a node."""

    kind: str  # "module", "params", "sum", "chain", "input" or "node"
    members: int = 0
    first: int = -1
    last: int = -1
    info: dict = field(default_factory=dict)  # stage / owner / node / op / terms / ops


def fold(root: Any, expand: Iterable[Any] = (), focus: Any = None) -> Folded:
    """Fold `root`'s graph into boxes (see the module's docstring). No layout, no gradient computed.

    expand: modules (or stage names) whose calls are drawn opened, one level deeper.
    focus: a node; only the paths from it to `root` are folded and drawn.
    Four phases: nodes into atoms (module calls, parameter groups, sums, chains); wires between
    atoms; atoms of the same shape stacked into boxes; and, for a graph with no such structure,
    boxes cut into at most MAX_BANDS parts in computing order, so a folding never has too many boxes.
    """
    check_root(root, "fold")
    g = _read_graph(root, expand, focus)
    atoms, atom_of = _atoms(g)
    links, inputs_of = _links(g, atoms, atom_of)
    boxes, box_of_atom, expandable = _stacks(g, atoms, inputs_of)
    banded = len(boxes) > MAX_BOXES
    if banded:
        boxes, box_of_atom = _bands(g, atoms, atom_of, boxes, box_of_atom)
    wires: dict[tuple[int, int], int] = {}
    for (s, t), n in links.items():
        key = (box_of_atom[s], box_of_atom[t])
        if key[0] != key[1]:
            wires[key] = wires.get(key, 0) + n
    if banded:
        wires = _main_wires(wires, boxes)
    box_of = {id(n): box_of_atom[atom_of[i]] for i, n in enumerate(g.order) if atom_of[i] >= 0}
    return Folded(boxes, [Wire(s, t, n) for (s, t), n in wires.items()], len(g.order), box_of, expandable,
                  _describe(focus) if focus is not None else None)


def _read_graph(root: Any, expand: Iterable[Any], focus: Any) -> _Graph:
    order = topological_order(root)
    if focus is not None:
        order = path_nodes(root, focus, order)
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
    return _Graph(order, index, uses, first_user, node_names(order), {identity_key(x) for x in expand})


def _atoms(g: _Graph) -> tuple[list[_Atom], list[int]]:
    """Phase 1: each node joins a module call, a parameter group, a sum, a chain, or stays itself."""
    order, index, uses = g.order, g.index, g.uses
    visible: dict[int, Any] = {}  # id(stage) -> the stage drawn for its nodes (None: drawn as nodes)

    def shown_stage(stage: Any) -> Any:
        if stage is None:
            return None
        found = visible.get(id(stage), False)
        if found is not False:
            return found
        chain, s = [], stage
        while s is not None:
            chain.append(s)
            s = s.parent
        shown = None
        for s in reversed(chain):  # outermost first: the first one not opened is drawn as a box
            if identity_key(s.owner if s.owner is not None else s.name) not in g.opened:
                shown = s
                break
        visible[id(stage)] = shown
        return shown

    owner_params: dict[int, set[int]] = {}

    def params_of(owner: Any) -> set[int]:
        found = owner_params.get(id(owner))
        if found is None:
            try:
                found = {id(p) for p in owner.parameters()}
            except Exception:  # an owner without parameters()
                found = set()
            owner_params[id(owner)] = found
        return found

    stage_shown = [shown_stage(stage_of(n)) for n in order]
    runs = _chain_runs(g, stage_shown)
    atom_of = [-1] * len(order)
    atoms: list[_Atom] = []
    by_key: dict[Any, int] = {}

    def atom(key: Any, kind: str, **info: Any) -> int:
        a = by_key.get(key)
        if a is None:
            a = by_key[key] = len(atoms)
            atoms.append(_Atom(kind, info=info))
        return a

    for i, node in enumerate(order):
        if is_constant(node) and not node._prev:
            continue  # constants are folded into whatever uses them
        stage = stage_shown[i]
        if stage is not None:
            a = atom(("stage", id(stage)), "module", stage=stage)
        elif not node._prev:
            # a module's parameter joins its module's parameter box (the module of its first user)
            user = g.first_user[i]
            owner = getattr(shown_stage(stage_of(user)) if user is not None else None, "owner", None)
            if owner is not None and id(node) in params_of(owner):
                a = atom(("params", id(owner)), "params", owner=owner)
            else:
                a = atom(("node", id(node)), "input", node=i)
        elif runs[i] is not None:
            a = atom(("chain", runs[i]), "chain", ops=[])
            atoms[a].info["ops"].append(symbol_of(node))
        else:
            sum_of = _sum_parent(node, index, uses, atom_of, atoms) if node._op == "+" else None
            if sum_of is not None:
                a = sum_of
                atoms[a].kind = "sum"
            else:
                a = atom(("node", id(node)), "node", node=i, op=node._op)
        atom_of[i] = a
        at = atoms[a]
        at.members += 1
        if at.first < 0:
            at.first = i
        at.last = i
    return atoms, atom_of


def _chain_runs(g: _Graph, stage_shown: list[Any]) -> list[int | None]:
    """For each node, the long chain it belongs to (None if none): gates one after the other, each
    with one input that is not a constant, the gate before it, used by nothing else (y = y*1.0001 + 0)."""
    order, index, uses = g.order, g.index, g.uses
    run: list[int | None] = [None] * len(order)
    length: dict[int, int] = {}
    for i, node in enumerate(order):
        if not node._prev or stage_shown[i] is not None:
            continue
        feeds = [p for p in node._prev if not is_constant(p)]
        if len(feeds) != 1:
            continue
        k = index.get(id(feeds[0]))
        if k is None or uses[k] != 1 or not order[k]._prev or stage_shown[k] is not None:
            continue
        if run[k] is None:  # a new run starts at its first gate
            run[k], length[k] = k, 1
        run[i] = run[k]
        length[run[i]] += 1
    return [r if r is not None and length[r] >= CHAIN_MIN else None for r in run]


def _links(g: _Graph, atoms: list[_Atom], atom_of: list[int]) -> tuple[dict, list[set[int]]]:
    """Phase 2: wires between atoms (constants give none); a sum counts its terms."""
    links: dict[tuple[int, int], int] = {}
    inputs_of: list[set[int]] = [set() for _ in atoms]
    incoming = [0] * len(atoms)
    for i, node in enumerate(g.order):
        t = atom_of[i]
        if t < 0:
            continue
        for p in node._prev:
            k = g.index.get(id(p))
            if k is None or atom_of[k] < 0 or atom_of[k] == t:
                continue
            s = atom_of[k]
            links[(s, t)] = links.get((s, t), 0) + 1
            inputs_of[t].add(s)
            incoming[t] += 1
    for a, at in enumerate(atoms):
        if at.kind == "sum":
            at.info["terms"] = incoming[a]
        elif at.kind == "node" and at.info.get("op") == "+":
            at.info["terms"] = 2
    return links, inputs_of


def _stacks(g: _Graph, atoms: list[_Atom], inputs_of: list[set[int]]) -> tuple[list[Box], list[int], dict]:
    """Phase 3: atoms built the same way from the same kinds of inputs are parallel copies, drawn as
    one stacked box when there are STACK_MIN or more of them (parameter groups never stack)."""
    interned: dict[tuple, int] = {}
    signature = [0] * len(atoms)
    for a in sorted(range(len(atoms)), key=lambda k: atoms[k].last):
        at = atoms[a]
        if at.kind == "module":
            s = at.info["stage"]
            base: tuple = ("module", s.name, id(s.owner) if s.owner is not None else None)
        elif at.kind == "params":
            base = ("params", id(at.info["owner"]))
        elif at.kind == "chain":
            base = ("chain", tuple(at.info["ops"]))
        elif at.kind in ("input", "sum"):
            base = (at.kind,)
        else:
            base = ("node", at.info["op"])
        sig = (base, tuple(sorted({signature[s] for s in inputs_of[a]})))
        signature[a] = interned.setdefault(sig, len(interned) + 1)

    groups: dict[int, list[int]] = {}
    for a, sig in enumerate(signature):
        if atoms[a].kind != "params":
            groups.setdefault(sig, []).append(a)
    box_of_atom = [-1] * len(atoms)
    boxes: list[Box] = []
    expandable: dict[str, Any] = {}
    for a in sorted(range(len(atoms)), key=lambda k: atoms[k].first):
        if box_of_atom[a] >= 0:
            continue
        group = groups.get(signature[a], [a])
        if len(group) < STACK_MIN:
            group = [a]
        box = _box(len(boxes), [atoms[k] for k in group], g.order, g.names)
        box.first, box.last = min(atoms[k].first for k in group), max(atoms[k].last for k in group)
        if box.expandable is not None and all(v is not box.expandable for v in expandable.values()):
            label, k = label_of(box.expandable), 1
            while label in expandable:  # two layers of the same shape: "Layer(16, 16) #2"
                k += 1
                label = f"{label_of(box.expandable)} #{k}"
            expandable[label] = box.expandable
        boxes.append(box)
        for k in group:
            box_of_atom[k] = box.id
    return boxes, box_of_atom, expandable


def _bands(g: _Graph, atoms: list[_Atom], atom_of: list[int], boxes: list[Box],
           box_of_atom: list[int]) -> tuple[list[Box], list[int]]:
    """Phase 4, for a graph with no structure to fold by (no modules, no repeated parts): boxes cut
    into at most MAX_BANDS parts by depth (the longest path from an input), so wires only go forward."""
    depth = [0] * len(g.order)
    for i, node in enumerate(g.order):
        for p in node._prev:
            k = g.index.get(id(p))
            if k is not None and depth[k] + 1 > depth[i]:
                depth[i] = depth[k] + 1
    box_depth = [0] * len(boxes)
    for i in range(len(g.order)):
        if atom_of[i] >= 0:
            b = box_of_atom[atom_of[i]]
            box_depth[b] = max(box_depth[b], depth[i])
    ranked = sorted(range(len(boxes)), key=lambda b: (box_depth[b], boxes[b].first))
    per_band = math.ceil(len(boxes) / MAX_BANDS)
    band_of = [0] * len(boxes)
    bands: list[list[int]] = []
    for k, b in enumerate(ranked):
        if k % per_band == 0:
            bands.append([])
        bands[-1].append(b)
        band_of[b] = len(bands) - 1
    merged = []
    for n, members in enumerate(bands):
        parts = [boxes[b] for b in members]
        count = sum(p.members for p in parts)
        ops = sorted({p.title.split("  ")[0] for p in parts if p.kind in ("node", "stack", "chain", "sum")})
        lo, hi = min(box_depth[b] for b in members), max(box_depth[b] for b in members)
        levels = f"depth {lo}" if lo == hi else f"depth {lo}\u2013{hi}"
        kinds = ", ".join(ops[:4]) + (", ..." if len(ops) > 4 else "")
        title = f"part {n + 1} of {len(bands)}: {levels}"
        box = Box(n, "band", title, count, note=f"{count:,} nodes" + (f" ({kinds})" if kinds else ""))
        box.first, box.last = min(p.first for p in parts), max(p.last for p in parts)
        if len(parts) == 1:  # a part of one box keeps what it is
            box = parts[0]
            box.id = n
        merged.append(box)
    return merged, [band_of[b] if b >= 0 else -1 for b in box_of_atom]


def _main_wires(wires: dict[tuple[int, int], int], boxes: list[Box]) -> dict[tuple[int, int], int]:
    """Parts of a tangled graph read from many earlier parts: graphviz would take seconds to untangle
    every wire. Keep, into each part, the wire from the part before it and the busiest one; the
    part's note counts the rest."""
    into: dict[int, list[tuple[int, int]]] = {}
    for (s, t), n in wires.items():
        into.setdefault(t, []).append((s, n))
    kept: dict[tuple[int, int], int] = {}
    for t, sources in into.items():
        busiest = max(sources, key=lambda sn: sn[1])[0]
        for s, n in sources:
            if s == t - 1 or s == busiest:
                kept[(s, t)] = n
        others = len(sources) - sum(1 for s, _ in sources if (s, t) in kept)
        if others:
            boxes[t].note += f"; also reads {others:,} earlier part{'s' if others > 1 else ''}"
    return kept


def _sum_parent(node: Any, index: dict[int, int], uses: list[int], atom_of: list[int],
                atoms: list[_Atom]) -> int | None:
    """The sum this '+' continues: its first input is a '+' outside any module, used only here."""
    p = node._prev[0]
    k = index.get(id(p))
    if k is None or uses[k] != 1 or p._op != "+":
        return None
    a = atom_of[k]
    if a < 0 or atoms[a].kind not in ("node", "sum") or atoms[a].info.get("op", "+") != "+":
        return None
    return a


def _box(bid: int, group: list[_Atom], order: list, names: list[str]) -> Box:
    first = group[0]
    kind = first.kind
    copies = len(group)
    members = sum(a.members for a in group)
    times = f" (\u00d7{copies:,})" if copies > 1 else ""
    if kind == "module":
        stage = first.info["stage"]
        what = _module_name(stage)
        title = f"{what} (\u00d7{copies:,} calls)" if copies > 1 else what
        expandable = stage.owner if stage.owner is not None else stage.name
        return Box(bid, "stack" if copies > 1 else "module", title, members, copies, expandable,
                   note=f"{members:,} nodes")
    if kind == "params":
        owner = first.info["owner"]
        return Box(bid, "params", f"parameters of {_short(owner)}", members, 1, None,
                   note=f"{members:,} numbers")
    if kind == "sum":
        terms = first.info.get("terms", 2)
        return Box(bid, "sum" if copies == 1 else "stack", f"\u03a3 of {terms:,} terms{times}", members,
                   copies, note=f"{members:,} nodes")
    if kind == "chain":
        return Box(bid, "chain" if copies == 1 else "stack", _chain_title(first.info["ops"]) + times, members,
                   copies, note=f"{members:,} gates in a row")
    if copies > 1:
        if kind == "input":
            return Box(bid, "stack", f"inputs (\u00d7{copies:,})", members, copies)
        symbol = symbol_of(order[first.info["node"]])
        return Box(bid, "stack", f"{symbol}  (\u00d7{copies:,})", members, copies, note="gates")
    i = first.info["node"]
    node = order[i]
    if kind == "input":
        return Box(bid, "input", names[i], 1, value=node.data, grad=node.grad, node=node)
    symbol = symbol_of(node)
    # a made-up name (n65237) says nothing in a picture of 65,000 nodes: show the gate, and the label if any
    title = f"{node.label} = {symbol}" if node.label else (f"output = {symbol}" if i == len(order) - 1
                                                          else symbol)
    return Box(bid, "node", title, 1, value=node.data, grad=node.grad, node=node)


def _chain_title(symbols: list[str]) -> str:
    """`(×, +) ×1,500` for a chain that repeats × then + 1,500 times; else its gates' count."""
    for period in range(1, min(8, len(symbols) // 2) + 1):
        if all(symbols[k] == symbols[k % period] for k in range(len(symbols))) and len(symbols) % period == 0:
            unit = symbols[:period]
            inner = unit[0] if period == 1 else "(" + ", ".join(unit) + ")"
            return f"chain: {inner} \u00d7{len(symbols) // period:,}"
    return f"chain of {len(symbols):,} gates"


def _module_name(stage: Any) -> str:
    return _short(stage.owner) if stage.owner is not None else stage.name


def _short(owner: Any) -> str:
    text = repr(owner)
    return text if len(text) <= 32 else type(owner).__name__


def identity_key(x: Any) -> Any:
    """What a box to expand is known by: its name, or the module object itself."""
    return ("name", x) if isinstance(x, str) else ("owner", id(x))


def label_of(x: Any) -> str:
    """How a box to expand is written: its name, or the module's short description."""
    return x if isinstance(x, str) else _short(x)


def _describe(node: Any) -> str:
    label = getattr(node, "label", None)
    return repr(label) if label else f"the node {type(node).__name__}({getattr(node, 'data', '?')!r})"


def caption_of(folded: Folded, reason: str = "") -> str:
    text = f"{folded.nodes:,} nodes folded into {len(folded.boxes)} boxes"
    if folded.focus:
        text += f" (only the paths from the output to {folded.focus})"
    return f"{reason}{text}"
