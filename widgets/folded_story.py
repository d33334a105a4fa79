"""A large graph's story box by box: its folded boxes (folding.fold) stepped forward, then backward.

A network of tens of thousands of nodes cannot be drawn gate by gate, but it can be stepped the way
a student reads it: forward, each box (a module call, a stack of repeated parts, a long sum, a
chain) computes its outputs; backward, the gradient arrives at each box, in reverse order, and
flows on to the boxes it came from. The numbers are the engine's own: the graph (a private copy)
has run its real backward pass, and a box shows what its outputs hold, summarised (a count, a
range, a norm) with the exact numbers in the narration where there are few.
The story is an ordinary `Story` (plan, frames, gradient updates), so the stepper's scene, its
controls and its exports work on it unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

from autograd_core.graph import topological_order

from . import formatting
from .folding import Box, Folded, fold
from .frames import Frame, GradUpdate, Timeline
from .narration import Narration, Piece, _lines, d, number
from .plan import Edge, Plan
from .story import Story


@dataclass(eq=False)
class BoxNode:
    """What the drawing shows for one box: a node-like record (its title as label, its input boxes)."""

    box: Box
    _prev: tuple
    label: str
    data: Any = None
    grad: Any = None
    _op: str = ""


@dataclass
class FoldedStory(Story):
    """A Story whose nodes are boxes; `anchors[i]` is a graph node inside box i (to keep the moment
    when boxes are opened) and `folded` the folding it was made from."""

    folded: Folded | None = None
    anchors: list | None = None


def tell_folded(graph: Any, twins: dict[int, Any], digits: int, expand: list,
                reason: str = "") -> FoldedStory:
    """The box-by-box story of `graph` (the user's: folded by its modules and their parameters),
    with the gradients of `twins` ({id(node): its copy}, a copy whose backward pass has run)."""
    folded = fold(graph, expand)
    order = topological_order(graph)
    # each box's outputs: its members read by another box, and the root
    outputs: list[list] = [[] for _ in folded.boxes]
    out_seen: set[int] = set()
    for node in order:
        here = folded.box_of.get(id(node))
        for p in node._prev:
            b = folded.box_of.get(id(p))
            if b is not None and b != here and id(p) not in out_seen:
                out_seen.add(id(p))
                outputs[b].append(p)
    root_box = folded.box_of[id(graph)]
    if id(graph) not in out_seen:
        outputs[root_box].append(graph)

    boxes = sorted(folded.boxes, key=lambda b: (b.id == root_box, b.last, b.id))  # computing order
    step_of = {b.id: k for k, b in enumerate(boxes)}
    inputs_of: list[list[tuple[int, int]]] = [[] for _ in boxes]
    for wire in folded.wires:
        inputs_of[step_of[wire.target]].append((step_of[wire.source], wire.count))
    nodes = [BoxNode(b, (), b.title) for b in boxes]
    for k, node in enumerate(nodes):
        node._prev = tuple(nodes[s] for s, _ in sorted(inputs_of[k]))
    users = [[] for _ in boxes]
    for k, ins in enumerate(inputs_of):
        for s, _ in ins:
            users[s].append(k)

    edges: list[Edge] = []
    in_edges: list[list[int]] = [[] for _ in boxes]
    uses = [0] * len(boxes)
    for c, ins in enumerate(inputs_of):
        for pos, (s, count) in enumerate(sorted(ins)):
            in_edges[c].append(len(edges))
            edges.append(Edge(f"e{c}_{pos}", s, c, pos, count))
            uses[s] += 1
    names = [b.title for b in boxes]
    plan = Plan(nodes, {id(n): i for i, n in enumerate(nodes)}, names, "boxes", [None] * len(nodes), set(),
                edges, uses, [], in_edges)

    outs = [outputs[b.id] for b in boxes]
    value_texts = [_value_text(o, digits) for o in outs]
    grads = [_grad_summary([twins[id(n)] for n in o]) for o in outs]
    timeline = _timeline(plan, boxes, outs, grads, users, reason, folded, digits)
    anchors = [order[b.last] if 0 <= b.last < len(order) else graph for b in boxes]
    for node, o in zip(nodes, outs):
        node.data = [n.data for n in o]
    return FoldedStory(plan, timeline, digits, value_texts=value_texts, folded=folded, anchors=anchors)


def _flat(xs: list) -> list[float]:
    """Every number in `xs` (numbers and arrays), flattened: a Tensor's entries one by one."""
    out: list[float] = []
    for x in xs:
        if formatting.is_array(x):
            out.extend(x.ravel().tolist())
        else:
            out.append(float(x))
    return out


def _values(nodes: list) -> list[float]:
    return _flat([n.data for n in nodes])


def _value_text(outs: list, digits: int) -> str:
    """A box's outputs as drawn: one number, a small tensor, or how many and their range."""
    if len(outs) == 1:
        return formatting.short(outs[0].data, digits)
    xs = _values(outs)
    if not xs:
        return ""
    low, high = formatting.short(min(xs), digits), formatting.short(max(xs), digits)
    return f"{len(xs):,} values\n{low} \u2026 {high}"


@dataclass(frozen=True)
class _GradSummary:
    count: int
    norm: float
    largest: float  # the largest |gradient|
    single: Any  # the gradient itself when the box has one output (a number or a small array)


def _grad_summary(outs: list) -> _GradSummary:
    gs = _flat([n.grad for n in outs])
    norm = math.sqrt(math.fsum(g * g for g in gs)) if all(math.isfinite(g) for g in gs) else math.nan
    largest = max((abs(g) for g in gs), default=0.0)
    single = outs[0].grad if len(outs) == 1 else None
    return _GradSummary(len(gs), norm, largest, single)


def _grad_text(s: _GradSummary, digits: int) -> str:
    if s.single is not None:
        return formatting.short(s.single, digits)
    return f"\u2016g\u2016 {formatting.short(s.norm, digits)}\nmax |g| {formatting.short(s.largest, digits)}"


def _timeline(plan: Plan, boxes: list[Box], outs: list[list], grads: list[_GradSummary],
              users: list[list[int]], reason: str, folded: Folded, digits: int) -> Timeline:
    n = len(boxes)
    frames = [Frame(0, "start", None, 0, 0, (), lambda: _start(plan, folded, reason))]
    for k in range(n):
        frames.append(Frame(len(frames), "forward", k, k + 1, 0, tuple(plan.in_edges[k]),
                            _later(_forward, plan, boxes, outs, k)))
    updates: list[GradUpdate] = []
    for k in reversed(range(n)):
        s = grads[k]
        updates.append(GradUpdate(k, s.single if s.single is not None else s.norm, _grad_text(s, digits)))
        frames.append(Frame(len(frames), "backward", k, n, len(updates), tuple(plan.in_edges[k]),
                            _later(_backward, plan, boxes, grads, users, k)))
    if len(frames) > 1:
        frames[-1] = Frame(frames[-1].index, "done", frames[-1].node, n, len(updates), frames[-1].edges,
                           frames[-1].narrate)
    return Timeline(frames, updates)


def _later(write: Any, *args: Any) -> Any:
    return lambda: write(*args)


def _title(plan: Plan, k: int) -> Piece:
    return Piece(plan.names[k], f"<b>{_esc(plan.names[k])}</b>")


def _esc(text: str) -> str:
    return escape(text)


def _text(text: str) -> Piece:
    return Piece(text, escape(text))


def _start(plan: Plan, folded: Folded, reason: str) -> Narration:
    why = f"{reason} " if reason else ""
    return _lines([_text(t) for t in (
        f"{why}{folded.nodes:,} nodes are folded into {plan.size} boxes, stepped box by box: forward, "
        "each box computes its outputs; backward, the gradient arrives at each box and flows on to its "
        "inputs.",
        "Open a box (expand) to see the gates inside; the numbers are the engine's own backward pass.",
    )])


def _forward(plan: Plan, boxes: list[Box], outs: list[list], k: int) -> Narration:
    box = boxes[k]
    o = outs[k]
    me = _title(plan, k)
    lines: list[Piece] = []
    if not plan.order[k]._prev:
        what = "an input" if box.kind == "input" else f"{box.members:,} inputs" if box.kind != "params" else \
            f"{box.members:,} parameters"
        lines.append(me + f": {what}, given, not computed")
    else:
        ins = ", ".join(plan.names[plan.index[id(p)]] for p in plan.order[k]._prev)
        lines.append(me + f" ({box.members:,} node{'s' if box.members != 1 else ''}) computes from " + ins)
    lines.append(Piece("    ", "&nbsp;&nbsp;&nbsp;&nbsp;") + _numbers(o, "v"))
    return _lines(lines)


def _numbers(outs: list, kind: str) -> Piece:
    """The outputs' values: exactly when there are few numbers, else how many and their range."""
    xs = _values(outs)
    if len(outs) == 1 and len(xs) <= formatting.SMALL_ARRAY:
        return Piece("= ", "= ") + number(outs[0].data, kind)
    if len(xs) <= formatting.SMALL_ARRAY:
        return Piece("outputs: ", "outputs: ") + Piece(", ".join(formatting.full(x) for x in xs),
                                                       ", ".join(number(x, kind).html for x in xs))
    mean = math.fsum(xs) / len(xs)
    return (Piece(f"{len(xs):,} numbers, from ", f"{len(xs):,} numbers, from ") + number(min(xs), kind)
            + " to " + number(max(xs), kind) + " (mean " + number(mean, kind) + ")")


def _backward(plan: Plan, boxes: list[Box], grads: list[_GradSummary], users: list[list[int]], k: int
              ) -> Narration:
    box = boxes[k]
    s = grads[k]
    me = _title(plan, k)
    root = plan.size - 1
    loss = Piece("L", "<i>L</i>")
    lines: list[Piece] = []
    if k == root:
        start = "The backward pass starts at the output: "
        lines.append(Piece(start, start) + d(loss, loss) + " = 1, and runs back through " + me)
    else:
        sources = ", ".join(plan.names[u] for u in users[k])
        lines.append("The gradient reaches " + me + " from " + Piece(sources, _esc(sources)))
    if s.single is not None:
        size = Piece("", "") + d(loss, Piece("out", "out")) + " = " + number(s.single, "g")
    else:
        size = (Piece("", "") + f"over its {s.count:,} output numbers: \u2016" + d(loss, Piece("out", "out"))
                + "\u2016 = " + number(s.norm, "g") + ", largest |" + d(loss, Piece("out", "out")) + "| = "
                + number(s.largest, "g"))
    lines.append(Piece("    ", "&nbsp;&nbsp;&nbsp;&nbsp;") + size)
    ins = plan.order[k]._prev
    if ins:
        nxt = ", ".join(plan.names[plan.index[id(p)]] for p in ins)
        lines.append("It flows on to " + Piece(nxt, _esc(nxt)) + (
            " (expand the box to watch each gate's step)" if box.kind != "node" else ""))
    elif box.kind == "params":
        final = "These gradients are final: an optimizer step moves each parameter against its own."
        lines.append(Piece(final, final))
    else:
        final = "Final: an input's gradient says how the loss moves when it is nudged."
        lines.append(Piece(final, final))
    return _lines(lines)
