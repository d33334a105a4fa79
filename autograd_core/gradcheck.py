"""Gradient checking: analytic gradients against central differences, graded by the CS231n bands."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .graph import backward_steps, clone, evaluate, topological_order

# CS231n, "Gradient checks": relative error > 1e-2 means the gradient is probably wrong;
# 1e-2..1e-4 should make you uncomfortable; < 1e-4 is fine for objectives with kinks
# (relu, max), but too high for smooth ones; < 1e-7 is the happy case.
BANDS = (
    (1e-7, "happy"),
    (1e-4, "fine with kinks"),
    (1e-2, "uncomfortable"),
    (math.inf, "wrong"),
)


def relative_error(analytic: float, numeric: float) -> float:
    """|a - n| / max(|a|, |n|), 0 when both are 0; inf when either is nan or inf (nothing to compare)."""
    if not (math.isfinite(analytic) and math.isfinite(numeric)):
        return math.inf
    scale = max(abs(analytic), abs(numeric))
    return 0.0 if scale == 0.0 else abs(analytic - numeric) / scale


def grade(rel_error: float) -> str:
    """The CS231n band of a relative error: happy, fine with kinks, uncomfortable or wrong."""
    for bound, name in BANDS:
        if rel_error < bound:
            return name
    return "wrong"


class _Compared:
    """An analytic number against a numeric one: their relative error and its CS231n band."""

    analytic: float
    numeric: float

    @property
    def rel_error(self) -> float:
        return relative_error(self.analytic, self.numeric)

    @property
    def band(self) -> str:
        return grade(self.rel_error)


@dataclass(frozen=True)
class Check(_Compared):
    """One gradient compared: analytic (from backward) against numeric (central difference)."""

    name: str
    analytic: float
    numeric: float
    node: Any = None

    @property
    def ok(self) -> bool:
        return self.rel_error < 1e-4


def numeric_gradient(f: Callable[..., float], xs: Sequence[float], h: float = 1e-5) -> list[float]:
    """Central differences (f(x + h) - f(x - h)) / 2h for each input of a float function."""
    xs = [float(x) for x in xs]
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((float(f(*up)) - float(f(*down))) / (2 * h))
    return grads


def check_function(
    f: Callable[..., Any], *inputs: float, names: Sequence[str] | None = None, h: float = 1e-5
) -> list[Check]:
    """Check d f / d input for a function of Values: `check_function(lambda x, y: x * y, 3, -4)`."""
    from .value import Value

    names = list(names) if names is not None else [f"x{i}" for i in range(len(inputs))]
    if len(names) != len(inputs):
        raise ValueError(f"check_function: {len(names)} names for {len(inputs)} inputs")
    leaves = [Value(x, label=n) for x, n in zip(inputs, names)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"check_function: f must return a Value, got {type(out).__name__}")
    out.backward()
    numeric = numeric_gradient(lambda *xs: f(*[Value(x) for x in xs]).data, inputs, h)
    return [Check(n, v.grad, g, v) for n, v, g in zip(names, leaves, numeric)]


def check_graph(root: Any, h: float = 1e-5) -> list[Check]:
    """For every node: d root / d node from a fresh backward pass against a central difference.

    The numeric side nudges the node's value and re-runs every gate rule downstream of it.
    For a Tensor node every entry is nudged together (the direction of all ones), so the check
    compares the sum of its gradient's entries with that directional derivative: one pass per node,
    and a wrong entry still shows. Results are in topological order; the graph is left unchanged.
    """
    copy, copies = clone(root)
    copy.backward()
    checks = []
    for node in topological_order(root):
        twin = copies[id(node)]
        x = node.data
        up = _number(evaluate(root, {id(node): x + h}))
        down = _number(evaluate(root, {id(node): x - h}))
        checks.append(Check(_name(node), _number(twin.grad, total=True), (up - down) / (2 * h), node))
    return checks


def _number(x: Any, total: bool = False) -> float:
    """A float from a number or a one-element array; with `total`, an array's entries summed."""
    if hasattr(x, "shape") and getattr(x, "ndim", 0):
        return float(x.sum()) if total else float(x.reshape(()))
    return float(x)


@dataclass(frozen=True)
class LocalCheck(_Compared):
    """A gate's recorded local gradient d node / d input against a central difference of its rule."""

    node: Any
    input_index: int
    analytic: float
    numeric: float


def check_gates(root: Any, h: float = 1e-6) -> list[LocalCheck]:
    """Check every gate's local gradients against its own forward rule, input by input."""
    checks = []
    for node in topological_order(root):
        if not node._prev or hasattr(node.data, "shape"):
            continue  # an input; or a Tensor gate, whose local gradients are arrays or products
        xs = [p.data for p in node._prev]
        for i, local in enumerate(node._local):
            up, down = list(xs), list(xs)
            up[i] += h
            down[i] -= h
            numeric = (node._recompute(up) - node._recompute(down)) / (2 * h)
            checks.append(LocalCheck(node, i, local, numeric))
    return checks


def first_wrong_gate(
    root: Any, h: float = 1e-6, tolerance: float = 1e-4, floor: float = 1e-7
) -> LocalCheck | None:
    """The first gate, walking back from the root, whose local gradient disagrees with its rule.

    Differences below `floor` are ignored: a central difference cannot resolve them. A local gradient
    that is nan or inf is not a wrong rule but a point where the gate has no slope: `first_nonfinite`
    finds those.
    """
    wrong = [
        c
        for c in check_gates(root, h)
        if math.isfinite(c.analytic)
        and c.rel_error > tolerance
        and not abs(c.analytic - c.numeric) < floor
    ]
    if not wrong:
        return None
    order = {id(n): i for i, n in enumerate(topological_order(root))}
    return max(wrong, key=lambda c: order[id(c.node)])


def _name(node: Any) -> str:
    if node.label:
        return node.label
    return node._op or repr(node.data)


@dataclass(frozen=True)
class NonFinite:
    """The first node whose value (forward) or gradient (backward) is nan or inf."""

    node: Any
    phase: str  # "forward" or "backward"
    value: float
    inputs: tuple[float, ...]  # forward: the node's input values; backward: (upstream, local)


def first_nonfinite(root: Any, backward: bool = True) -> NonFinite | None:
    """Where a nan or inf first appears: in forward order, then (on a clone) in backward order.

    Forward: the first node, inputs first, whose value is not finite though all its inputs are.
    Backward: the first node, in the order the backward pass visits them, whose gradient is not
    finite; `inputs` then holds the finite upstream gradient and local gradients that produced it.
    """
    for node in topological_order(root):
        if not _finite(node.data) and all(_finite(p.data) for p in node._prev):
            return NonFinite(node, "forward", node.data, tuple(p.data for p in node._prev))
    if not backward:
        return None
    copy, copies = clone(root)
    originals = {id(copies[id(n)]): n for n in topological_order(root)}
    for step in backward_steps(copy):
        for c in step.contributions:
            if not _finite(c.value) and _finite(step.upstream):
                return NonFinite(originals[id(c.parent)], "backward", c.value, (step.upstream, c.local))
        if not _finite(step.upstream):
            return NonFinite(originals[id(step.node)], "backward", step.upstream, ())
    return None


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(x)
    except TypeError:  # an array (Tensor node)
        import numpy as np

        return bool(np.all(np.isfinite(x)))
