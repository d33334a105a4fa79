"""Backprop Lab's widgets: draw a graph, and step through its forward and backward pass."""

from .budget import GraphTooLarge
from .draw import Drawing, draw
from .render import GraphvizNotFound
from .stepper import GraphStepper

__all__ = ["Drawing", "GraphStepper", "GraphTooLarge", "GraphvizNotFound", "draw"]
