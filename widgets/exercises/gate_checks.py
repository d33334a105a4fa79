"""Checking a gate a student wrote: its forward rule and local gradients against a reference gate's rule."""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd_core import Gate, Value, graph
from autograd_core.node import gate_of, local_gradients

from ..formatting import full
from .answers import close, is_unanswered
from .feedback import Feedback, Item, overall
from .report import report, unanswered, verdict


def check_gate(
    title: str,
    student: Any,
    reference: Gate,
    points: Sequence[Sequence[float]],
    *,
    show: Callable[[Gate], Value] | None = None,
    note: str = "",
    hint: str = "",
) -> Feedback:
    """Check a student's gate (forward rule and local gradients) against a reference gate's rule.

    `points` are input tuples to try. `show(gate)` may build a small graph with the student's gate
    so the feedback can outline it. `hint` for a wrong local gradient: by default the first line of
    the reference rule's docstring.
    """
    if is_unanswered(student):
        return unanswered(title, "the gate's rule")
    if not isinstance(student, Gate):
        msg = f"expected a gate, got {type(student).__name__}"
        return verdict(title, Item("gate", "wrong", msg, _DECORATE))
    if student.arity != reference.arity:
        msg = f"your gate takes {student.arity} input(s); it should take {reference.arity}"
        return verdict(title, Item("gate", "wrong", msg, "one rule argument per input"))
    hint = hint or (reference.doc.strip().split("\n")[0] if reference.doc else "")
    problem = _first_problem(student, reference, points, hint)
    if problem is None:
        tried = "; ".join(", ".join(full(float(x)) for x in xs) for xs in points)
        items = [Item("gate", "correct", f"forward and local gradients agree at every test point ({tried})")]
    else:
        items = [problem]
    status = overall(items)
    root = highlight = None
    if status == "wrong" and show is not None:
        try:
            root = show(student)
            highlight = [n for n in graph.topological_order(root) if gate_of(n) is student] or None
        except Exception:
            root = highlight = None
    return report(Feedback(title, status, items, note if status == "correct" else "", root, highlight))


_DECORATE = "decorate your rule with @gate(\"name\") so that it becomes a gate"


def _first_problem(student: Gate, reference: Gate, points: Sequence[Sequence[float]],
                   hint: str) -> Item | None:
    """The first point where the student's rule raises, or its output or a local gradient is off."""
    for xs in points:
        xs = tuple(float(x) for x in xs)
        where = ", ".join(f"{n} = {full(x)}" for n, x in zip(_arg_names(student), xs))
        want_out, want_local = reference.rule(*xs)
        try:
            got_out, got_local = _run_rule(student, xs)
        except Exception as err:  # a student's bug: say where
            return Item(where, "wrong", f"at {where} your rule raised {type(err).__name__}: {err}")
        if not close(got_out, want_out, rel_tol=1e-6):
            what = f"forward at {where}: you return {full(got_out)}"
            return Item(where, "wrong", f"{what}, expected {full(want_out)}",
                        "the forward rule computes the gate's output from its inputs' numbers",
                        first=f"{what}, which is not the gate's output")
        for i, (got, want) in enumerate(zip(got_local, want_local)):
            if not close(got, want, rel_tol=1e-6):
                what = f"local gradient \u2202out/\u2202input {i} at {where}: you return {full(got)}"
                return Item(where, "wrong", f"{what}, expected {full(want)}", hint,
                            first=f"{what}, which is not it")
    return None


def _run_rule(g: Gate, xs: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
    """Run a gate on Values (so the engine validates what the rule returns) and read what it recorded."""
    node = g(*[Value(x) for x in xs])
    for number in (node.data, *local_gradients(node)):
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise TypeError(f"the rule returned {number!r} where a number belongs")
    return node.data, local_gradients(node)


def _arg_names(g: Gate) -> list[str]:
    try:
        return list(inspect.signature(g.rule).parameters)[: g.arity]
    except (TypeError, ValueError):
        return [f"x{i}" for i in range(g.arity)]
