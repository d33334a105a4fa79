"""Notebook 09 (debugging gradients): the wrong gate, a fixed softplus, the first nan or inf, vanishing."""

from __future__ import annotations

import math
from typing import Any

from autograd_core import Gate, Value, gradcheck, graph
from autograd_core.gates import sigmoid
from autograd_core.node import local_gradients

from ..formatting import full
from .answers import is_unanswered
from .checks import check_numbers
from .examples import named
from .feedback import Feedback, Item
from .gate_checks import check_gate
from .naming import node_name, use_names
from .report import unanswered, verdict


def _waiting(title: str, part: str, answer: Any, found: Any, nothing: str) -> Feedback | None:
    """"Not answered yet" while the answer is `...`, else None; a ValueError if gradcheck found nothing
    to look for (the exercise's graph is not what it should be)."""
    if is_unanswered(answer):
        return unanswered(title, part)
    if found is None:
        raise ValueError(nothing)
    return None


def wrong_gate(root: Value, answer: Any) -> Feedback:
    """Exercise: name the gate (its `_op`) whose local gradient disagrees with its own rule."""
    title = "The wrong gate"
    found = gradcheck.first_wrong_gate(root)
    nothing = "wrong_gate: every gate of this graph agrees with its rule; nothing to find"
    if waiting := _waiting(title, "gate", answer, found, nothing):
        return waiting
    want = found.node._op
    given = answer._op if isinstance(answer, Value) else answer
    if given == want:
        item = Item("gate", "correct", f"the {want!r} gate: its local gradient is {full(found.analytic)} "
                    f"but a central difference of its rule gives {full(found.numeric)}")
        return verdict(title, item)
    same_op = [n for n in graph.topological_order(root) if n._op == given]
    if same_op:
        message = f"the {given!r} gate's local gradients agree with its rule: it is not the one"
    else:
        ops = sorted({n._op for n in graph.topological_order(root) if n._op})
        message = f"there is no {given!r} gate in this graph (its gates: {', '.join(map(repr, ops))})"
    item = Item("gate", "wrong", message,
                "run gradcheck.check_gates(root) and look for the largest relative error")
    return verdict(title, item, root=root if same_op else None, highlight=same_op or None)


def _softplus_rule(x: float) -> tuple[float, tuple[float]]:
    """softplus(x) = ln(1 + e^x): its local gradient is the sigmoid, e^x / (1 + e^x)."""
    s = sigmoid.rule(x)[0]
    out = x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))
    return out, (s,)


_softplus_reference = Gate("softplus", _softplus_rule)


def softplus_gate(student: Any) -> Feedback:
    """Exercise: fix the softplus gate so that its local gradient is d ln(1 + e^x)/dx."""
    def show(g: Gate) -> Value:
        w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(-1.0, "b")
        return named((g(w * x + b) - 1.0) ** 2, "loss")

    return check_gate("Your softplus gate", student, _softplus_reference,
                      [(0.0,), (1.5,), (-2.0,), (4.0,)], show=show)


def first_nonfinite(root: Value, answer: Any) -> Feedback:
    """Exercise: the label of the node where a nan or inf first appears (forward, then backward)."""
    title = "Where the first nan or inf appears"
    use_names(root)
    found = gradcheck.first_nonfinite(root)
    nothing = "first_nonfinite: every value and gradient of this graph is finite"
    if waiting := _waiting(title, "node", answer, found, nothing):
        return waiting
    want = found.node
    given = answer.label if isinstance(answer, Value) else answer
    if given == want.label:
        what = "value" if found.phase == "forward" else "gradient"
        item = Item("node", "correct", f"{node_name(want)}: its {what} is {full(found.value)}")
        return verdict(title, item)
    hint = ("walk the backward pass in order and stop at the first gradient that is inf or nan; look at the "
            "local gradients of the gate just above it")
    if found.phase == "forward":
        hint = "walk the nodes inputs-first and stop at the first value that is inf or nan"
    item = Item("node", "wrong", f"you named {given!r}; the first one is elsewhere", hint)
    return verdict(title, item, root=root, highlight=want)


def vanishing_bound(answer: Any, depth: int = 5) -> Feedback:
    """Exercise: the largest gradient that can pass through `depth` sigmoid gates in a row."""
    steepest = local_gradients(Value(0.0).sigmoid())[0]  # the sigmoid is steepest at 0
    want = steepest**depth
    hint = (f"the sigmoid's local gradient (1 - s)s is at most {full(steepest)} (at x = 0), and the "
            f"chain rule multiplies {depth} of them")
    return check_numbers(f"The most gradient {depth} sigmoids can pass", {"bound": answer}, {"bound": want},
                         {"bound": hint})
