"""The scalar-engine network, as in micrograd: `Neuron`, `Layer` and `MLP` built from single `Value`s.

Every multiply and add is a node, so a student can draw a small network and step through its
backward pass. `MLP.to_tensor()` gives the same network (same weights) on the tensor engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..value import Value
from .modules import Linear, Module, ReLU, Sequential, Sigmoid, Tanh, _size, as_rng

ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "linear": None}


class Neuron(Module):
    """act(w . x + b) for one sample x: one weight per input, one bias.

    Weights and bias start uniform in +-1/sqrt(nin), as `Linear` and PyTorch do.
    """

    def __init__(self, nin: int, activation: str = "relu", rng: int | np.random.Generator | None = None):
        _check_activation(activation)
        nin = _size(nin, "nin")
        rng = as_rng(rng)
        bound = 1.0 / np.sqrt(nin)
        self.w = [Value(float(x), label=f"w{i}") for i, x in enumerate(rng.uniform(-bound, bound, nin))]
        self.b = Value(float(rng.uniform(-bound, bound)), label="b")
        self.activation = activation

    def forward(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron with {len(self.w)} inputs got {len(x)} numbers")
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        if self.activation == "linear":
            return act
        return getattr(act, self.activation)()

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, {self.activation!r})"


class Layer(Module):
    """`nout` neurons that read the same inputs; returns their outputs (one Value if nout == 1)."""

    def __init__(self, nin: int, nout: int, activation: str = "relu",
                 rng: int | np.random.Generator | None = None):
        rng = as_rng(rng)
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        n = self.neurons[0]
        return f"Layer({len(n.w)}, {len(self.neurons)}, {n.activation!r})"


class MLP(Module):
    """A multi-layer perceptron on Values: MLP(2, [16, 16, 1]) is 2 inputs -> 16 -> 16 -> 1 output.

    Hidden layers use `activation`; the last layer is linear (its outputs are scores or logits).
    Call it on one sample (a list of numbers).
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu",
                 seed: int | np.random.Generator | None = 0):
        _check_activation(activation)
        rng = as_rng(seed)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < len(nouts) - 1 else "linear", rng)
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
            if isinstance(x, Value):
                x = [x]
        return x[0] if len(x) == 1 else x

    def to_tensor(self) -> Sequential:
        """The same network on the tensor engine: Linear layers holding copies of these weights."""
        modules: list[Any] = []
        for layer in self.layers:
            neurons = layer.neurons
            linear = Linear(len(neurons[0].w), len(neurons))
            linear.weight.data = np.array([[w.data for w in n.w] for n in neurons]).T.copy()
            linear.bias.data = np.array([n.b.data for n in neurons])
            modules.append(linear)
            act = ACTIVATIONS[neurons[0].activation]
            if act is not None:
                modules.append(act())
        return Sequential(*modules)

    def __repr__(self) -> str:
        return f"MLP({', '.join(repr(layer) for layer in self.layers)})"


def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
