"""Notebook 09 (debugging gradients): the wrong gate, a fixed softplus, the first nan or inf, vanishing."""

from __future__ import annotations

import math
from typing import Any

from autograd_core import Gate, Value, graph
from autograd_core.gates import sigmoid
from autograd_core.node import local_gradients

from ..formatting import full
from .answers import is_unanswered
from .checks import check_numbers
from .examples import named
from .feedback import Feedback, Item
from .gate_checks import check_gate
from .naming import node_name, use_names
from .report import report


def wrong_gate(root: Value, answer: Any) -> Feedback:
    """Exercise: name the gate (its `_op`) whose local gradient disagrees with its own rule."""
    from autograd_core import gradcheck

    title = "The wrong gate"
    if is_unanswered(answer):
        return report(Feedback(title, "unanswered", [Item("gate", "unanswered")]))
    found = gradcheck.first_wrong_gate(root)
    if found is None:
        raise ValueError("wrong_gate: every gate of this graph agrees with its rule; nothing to find")
    want = found.node._op
    given = answer._op if isinstance(answer, Value) else answer
    if given == want:
        item = Item("gate", "correct", f"the {want!r} gate: its local gradient is {full(found.analytic)} "
                    f"but a central difference of its rule gives {full(found.numeric)}")
        return report(Feedback(title, "correct", [item]))
    same_op = [n for n in graph.topological_order(root) if n._op == given]
    if same_op:
        message = f"the {given!r} gate's local gradients agree with its rule: it is not the one"
    else:
        ops = sorted({n._op for n in graph.topological_order(root) if n._op})
        message = f"there is no {given!r} gate in this graph (its gates: {', '.join(map(repr, ops))})"
    item = Item("gate", "wrong", message,
                "run gradcheck.check_gates(root) and look for the largest relative error")
    return report(Feedback(title, "wrong", [item], root=root if same_op else None,
                           highlight=same_op or None))


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
    from autograd_core import gradcheck

    title = "Where the first nan or inf appears"
    if is_unanswered(answer):
        return report(Feedback(title, "unanswered", [Item("node", "unanswered")]))
    found = gradcheck.first_nonfinite(root)
    if found is None:
        raise ValueError("first_nonfinite: every value and gradient of this graph is finite")
    want = found.node
    use_names(root)
    given = answer.label if isinstance(answer, Value) else answer
    if given == want.label:
        what = "value" if found.phase == "forward" else "gradient"
        item = Item("node", "correct", f"{node_name(want)}: its {what} is {full(found.value)}")
        return report(Feedback(title, "correct", [item]))
    hint = ("walk the backward pass in order and stop at the first gradient that is inf or nan; look at the "
            "local gradients of the gate just above it")
    if found.phase == "forward":
        hint = "walk the nodes inputs-first and stop at the first value that is inf or nan"
    item = Item("node", "wrong", f"you named {given!r}; the first one is elsewhere", hint)
    return report(Feedback(title, "wrong", [item], root=root, highlight=want))


def vanishing_bound(answer: Any, depth: int = 5) -> Feedback:
    """Exercise: the largest gradient that can pass through `depth` sigmoid gates in a row."""
    steepest = local_gradients(Value(0.0).sigmoid())[0]  # the sigmoid is steepest at 0
    want = steepest**depth
    hint = (f"the sigmoid's local gradient (1 - s)s is at most {full(steepest)} (at x = 0), and the "
            f"chain rule multiplies {depth} of them")
    return check_numbers(f"The most gradient {depth} sigmoids can pass", {"bound": answer}, {"bound": want},
                         {"bound": hint})
