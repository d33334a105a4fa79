"""Notebook 02 (from function to graph): the staged backward pass by hand, and what x receives at the fork."""

from __future__ import annotations

from typing import Any

from autograd_core import graph

from ..formatting import full
from .checks import check_gradients, check_numbers, contribution_hint, gradients
from .examples import nodes_by_label, staged_function
from .feedback import Feedback
from .naming import use_names

_STAGED_NAMES = ("dnum", "dden", "dsigx", "dxpysqr", "dxpy", "dsigy", "dx", "dy")


def staged_backward(**answers: Any) -> Feedback:
    """Exercise: the staged backward pass by hand (CS231n style), one variable per gradient."""
    unknown = set(answers) - set(_STAGED_NAMES)
    if unknown:
        raise TypeError(f"staged_backward: unknown names {sorted(unknown)}; use {list(_STAGED_NAMES)}")
    f = staged_function()
    labels = {name: name[1:] for name in _STAGED_NAMES}
    given = {labels[n]: answers[n] for n in _STAGED_NAMES if n in answers}
    return check_gradients("The staged backward pass of f(x, y)", f, given,
                           names={v: k for k, v in labels.items()})


def fork_contributions(via_num: Any, via_sigx: Any, via_xpy: Any) -> Feedback:
    """Exercise: the three contributions x receives (x feeds num, sigx and xpy) and their sum."""
    f = staged_function()
    use_names(f)
    copy, _ = graph.clone(f)
    x_copy = nodes_by_label(copy)["x"]
    received = {}
    for step in graph.backward_steps(copy):
        for c in step.contributions:
            if c.parent is x_copy:
                received[step.node.label] = c.value
    labelled = nodes_by_label(f)
    x, grads = labelled["x"], gradients(f)
    answers = {"via num": via_num, "via sigx": via_sigx, "via xpy": via_xpy}
    expected = {k: received[k[4:]] for k in answers}
    hints = {k: contribution_hint(labelled[k[4:]], 0, grads) for k in answers}
    first_hints = {k: contribution_hint(labelled[k[4:]], 0, grads, result=False) for k in answers}
    total = full(sum(expected.values()))
    return check_numbers("What x receives at the fork", answers, expected, hints, root=f,
                         nodes={k: x for k in answers}, first_hints=first_hints,
                         note=f"Added up (+=): df/dx = {total}, the number backward() gives.")
