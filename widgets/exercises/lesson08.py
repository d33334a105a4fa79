"""Notebook 08 (tensors): the shapes and numbers of matmul's gradients, a sum back to a shape, max's ties."""

from __future__ import annotations

from typing import Any

from .answers import array_item, is_unanswered, shape_item
from .feedback import Feedback, Item, overall
from .report import report, unanswered, verdict


def matmul_shapes(dX: Any, dW: Any) -> Feedback:
    """Exercise: the shapes of dL/dX and dL/dW for Y = X @ W with X (4, 3) and W (3, 2)."""
    import numpy as np

    from autograd_core import Tensor

    X = Tensor(np.ones((4, 3)), label="X")
    W = Tensor(np.ones((3, 2)), label="W")
    (X @ W).sum().backward()
    hint = "a gradient always has the shape of what it is the gradient of"
    items = [shape_item("dL/dX", dX, X.grad.shape, hint), shape_item("dL/dW", dW, W.grad.shape, hint)]
    return report(Feedback("Shapes of the matmul gradients", overall(items), items))


def matmul_backward(student: Any) -> Feedback:
    """Exercise: write (dX, dW) = matmul_backward(X, W, dY) for Y = X @ W, checked against the engine."""
    import numpy as np

    from autograd_core import Tensor

    title = "Your matmul backward"
    if is_unanswered(student):
        return unanswered(title, "matmul_backward")
    rng = np.random.default_rng(0)
    X, W, dY = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    Xt, Wt = Tensor(X, label="X"), Tensor(W, label="W")
    (Xt @ Wt).backward(dY)
    try:
        dX, dW = student(X.copy(), W.copy(), dY.copy())
    except Exception as err:
        item = Item("matmul_backward", "wrong", f"your function raised {type(err).__name__}: {err}",
                    "return two arrays: dX, dW")
        return verdict(title, item)
    hints = {
        "dX": "dimension analysis: dX must have X's shape (4, 3); from dY (4, 2) and W (3, 2) only "
              "dY @ W.T fits",
        "dW": "dimension analysis: dW must have W's shape (3, 2); from X (4, 3) and dY (4, 2) only "
              "X.T @ dY fits",
    }
    items = [array_item("dX", dX, Xt.grad, hints["dX"]), array_item("dW", dW, Wt.grad, hints["dW"])]
    return report(Feedback(title, overall(items), items))


def sum_to_shape(student: Any) -> Feedback:
    """Exercise: write the sum that brings a broadcast gradient back to an input's shape."""
    import numpy as np

    from autograd_core import Tensor

    title = "Your sum back to the input's shape"
    if is_unanswered(student):
        return unanswered(title, "sum_to_shape")
    rng = np.random.default_rng(1)
    cases = [((4, 3), (3,)), ((4, 3), (1, 3)), ((4, 3), (4, 1)), ((2, 4, 3), (3,)), ((4, 3), ())]
    for big_shape, small_shape in cases:
        big = Tensor(rng.normal(size=big_shape), label="A")
        small = Tensor(rng.normal(size=small_shape), label="b")
        upstream = rng.normal(size=big_shape)
        (big + small).backward(upstream)
        try:
            got = student(upstream.copy(), small_shape)
        except Exception as err:
            item = Item("sum_to_shape", "wrong",
                        f"for a {big_shape} gradient and shape {small_shape} your function raised "
                        f"{type(err).__name__}: {err}")
            return verdict(title, item)
        name = f"gradient {big_shape} -> shape {small_shape}"
        hint = ("b was broadcast: every axis it was stretched along, it was used several times, so sum "
                "the upstream gradient over those axes (keepdims where b has a 1), then match b's shape")
        item = array_item(name, got, small.grad, hint)
        if item.status != "correct":
            return verdict(title, item)
    item = Item("sum_to_shape", "correct", f"right on {len(cases)} shapes, including (4, 1) and a scalar")
    return verdict(title, item)


def max_gradient(answer: Any) -> Feedback:
    """Exercise: the gradient of t.max() for t = [1, 3, 3, 2] (ties share the gradient evenly)."""
    import numpy as np

    from autograd_core import Tensor

    t = Tensor(np.array([1.0, 3.0, 3.0, 2.0]), label="t")
    t.max().backward()
    hint = "max routes the gradient to the largest entries only; two entries tie, so they share it evenly"
    item = array_item("d max / d t", answer, t.grad, hint)
    return verdict("The gradient of max", item)
