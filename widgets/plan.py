"""What a drawing is made of: which nodes are gates and wires, which constants fold into gates, clusters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograd_core.graph import topological_order
from autograd_core.node import is_constant, stage_of, symbol_of

from . import budget, formatting
from .names import node_names


@dataclass(frozen=True)
class Edge:
    """The wire from `parent` into `child`, the child's input number `pos` (nodes by topological index)."""

    id: str
    parent: int
    child: int
    pos: int
    count: int = 1  # graph wires it stands for (a folded view's wire between two boxes)


@dataclass
class Cluster:
    """A stage drawn as a box: its own nodes and its nested stages."""

    id: str
    name: str
    nodes: list[int] = field(default_factory=list)
    children: list[Cluster] = field(default_factory=list)


@dataclass
class Plan:
    """A graph ready to be drawn: the topological order and every decision that depends only on its shape."""

    order: list
    index: dict[int, int]
    names: list[str]
    style: str
    gate_text: list[str | None]  # None for an input
    folded: set[int]  # constants drawn inside their gate ("+1"), circuit style only
    edges: list[Edge]
    uses: list[int]  # how many times each node is an input (a fork when more than one)
    clusters: list[Cluster]
    in_edges: list[list[int]]  # for each node, the indices (into `edges`) of its drawn input wires

    @property
    def size(self) -> int:
        return len(self.order)

    def is_tensor(self, i: int) -> bool:
        return formatting.is_array(self.order[i].data)


def check_root(root: Any, where: str) -> None:
    """A clear TypeError unless `root` is a graph node (a Value, or a Tensor)."""
    if hasattr(root, "_prev") and hasattr(root, "data") and hasattr(root, "grad"):
        return
    hint = ""
    if isinstance(root, (list, tuple)) and root and hasattr(root[0], "_prev"):
        hint = f"; draw one output at a time, e.g. {where}(outputs[0]), or sum them first"
    elif isinstance(root, (int, float)):
        hint = "; wrap numbers in Value(...) before computing, e.g. x = Value(2.0, label='x')"
    raise TypeError(
        f"{where}() needs the output of a computation (a Value or a Tensor), got "
        f"{type(root).__name__}{hint}"
    )


def make_plan(root: Any, style: str, names: list[str] | None = None) -> Plan:
    """Walk the graph once and decide how each node is drawn (`names`: one per node, to override)."""
    order = topological_order(root)
    budget.check(sum(1 for n in order if n._prev or not is_constant(n)))
    index = {id(n): i for i, n in enumerate(order)}
    names = node_names(order) if names is None else names
    uses = [0] * len(order)
    for node in order:
        for p in node._prev:
            uses[index[id(p)]] += 1

    gate_text: list[str | None] = [symbol_of(n) if n._prev else None for n in order]  # the gate's own
    folded: set[int] = set()
    if style == "circuit":
        for c, node in enumerate(order):
            if len(node._prev) != 2:
                continue
            ins = [index[id(p)] for p in node._prev]
            consts = [k for k, j in enumerate(ins) if is_constant(order[j]) and uses[j] == 1]
            if len(consts) != 1 or getattr(order[ins[consts[0]]].data, "size", 1) != 1:
                continue  # only a single number fits on a gate
            k = consts[0]
            number = formatting.full(order[ins[k]].data)
            symbol = gate_text[c]
            gate_text[c] = f"{number}{symbol}" if k == 0 else f"{symbol}{number}"
            folded.add(ins[k])

    edges: list[Edge] = []
    in_edges: list[list[int]] = [[] for _ in order]
    for c, node in enumerate(order):
        for k, p in enumerate(node._prev):
            j = index[id(p)]
            if j in folded:
                continue
            in_edges[c].append(len(edges))
            edges.append(Edge(f"e{c}_{k}", j, c, k))

    drawn = len(order) - len(folded)
    # tangle: a computed value read by several gates (an input read many times costs graphviz little)
    users: dict[int, set[int]] = {}
    for e in edges:
        if order[e.parent]._prev:
            users.setdefault(e.parent, set()).add(e.child)
    budget.check(drawn, edges=len(edges), extra_wires=sum(len(u) - 1 for u in users.values()))
    clusters = _clusters(order, folded)
    return Plan(order, index, names, style, gate_text, folded, edges, uses, clusters, in_edges)


def _clusters(order: list, folded: set[int]) -> list[Cluster]:
    """The stages as nested clusters, numbered in order of first appearance (stable across runs)."""
    by_stage: dict[int, Cluster] = {}
    top: list[Cluster] = []

    def cluster_of(stage: Any) -> Cluster:
        found = by_stage.get(id(stage))
        if found is not None:
            return found
        parent = getattr(stage, "parent", None)
        siblings = top if parent is None else cluster_of(parent).children  # parents are numbered first
        made = Cluster(f"s{len(by_stage)}", stage.name)
        by_stage[id(stage)] = made
        siblings.append(made)
        return made

    for i, node in enumerate(order):
        stage = stage_of(node)
        if stage is None or i in folded:
            continue
        cluster_of(stage).nodes.append(i)
    return top
