"""Notebook 00 (start here): the first expression, and its first gradient."""

from __future__ import annotations

from typing import Any

from autograd_core import Value

from ..formatting import full
from .answers import close, is_unanswered
from .checks import check_gradients
from .examples import expression
from .feedback import Feedback, Item, overall
from .report import report, unanswered, verdict


def first_expression(f: Any) -> Feedback:
    """Exercise: build f = a * b + c with a = 2, b = -3, c = 10."""
    title = "Your first expression"
    if is_unanswered(f):
        return unanswered(title, "f")
    if not isinstance(f, Value):
        hint = "build it from Values: a = Value(2.0, label='a'), ... then f = a * b + c"
        return verdict(title, Item("f", "wrong", f"f is a {type(f).__name__}, not a Value", hint))
    items = []
    if f._op != "+":
        items.append(Item("f", "wrong", f"the last gate of f is {f._op or 'none'!r}; for a * b + c it is '+'",
                          "Python multiplies before it adds, so the '+' gate runs last"))
    elif not any(p._op == "*" for p in f._prev):
        items.append(Item("f", "wrong", "one input of the '+' gate should come from a '*' gate (a * b)"))
    if not close(f.data, 4.0):
        items.append(Item("f", "wrong", f"f = {full(f.data)}, expected 2 \u00d7 (-3) + 10 = 4",
                          "check the three numbers you gave a, b and c",
                          first=f"f = {full(f.data)}, which is not 2 \u00d7 (-3) + 10"))
    if not items:
        items.append(Item("f", "correct", "f = 4, made by a '*' gate and then a '+' gate"))
    return report(Feedback(title, overall(items), items))


def first_gradient(df_da: Any) -> Feedback:
    """Exercise: df/da for f = a * b + c at a = 2, b = -3, c = 10 (a * b is the stepper's n2)."""
    return check_gradients("df/da for f = a * b + c", expression(), {"a": df_da}, names={"a": "df/da"})
