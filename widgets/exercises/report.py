"""Showing a verdict: at once in IPython (printed elsewhere), hints on a first wrong try, the value after."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .feedback import Feedback, Item
from .naming import forget_names

# Wrong answers so far, per exercise (by title): the expected value is stated from the second on.
_wrong_tries: dict[str, int] = {}
_last_wrong: list[Feedback] = []


def report(feedback: Feedback) -> Feedback:
    """Show the feedback now (display in IPython, print elsewhere) and return it for inspection.

    The first wrong answer to an exercise gets hints only; from the second on, the expected values.
    """
    forget_names()
    if feedback.status == "wrong":
        tries = _wrong_tries[feedback.title] = _wrong_tries.get(feedback.title, 0) + 1
        feedback.revealed = tries > 1
        _last_wrong[:] = [feedback]
    elif feedback.status == "correct":
        _wrong_tries.pop(feedback.title, None)
    return show(feedback)


def reveal() -> Feedback | None:
    """Show the expected values (and the finished hints) of the last exercise answered wrongly."""
    if not _last_wrong:
        print("Nothing to reveal: no exercise has been answered wrongly yet.")
        return None
    return show(replace(_last_wrong[-1], revealed=True, _shown=False))


def forget_tries() -> None:
    """Start afresh, as a new notebook does: no exercise answered wrongly yet."""
    _wrong_tries.clear()
    _last_wrong.clear()


def show(feedback: Feedback) -> Feedback:
    """Display the feedback in IPython, or print its text elsewhere."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        from IPython.display import display

        display(feedback)
    else:
        print(feedback.text())
        feedback._shown = True
    return feedback


def verdict(title: str, item: Item, **more: Any) -> Feedback:
    """Report an answer of one part: that part's status is the exercise's."""
    return report(Feedback(title, item.status, [item], **more))


def unanswered(title: str, part: str) -> Feedback:
    """Report that `part` of the answer is still `...`."""
    return verdict(title, Item(part, "unanswered"))
