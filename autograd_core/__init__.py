"""Backprop Lab's autograd engine: scalar `Value` and array `Tensor` graphs, a replayable backward pass."""

from . import gradcheck, graph, nn
from .graph import backward_steps, forward_steps, topo_sort_steps, topological_order
from .stages import Stage, stage
from .tensor import Tensor, TensorGate, tensor_gate
from .value import Gate, Value, define_gate, gate

__all__ = [
    "Gate",
    "Stage",
    "Tensor",
    "TensorGate",
    "Value",
    "backward_steps",
    "define_gate",
    "forward_steps",
    "gate",
    "gradcheck",
    "graph",
    "nn",
    "stage",
    "tensor_gate",
    "topo_sort_steps",
    "topological_order",
]
