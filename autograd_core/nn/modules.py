"""`Module`, the model interface, and the tensor layers: `Linear`, `Sequential` and the activations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..stages import Stage
from ..tensor import Tensor
from ..value import Value


class Module:
    """Something with parameters that maps inputs to outputs: call it, list its parameters, zero them.

    Subclasses define `forward`. `parameters()` finds every parameter held in an attribute:
    a Tensor or Value input (not a constant), a sub-module, or a list of those, in the order the
    attributes were set.
    """

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(...) to be called")

    def __call__(self, *args: Any) -> Any:
        # Every node made by this call belongs to a stage named for the module, so that a drawing
        # of a large graph can fold a neuron or a layer into one box.
        with Stage(type(self).__name__, owner=self):
            return self.forward(*args)

    def parameters(self) -> list[Any]:
        found: list[Any] = []
        seen: set[int] = set()
        todo: list[Any] = [self]  # a stack: what is left to look into, the next on top
        while todo:
            item = todo.pop()
            if isinstance(item, (Tensor, Value)):
                if id(item) not in seen and _is_parameter(item):
                    seen.add(id(item))
                    found.append(item)
            elif isinstance(item, Module):
                # A sub-module's attributes, in the order they were set (unless it lists its own).
                own = item is self or type(item).parameters is Module.parameters
                todo.extend(reversed(vars(item).values()) if own else reversed(item.parameters()))
            elif isinstance(item, (list, tuple)):
                todo.extend(reversed(item))
        return found

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zero (call before each backward pass)."""
        for p in self.parameters():
            p.grad = np.zeros(p.data.shape) if isinstance(p, Tensor) else 0.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _is_parameter(x: Tensor | Value) -> bool:
    """An input that learns: not a gate's output, not a constant, not data (requires_grad=False)."""
    if isinstance(x, Tensor):
        return x.requires_grad and not x._prev
    return not x._prev and not x._const


def as_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy random generator from a seed (or the generator itself)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


class Linear(Module):
    """y = x @ weight + bias, for a batch x of shape (n, in_features).

    `weight` has shape (in_features, out_features): one column per output, the transpose of
    PyTorch's layout, so that the forward pass reads as the matrix product it is. Both start
    uniform in +-1/sqrt(in_features) (PyTorch's default).
    """

    def __init__(self, in_features: int, out_features: int, rng: int | np.random.Generator | None = None):
        in_features, out_features = _size(in_features, "in_features"), _size(out_features, "out_features")
        rng = as_rng(rng)
        bound = 1.0 / np.sqrt(in_features)
        self.weight = Tensor(rng.uniform(-bound, bound, (in_features, out_features)), label="weight")
        self.bias = Tensor(rng.uniform(-bound, bound, out_features), label="bias")

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        try:
            return x @ self.weight + self.bias
        except ValueError:
            n_in, n_out = self.weight.shape
            shape = x.shape if isinstance(x, Tensor) else np.shape(x)
            raise ValueError(
                f"Linear({n_in}, {n_out}) got an input of shape {shape}: it expects a batch of shape "
                f"(n, {n_in}), one row per sample"
            ) from None

    def __repr__(self) -> str:
        return f"Linear({self.weight.shape[0]}, {self.weight.shape[1]})"


class Sequential(Module):
    """Layers applied one after the other: Sequential(Linear(2, 16), ReLU(), Linear(16, 1))."""

    def __init__(self, *layers: Module) -> None:
        for i, layer in enumerate(layers):
            if not callable(layer):
                raise TypeError(f"Sequential: layer {i} is a {type(layer).__name__}, not a module")
        self.layers = list(layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential({inner})"


class ReLU(Module):
    """max(0, x), entry by entry."""

    def forward(self, x: Any) -> Any:
        return x.relu()


class Tanh(Module):
    """tanh(x), entry by entry."""

    def forward(self, x: Any) -> Any:
        return x.tanh()


class Sigmoid(Module):
    """1 / (1 + e^-x), entry by entry."""

    def forward(self, x: Any) -> Any:
        return x.sigmoid()


def _size(n: Any, what: str) -> int:
    if isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0:
        return int(n)
    raise ValueError(f"{what} must be a positive whole number, got {n!r}")
