"""Walking a graph: topological order, forward steps, backward steps and the DFS that sorts it.

Everything here is iterative (a chain of a million nodes works) and deterministic: orders follow
each node's `_prev` tuple, never `id()` or a set's iteration order.

The backward pass lives here, once: `backward_steps(root)` yields it a node at a time (the widgets replay
those very steps), and `backward(root)`, what `Value.backward()` and `Tensor.backward()` run, is the same
pass without the records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple


class Contribution(NamedTuple):
    """What one backward step added to one input: `parent.grad: before + value = after`."""

    parent: Any
    local: Any  # d(node)/d(parent); None for a Tensor gate whose Jacobian is not cheap
    value: Any  # upstream x local: what was added to parent.grad
    before: Any
    after: Any


class BackwardStep(NamedTuple):
    """One node's turn in the backward pass: its gradient (upstream) and what it passed on."""

    node: Any
    upstream: Any
    contributions: tuple[Contribution, ...]


class ForwardStep(NamedTuple):
    """One node's turn in the forward pass: its value from its inputs' values."""

    node: Any
    inputs: tuple[Any, ...]
    value: Any


@dataclass(frozen=True)
class SortEvent:
    """One event of the depth-first topological sort.

    kind: "enter" (first visit), "revisit" (reached again, already visited: nothing to do),
    or "append" (all its inputs are in the order, so the node is finished and appended).
    `position` is the node's index in the order (for "append"), `depth` the DFS stack depth.
    """

    kind: Literal["enter", "revisit", "append"]
    node: Any
    depth: int
    position: int | None = None


_FINISHED = object()  # marks, on the stack, the moment a node's inputs are all done


def topological_order(root: Any) -> list:
    """Every node reachable from `root`, each after all of its inputs; `root` is last.

    The same order as the article's recursive `build_topo`, with an explicit stack instead of
    recursion: a node popped for the first time is pushed back under a `_FINISHED` marker with its
    inputs above it (first input on top), so it is appended once all of them are.
    Nodes hash by identity; the set is only asked "seen?", the order comes from `_prev`.
    """
    order: list = []
    visited: set = set()
    stack = [root]
    push, pop, seen, emit = stack.append, stack.pop, visited.add, order.append  # hot loop
    while stack:
        node = pop()
        if node is _FINISHED:
            emit(pop())
            continue
        if node in visited:
            continue
        seen(node)
        if not node._prev:  # an input: finished as soon as it is reached (as the marker would say)
            emit(node)
            continue
        push(node)
        push(_FINISHED)
        for parent in reversed(node._prev):
            if parent not in visited:
                push(parent)
    return order


def topo_sort_steps(root: Any) -> Iterator[SortEvent]:
    """The depth-first search of `topological_order`, one event at a time (article section 6)."""
    visited = {id(root)}
    stack = [(root, iter(root._prev))]
    position = 0
    yield SortEvent("enter", root, 0)
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) in visited:
                yield SortEvent("revisit", parent, len(stack))
                continue
            visited.add(id(parent))
            stack.append((parent, iter(parent._prev)))
            yield SortEvent("enter", parent, len(stack) - 1)
            break
        else:
            stack.pop()
            yield SortEvent("append", node, len(stack), position)
            position += 1


def forward_steps(root: Any) -> Iterator[ForwardStep]:
    """Each node's value from its inputs' values, in topological order (inputs first)."""
    for node in topological_order(root):
        yield ForwardStep(node, tuple(p.data for p in node._prev), node.data)


