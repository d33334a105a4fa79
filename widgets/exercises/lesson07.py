"""Notebook 07 (the mini framework): an MLP's parameter count, and a student's training step."""

from __future__ import annotations

import numbers
from typing import Any

from autograd_core import Value

from ..formatting import full
from .answers import close, is_unanswered
from .checks import check_numbers
from .feedback import Feedback, Item, overall
from .report import report, unanswered, verdict


def parameter_count(answer: Any) -> Feedback:
    """Exercise: how many parameters an MLP(2, [16, 16, 1]) has (weights and biases)."""
    from autograd_core import nn

    model = nn.MLP(2, [16, 16, 1])
    want = len(model.parameters())
    hint = ("each neuron has one weight per input plus one bias: "
            "layer by layer, (inputs + 1) x neurons, then add the layers up")
    return check_numbers("Parameters of MLP(2, [16, 16, 1])", {"parameters": answer}, {"parameters": want},
                         {"parameters": hint})


def small_problem() -> tuple[Any, Any, Any]:
    """A tiny, seeded tensor model and data set for checking a training step."""
    import numpy as np

    from autograd_core import nn

    model = nn.Sequential(nn.Linear(2, 4, rng=1), nn.Tanh(), nn.Linear(4, 1, rng=2))
    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 2))
    y = np.where(X[:, :1] * X[:, 1:] > 0, 1.0, -1.0)
    return model, X, y


def reference_steps(steps: int, zero_grad: bool = True) -> tuple[list[Any], list[float]]:
    """The parameters and losses after `steps` steps of SGD on small_problem() (zero_grad=False forgets
    to zero the gradients, the usual mistake)."""
    from autograd_core import nn

    model, X, y = small_problem()
    opt = nn.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        if zero_grad:
            opt.zero_grad()
        loss = nn.hinge_loss(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return [p.data.copy() for p in model.parameters()], losses


def train_step(student: Any) -> Feedback:
    """Exercise: one training step: zero the gradients, forward, loss, backward, update; return the loss."""
    import numpy as np

    from autograd_core import nn

    title = "Your training step"
    if is_unanswered(student):
        return unanswered(title, "train_step")
    model, X, y = small_problem()
    opt = nn.SGD(model.parameters(), lr=0.1)
    start = [p.data.copy() for p in model.parameters()]
    returned = []
    try:
        for _ in range(2):
            returned.append(student(model, X, y, opt))
    except Exception as err:
        item = Item("train_step", "wrong", f"your function raised {type(err).__name__}: {err}")
        return verdict(title, item)
    params = [p.data for p in model.parameters()]

    def same(a: list, b: list) -> bool:
        return all(np.allclose(u, v, rtol=1e-9, atol=1e-12) for u, v in zip(a, b))

    want, want_losses = reference_steps(2)
    items = []
    if same(params, start):
        items.append(Item("parameters", "wrong", "after two calls the parameters have not moved",
                          "call loss.backward() to fill the gradients, then optimizer.step() to use them"))
    elif same(params, reference_steps(2, zero_grad=False)[0]):
        items.append(Item("parameters", "wrong", "the first step is right, the second is not: the "
                          "gradients of the first step were still there",
                          "gradients accumulate: call optimizer.zero_grad() before loss.backward()"))
    elif same(params, want):
        items.append(Item("parameters", "correct", "two steps move the parameters exactly as SGD should"))
    else:
        items.append(Item("parameters", "wrong", "the parameters moved, but not as one SGD step on the "
                          "hinge loss of model(X) would move them",
                          "zero_grad, loss = nn.hinge_loss(model(X), y), loss.backward(), optimizer.step()"))
    got = [_loss_number(r) for r in returned]
    if items[0].status == "wrong" and all(g is not None for g in got):
        pass  # the losses follow from the parameters: fix those first
    elif any(g is None for g in got):
        items.append(Item("return value", "wrong", f"your function returned {returned[0]!r}",
                          "return the loss (a Tensor) or its number, loss.item()"))
    elif not all(close(g, w, rel_tol=1e-9) for g, w in zip(got, want_losses)):
        items.append(Item("return value", "wrong", f"you returned the losses {got}, expected {want_losses}",
                          "return the loss computed in this step, before the update",
                          first=f"you returned the losses {got}, which are not the losses of these steps"))
    else:
        items.append(Item("return value", "correct", f"the losses {full(got[0])}, {full(got[1])}"))
    return report(Feedback(title, overall(items), items))


def _loss_number(x: Any) -> float | None:
    from autograd_core import Tensor

    if isinstance(x, Tensor) and x.size == 1:
        return x.item()
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    return None
