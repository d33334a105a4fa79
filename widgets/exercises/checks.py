"""Generic checks: named numbers, and the gradients of a graph against the engine's own backward pass."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograd_core import Value, graph
from autograd_core.node import local_gradients

from ..formatting import full, operand
from .answers import number_item
from .examples import nodes_by_label
from .feedback import Feedback, overall
from .hints import gate_hint
from .naming import node_name, use_names
from .report import report


def gradients(root: Value) -> dict[int, float]:
    """d root / d node for every node, from a fresh backward pass on a copy (the graph is untouched)."""
    copy, copies = graph.clone(root)
    copy.backward()
    return {key: twin.grad for key, twin in copies.items()}


def gradient_hint(root: Value, node: Value, grads: Mapping[int, float] | None = None,
                  result: bool = True) -> str:
    """How d root / d node is made: one `upstream x local` per use of the node, added up.

    result=False leaves the result out: what to multiply (and add), for a first wrong try.
    """
    grads = grads if grads is not None else gradients(root)
    if node is root:
        return "the output's gradient with respect to itself is 1: that is where backward starts"
    uses = [
        (c, i)
        for c in graph.topological_order(root)
        for i, p in enumerate(c._prev)
        if p is node
    ]
    terms = [_times(grads[id(c)], local_gradients(c)[i]) for c, i in uses]
    total = f" = {full(grads[id(node)])}" if result else ""
    if len(uses) == 1:
        return contribution_hint(*uses[0], grads, result=result)
    names = ", ".join(sorted({node_name(c) for c, _ in uses}))
    return (
        f"{node_name(node)} is used {len(uses)} times (by {names}): its gradient is the sum of what "
        f"each use sends back (+=): {' + '.join(terms)}{total}"
    )


def contribution_hint(consumer: Value, index: int, grads: Mapping[int, float], result: bool = True) -> str:
    """What one gate sends back to one input: the gate's rule in words and upstream x local.

    result=False names the two numbers to multiply without their product (a first wrong try).
    """
    upstream, local = grads[id(consumer)], local_gradients(consumer)[index]
    if not result:
        return (f"{gate_hint(consumer, index)}; multiply the upstream gradient {full(upstream)} "
                f"by the local gradient {full(local)}")
    arithmetic = f"{_times(upstream, local)} = {full(upstream * local)}"
    return f"{gate_hint(consumer, index)}; upstream \u00d7 local = {arithmetic}"


def _times(a: float, b: float) -> str:
    return f"{full(a)} \u00d7 {operand(b)}"


def check_numbers(
    title: str,
    answers: Mapping[str, Any],
    expected: Mapping[str, float],
    hints: Mapping[str, str] | None = None,
    *,
    root: Any = None,
    nodes: Mapping[str, Any] | None = None,
    note: str = "",
    first_hints: Mapping[str, str] | None = None,
) -> Feedback:
    """Compare named numbers; outline the first wrong one's node (if `nodes` names it) in `root`.

    first_hints: hints for a first wrong try where `hints` would give the answer away.
    """
    hints = hints or {}
    items = [number_item(n, answers[n], expected[n], hints.get(n, "")) for n in answers]
    for item in items:
        if first_hints and item.name in first_hints:
            item.first_hint = first_hints[item.name]
    status = overall(items)
    highlight = None
    if nodes:
        wrong = [i.name for i in items if i.status == "wrong" and i.name in nodes]
        if wrong:
            highlight = nodes[wrong[0]]
    return report(Feedback(title, status, items, note if status == "correct" else "", root, highlight))


def check_gradients(
    title: str,
    root: Value,
    answers: Mapping[str, Any],
    *,
    names: Mapping[str, str] | None = None,
    note: str = "",
) -> Feedback:
    """Check predicted gradients d root / d node of labelled nodes against a fresh backward pass.

    `answers` maps a node's label to the student's number; `names` optionally maps the label to how
    the exercise writes it (e.g. {"x": "df/dx"}). The wrong node nearest the output is outlined.
    """
    names = names or {}
    use_names(root)
    labelled = nodes_by_label(root)
    missing = [k for k in answers if k not in labelled]
    if missing:
        raise KeyError(
            f"check_gradients: no node labelled {missing} in this graph (labels: {list(labelled)})"
        )
    grads = gradients(root)
    items = []
    for label, answer in answers.items():
        node = labelled[label]
        item = number_item(names.get(label, f"d/d{label}"), answer, grads[id(node)])
        if item.status == "wrong":
            item.hint = gradient_hint(root, node, grads)
            item.first_hint = gradient_hint(root, node, grads, result=False)
        items.append(item)
    status = overall(items)
    highlight = None
    order = {id(n): k for k, n in enumerate(graph.topological_order(root))}
    wrong = [labelled[label] for label, item in zip(answers, items) if item.status == "wrong"]
    if wrong:
        highlight = max(wrong, key=lambda n: order[id(n)])  # fix the one nearest the output first
    return report(Feedback(title, status, items, note if status == "correct" else "", root, highlight))
