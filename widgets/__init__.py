"""Backprop Lab's widgets: draw a graph, step through its forward and backward pass, and debug it."""

from .budget import GraphTooLarge
from .draw import Drawing, draw
from .gradcheck_view import GradCheckView
from .large import Overview
from .render import GraphvizNotFound
from .stepper import GraphStepper
from .toposort import TopoSortPlayer

__all__ = [
    "Drawing",
    "GradCheckView",
    "GraphStepper",
    "GraphTooLarge",
    "GraphvizNotFound",
    "Overview",
    "TopoSortPlayer",
    "draw",
]
