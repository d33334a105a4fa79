"""Backprop Lab's autograd engine: scalar `Value` graphs, a replayable backward pass, gradient checks."""

from . import gradcheck, graph
from .graph import backward_steps, forward_steps, topo_sort_steps, topological_order
from .stages import Stage, stage
from .value import Gate, Value, define_gate, gate

__all__ = [
    "Gate",
    "Stage",
    "Value",
    "backward_steps",
    "define_gate",
    "forward_steps",
    "gate",
    "gradcheck",
    "graph",
    "stage",
    "topo_sort_steps",
    "topological_order",
]
