"""Notebook 06 (gradient descent): a student's update step, one step by hand, a rate that diverges."""

from __future__ import annotations

import math
from typing import Any

from ..formatting import full
from .answers import NotANumber, as_number, close, is_unanswered
from .checks import check_numbers, gradients
from .examples import mse, nodes_by_label
from .feedback import Feedback, Item, overall
from .report import report, unanswered, verdict


def descent_step(student: Any) -> Feedback:
    """Exercise: write step(params, learning_rate), the update p.data -= learning_rate * p.grad."""
    title = "Your gradient descent step"
    if is_unanswered(student):
        return unanswered(title, "step")
    loss = mse()
    loss.backward()
    nodes = nodes_by_label(loss)
    params = [nodes["w"], nodes["x"]]
    before = [(p.data, p.grad) for p in params]
    lr = 0.01
    try:
        student(params, lr)
    except Exception as err:
        item = Item("step", "wrong", f"your function raised {type(err).__name__}: {err}")
        return verdict(title, item)
    items = []
    for p, (data, grad) in zip(params, before):
        if is_unanswered(p.data):
            return unanswered(title, "step")
        want = data - lr * grad
        name = p.label
        if not isinstance(p.data, float):
            items.append(Item(name, "wrong", f"{name}.data became a {type(p.data).__name__}",
                              "assign a number: p.data = p.data - learning_rate * p.grad"))
            continue
        moved = f"{name} moved from {full(data)} to {full(p.data)}"
        if close(p.data, want, rel_tol=1e-9):
            items.append(Item(name, "correct", f"{name}: {full(data)} -> {full(p.data)}"))
        elif close(p.data, data + lr * grad, rel_tol=1e-9):
            items.append(Item(name, "wrong", f"{moved}: uphill",
                              "the gradient points uphill; descent subtracts it: -="))
        else:
            step = f"{full(want)} = {full(data)} - {full(lr)} \u00d7 {full(grad)}"
            items.append(Item(name, "wrong", f"{moved}, expected {step}", "p.data -= learning_rate * p.grad",
                              first=f"{moved}, which is not one step"))
    wrong = [p for p, i in zip(params, items) if i.status == "wrong"]
    return report(Feedback(title, overall(items), items, root=loss if wrong else None,
                           highlight=wrong[0] if wrong else None))


def one_step(w_after: Any, learning_rate: float = 0.01) -> Feedback:
    """Exercise: w after one gradient descent step on the MSE example (w = 3, dloss/dw = 112)."""
    loss = mse()
    grads = gradients(loss)
    w = nodes_by_label(loss)["w"]
    want = w.data - learning_rate * grads[id(w)]
    hint = (f"w - learning_rate \u00d7 dloss/dw = {full(w.data)} - {full(learning_rate)} "
            f"\u00d7 {full(grads[id(w)])}")
    return check_numbers("w after one step", {"w": w_after}, {"w": want}, {"w": hint},
                         root=loss, nodes={"w": w})


def diverging_rate(learning_rate: Any, steps: int = 30) -> Feedback:
    """Exercise: a learning rate at which gradient descent on the MSE example blows up."""
    title = "A learning rate that diverges"
    if is_unanswered(learning_rate):
        return unanswered(title, "learning_rate")
    try:
        lr = as_number(learning_rate, "learning_rate")
    except NotANumber as err:
        return verdict(title, Item("learning_rate", "wrong", str(err)))
    w = 3.0
    losses = []
    for _ in range(steps):
        loss = mse(w=w)
        loss.backward()
        wv = nodes_by_label(loss)["w"]
        losses.append(loss.data)
        w = w - lr * wv.grad
        if not math.isfinite(w):
            break
    grew = not math.isfinite(w) or losses[-1] > losses[0]
    if grew:
        item = Item("learning_rate", "correct", f"with {full(lr)} the loss goes {full(losses[0])} -> "
                    f"{full(losses[-1])} in {len(losses)} steps: each step overshoots further")
    else:
        item = Item("learning_rate", "wrong", f"with {full(lr)} the loss goes {full(losses[0])} -> "
                    f"{full(losses[-1])}: it still converges",
                    "loss = (w*x - y)^2 has curvature 2x^2 = 32 in w: steps above 2/32 overshoot more "
                    "each time")
    return verdict(title, item)
