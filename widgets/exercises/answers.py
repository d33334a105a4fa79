"""Reading a student's answer: still `...`, a number, an array, a shape; each read as one verdict (Item)."""

from __future__ import annotations

import math
import numbers
import types
from collections.abc import Callable
from typing import Any

from autograd_core import Gate, Value

from ..formatting import full
from .feedback import Item

# What a student leaves in an exercise cell until they answer it.
UNANSWERED = Ellipsis


class NotANumber(Exception):
    """An answer that should be a number is something else; the message says what to give instead."""


def is_unanswered(answer: Any) -> bool:
    """True while the `...` placeholder is still there (in a value, a container or a function)."""
    if answer is UNANSWERED:
        return True
    if isinstance(answer, (tuple, list)):
        return any(is_unanswered(a) for a in answer)
    if isinstance(answer, Gate):
        return _code_has_ellipsis(answer.rule)
    if isinstance(answer, types.FunctionType):
        return _code_has_ellipsis(answer)
    return False


def _code_has_ellipsis(fn: Callable) -> bool:
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    stack = [code]
    while stack:
        c = stack.pop()
        consts = list(c.co_consts)
        while consts:
            const = consts.pop()
            if const is Ellipsis:
                return True
            if isinstance(const, types.CodeType):
                stack.append(const)
            elif isinstance(const, (tuple, frozenset)):  # `(..., ...)` is folded into one constant
                consts.extend(const)
    return False


def as_number(answer: Any, name: str) -> float:
    """The answer as a float, or NotANumber saying what was given instead."""
    if isinstance(answer, Value):
        raise NotANumber(
            f"{name}: you gave a Value ({answer!r}); give its number instead, e.g. `.grad` or `.data`"
        )
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise NotANumber(f"{name}: expected a number, got {type(answer).__name__} {answer!r}")
    return float(answer)


def close(answer: float, expected: float, rel_tol: float = 5e-4, abs_tol: float = 1e-6) -> bool:
    """Equal up to rounding to about four significant digits (students may type 2.0596)."""
    if math.isnan(expected):
        return math.isnan(answer)
    if math.isinf(expected):
        return answer == expected
    return math.isclose(answer, expected, rel_tol=rel_tol, abs_tol=abs_tol)


def number_item(name: str, answer: Any, expected: float, hint: str = "") -> Item:
    """The verdict on one number: right (up to rounding), wrong (with a usual slip named), or unanswered."""
    if is_unanswered(answer):
        return Item(name, "unanswered")
    try:
        value = as_number(answer, name)
    except NotANumber as err:
        return Item(name, "wrong", str(err), hint)
    if close(value, expected):
        exact = "" if value == expected else f" (exactly {full(expected)})"
        return Item(name, "correct", f"{name} = {full(value)}{exact}")
    extra = _common_slip(value, expected)
    return Item(name, "wrong", f"{name}: you wrote {full(value)}, expected {full(expected)}.{extra}", hint,
                first=f"{name}: you wrote {full(value)}, which is not it.{extra}")


def _common_slip(value: float, expected: float) -> str:
    if expected != 0 and close(value, -expected):
        return " The size is right, the sign is not."
    if expected != 0 and value != 0 and (close(value / expected, 2.0) or close(value / expected, 0.5)):
        return " You are off by a factor of 2."
    return ""


def array_item(name: str, answer: Any, expected: Any, hint: str = "") -> Item:
    """The verdict on an array (a gradient of a Tensor): its shape, then its numbers."""
    import numpy as np

    if is_unanswered(answer):
        return Item(name, "unanswered")
    try:
        got = np.asarray(answer.data if hasattr(answer, "_prev") else answer, dtype=np.float64)
    except (TypeError, ValueError):
        return Item(name, "wrong", f"{name}: expected an array of numbers, got {type(answer).__name__}", hint)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return Item(name, "wrong", f"{name} has shape {got.shape}, expected {expected.shape}", hint)
    small = expected.ndim <= 1 and expected.size <= 6
    if np.allclose(got, expected, rtol=5e-4, atol=1e-6):
        if small:
            return Item(name, "correct", f"{name} = {full(expected)}")
        return Item(name, "correct", f"{name} matches the engine's gradient (shape {expected.shape})")
    if small:
        return Item(name, "wrong", f"{name}: you gave {full(got)}, expected {full(expected)}",
                    hint, first=f"{name}: you gave {full(got)}, which is not it")
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
    where = tuple(map(int, worst))
    return Item(name, "wrong", f"{name}: the right shape, wrong numbers: at index {where} "
                f"you have {full(float(got[worst]))}, expected {full(float(expected[worst]))}", hint,
                first=f"{name}: the right shape, wrong numbers: look at index {where} first")


def shape_item(name: str, answer: Any, expected: tuple[int, ...], hint: str) -> Item:
    """The verdict on a shape written as a tuple, e.g. (4, 3)."""
    if is_unanswered(answer):
        return Item(name, "unanswered")
    try:
        got = tuple(int(n) for n in answer)
    except TypeError:
        return Item(name, "wrong", f"{name}: give a shape as a tuple such as (2, 3), got {answer!r}", hint)
    if got == tuple(expected):
        return Item(name, "correct", f"{name}: {got}")
    return Item(name, "wrong", f"{name}: you wrote {got}, expected {tuple(expected)}", hint,
                first=f"{name}: you wrote {got}, which is not the shape")
