"""The naive recursive backward pass, wrong on purpose: the foil of the sort player and of notebook 05."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograd_core.node import contributions

# The naive recursion revisits a node once per path to it: on a deep graph that is exponential.
NAIVE_MAX_STEPS = 400


@dataclass(frozen=True)
class NaiveStep:
    """One contribution of the naive recursion: `node` passes what it has *now* to input `pos`."""

    node: Any
    pos: int
    parent: Any
    upstream: Any  # node.grad when it was read
    local: Any
    value: Any
    before: Any
    after: Any


def naive_recursive_backward_steps(root: Any, max_steps: int = NAIVE_MAX_STEPS) -> list[NaiveStep]:
    """WRONG ON PURPOSE. Backprop the way students first write it, on `root`'s own graph:

        def backward(node):
            for parent, local in zip(node._prev, local_gradients(node)):
                parent.grad += node.grad * local
                backward(parent)          # at once, before node has heard from all its users

    A node used twice passes its gradient on before it is complete, and then again. Sets .grad
    (call it on a clone); the root is seeded with 1. Returns the steps it took.
    """
    root.grad = 1.0
    steps: list[NaiveStep] = []
    stack = [(root, 0)]  # (node, next input): the recursion above, without Python's recursion limit
    while stack:
        node, k = stack.pop()
        if k >= len(node._prev):
            continue
        stack.append((node, k + 1))
        upstream = node.grad
        parent, local, value = contributions(node, upstream)[k]
        before = parent.grad
        parent.grad = before + value
        steps.append(NaiveStep(node, k, parent, upstream, local, value, before, parent.grad))
        if len(steps) > max_steps:
            raise ValueError(
                f"the naive recursion takes more than {max_steps} steps on this graph (it walks every path "
                "again and again): show it on a small graph with a fork, e.g. a = Value(1.0, label='a'); "
                "b = a + a; c = b + b"
            )
        stack.append((parent, 0))
    return steps
