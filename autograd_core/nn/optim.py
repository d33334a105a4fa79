"""Optimizers: `SGD` (with momentum and weight decay) and `Adam`, for Value and Tensor parameters alike.

Each follows PyTorch's update rule exactly, so the two can be compared step by step. A parameter's
`data` is replaced by a new number or array (never changed in place), so a graph that still holds
the old values is not altered behind its back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from ..value import Value


class Optimizer:
    """Holds the parameters to update; `step()` applies one update from their `.grad`."""

    def __init__(self, params: Iterable[Any], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got no parameters (did you pass model.parameters()?)")
        name = type(self).__name__
        for p in self.params:
            if not isinstance(p, (Value, Tensor)):
                raise TypeError(f"{name}: parameters must be Values or Tensors, got {type(p).__name__}")
        if not (isinstance(lr, (int, float)) and lr > 0):
            raise ValueError(f"{name}: the learning rate must be a positive number, got {lr!r}")
        self.lr = float(lr)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to zero (call before each backward pass)."""
        for p in self.params:
            p.grad = _zeros_like(p)

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """p <- p - lr * v, where v = momentum * v + (grad + weight_decay * p) (v = the gradient at first)."""

    def __init__(self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _fraction(momentum, "momentum")
        self.weight_decay = _nonnegative(weight_decay, "weight_decay")
        self.velocity: list[Any] = [None] * len(self.params)

    def step(self) -> None:
        for i, p in enumerate(self.params):
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self.momentum:
                v = self.velocity[i]
                v = _copy(g) if v is None else self.momentum * v + g
                self.velocity[i] = v
                g = v
            p.data = p.data - self.lr * g


class Adam(Optimizer):
    """Adam: running means of the gradient (m) and of its square (v), with bias correction.

    p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    """

    def __init__(self, params: Iterable[Any], lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2 = (_fraction(b, "betas") for b in betas)
        self.eps = _nonnegative(eps, "eps")
        self.weight_decay = _nonnegative(weight_decay, "weight_decay")
        self.t = 0
        self.m: list[Any] = [_zeros_like(p) for p in self.params]
        self.v: list[Any] = [_zeros_like(p) for p in self.params]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1.0 - b1**self.t)
        root_correction = (1.0 - b2**self.t) ** 0.5
        for i, p in enumerate(self.params):
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            m = self.m[i] = b1 * self.m[i] + (1.0 - b1) * g
            v = self.v[i] = b2 * self.v[i] + (1.0 - b2) * (g * g)
            p.data = p.data - step_size * m / (v**0.5 / root_correction + self.eps)


def _zeros_like(p: Value | Tensor) -> Any:
    return np.zeros(p.data.shape) if isinstance(p, Tensor) else 0.0


def _copy(x: Any) -> Any:
    return x.copy() if isinstance(x, np.ndarray) else x


def _fraction(x: Any, what: str) -> float:
    if isinstance(x, (int, float)) and 0.0 <= x < 1.0:
        return float(x)
    raise ValueError(f"{what} must be a number in [0, 1), got {x!r}")


def _nonnegative(x: Any, what: str) -> float:
    if isinstance(x, (int, float)) and x >= 0.0:
        return float(x)
    raise ValueError(f"{what} must be a number >= 0, got {x!r}")
