"""Notebook 04 (the forward pass builds the graph): `_op` and `_prev`, the MSE's gradients, a cube gate."""

from __future__ import annotations

from typing import Any

from autograd_core import Value
from autograd_core.gates import power_const

from .answers import is_unanswered
from .checks import check_gradients
from .examples import expression, mse, named
from .feedback import Feedback, Item, overall
from .gate_checks import check_gate
from .report import report

_CUBE = power_const.bind(n=3.0)  # the engine's a**n with n = 3


def prev_and_op(op: Any, first_input_op: Any, n_prev_double: Any) -> Feedback:
    """Exercise: for d = a * b + c, `d._op` and `d._prev[0]._op`; and len((a + a)._prev)."""
    d = expression(label="d")
    a = d._prev[0]._prev[0]
    items = []
    for name, answer, want, hint in (
        ("d._op", op, d._op, "the last operation Python runs is the gate that made d"),
        ("d._prev[0]._op", first_input_op, d._prev[0]._op, "d's first input is a * b"),
        ("len((a + a)._prev)", n_prev_double, len((a + a)._prev),
         "_prev is an ordered tuple: an input used twice is listed twice"),
    ):
        if is_unanswered(answer):
            items.append(Item(name, "unanswered"))
        elif answer == want and type(answer) is type(want):
            items.append(Item(name, "correct", f"{name} == {want!r}"))
        else:
            items.append(Item(name, "wrong", f"{name}: you wrote {answer!r}, it is {want!r}", hint,
                              first=f"{name}: you wrote {answer!r}, which is not it"))
    return report(Feedback("_op and _prev", overall(items), items))


def mse_gradients(dw: Any, dx: Any, dy: Any) -> Feedback:
    """Exercise: dloss/dw, dloss/dx, dloss/dy for loss = (w*x - y)**2 at w = 3, x = -4, y = 2."""
    names = {"w": "dloss/dw", "x": "dloss/dx", "y": "dloss/dy"}
    return check_gradients("Gradients of the MSE loss", mse(), {"w": dw, "x": dx, "y": dy}, names=names)


def cube_gate(student: Any) -> Feedback:
    """Exercise: a new gate from scratch, f(a) = a^3."""
    return check_gate("Your cube gate", student, _CUBE, [(2.0,), (-1.5,), (0.0,), (3.0,)],
                      show=lambda g: named(g(Value(2.0, "a")), "f"),
                      hint="\u2202(a\u00b3)/\u2202a = 3 \u00d7 a\u00b2.")