def backward_steps(root: Any, grad: Any = None, *, record: bool = True) -> Iterator[BackwardStep]:
    """Run the backward pass one node at a time, yielding what each step did.

    Nodes are processed in reverse topological order, so a node's gradient is complete before it
    is passed on. Before the pass, intermediate gradients are reset (a fresh pass never compounds
    stale ones) while leaves keep theirs and accumulate, as in PyTorch. `grad` seeds the root
    (default 1). With `record=False` nothing is recorded and None is yielded per node.
    """
    for node in reversed(_start(root, grad)):
        upstream = node.grad
        if not record:
            if node._prev:  # an input has nothing to pass on
                node._backward()  # the same rule as `_contributions` below, without the bookkeeping
            yield None
            continue
        added = []
        for parent, local, value in node._contributions(upstream):
            before = parent.grad
            after = parent.grad = before + value
            added.append(Contribution(parent, local, value, before, after))
        yield BackwardStep(node, upstream, tuple(added))


def backward(root: Any, grad: Any = None) -> None:
    """The whole backward pass, nothing recorded: what `backward()` runs (`backward_steps`, in one go)."""
    for node in reversed(_start(root, grad)):
        if node._prev:  # an input has nothing to pass on
            node._backward()


def _start(root: Any, grad: Any) -> list:
    """Before a backward pass: the topological order, intermediate gradients reset, the root seeded."""
    order = topological_order(root)
    for node in order:
        node._reset_if_intermediate()
    seed = root._seed_grad(grad)
    root.grad = seed if root._prev else root.grad + seed
    return order


def propagate(node: Any) -> None:
    """One node's share of the backward pass: each node type's `_backward` (`input.grad += ...`)."""
    node._backward()


def clone(root: Any) -> tuple[Any, dict[int, Any]]:
    """A copy of the graph (same data, gates, labels, stages; gradients zero) and {id(old): new}.

    The widgets step through a clone, so that drawing a graph never changes its gradients.
    """
    copies: dict[int, Any] = {}
    for node in topological_order(root):
        copies[id(node)] = node._copy(tuple(copies[id(p)] for p in node._prev))
    return copies[id(root)], copies


def evaluate(root: Any, overrides: dict[int, float] | None = None) -> float:
    """Recompute the root's value by running every gate's rule again (graph unchanged).

    `overrides` maps id(node) to a value that node takes instead (a nudge, for gradient checks).
    """
    overrides = overrides or {}
    values: dict[int, float] = {}
    for node in topological_order(root):
        key = id(node)
        if key in overrides:
            values[key] = overrides[key]
        elif not node._prev:
            values[key] = node.data
        else:
            values[key] = node._recompute([values[id(p)] for p in node._prev])
    return values[id(root)]


def path_nodes(root: Any, target: Any, order: list | None = None) -> list:
    """The nodes on some path from `target` to `root` (both included), in topological order."""
    order = topological_order(root) if order is None else order
    if not any(n is target for n in order):
        raise ValueError(f"focus: {_describe(target)} is not part of the graph that computed "
                         f"{_describe(root)}; pass a node the output was computed from (a parameter, "
                         "an input, a gate's output)")
    on = {id(target)}
    for node in order:  # a node is downstream of target when one of its inputs is
        if id(node) not in on and any(id(p) in on for p in node._prev):
            on.add(id(node))
    return [n for n in order if id(n) in on]


def focus(root: Any, target: Any) -> tuple[Any, dict[int, Any]]:
    """A copy of only the paths from `target` to `root`; every other input is held fixed (a constant).

    Every node on those paths keeps its gate and local gradients, and all of its users are on a path
    too, so backward on the copy gives each of them the same gradient as on the whole graph.
    Returns (new root, {id(old node): new node}).
    """
    path = path_nodes(root, target)
    on = {id(n) for n in path}
    copies: dict[int, Any] = {}
    for node in path:
        for p in node._prev:
            if id(p) not in on and id(p) not in copies:
                copies[id(p)] = p._held()  # off the paths: fixed in this view
        copies[id(node)] = node._copy(tuple(copies[id(p)] for p in node._prev))
    return copies[id(root)], copies


def _describe(node: Any) -> str:
    label = getattr(node, "label", None)
    if label:
        return repr(label)
    text = repr(node)
    return text if len(text) <= 60 else text[:57] + "..."
