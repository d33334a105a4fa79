"""What feedback calls a node: the name names.node_names gives it in the graph being checked, as drawn."""

from __future__ import annotations

from typing import Any

from autograd_core import graph

from ..names import node_names

# The names of the graph being checked. The nodes are kept with their names, so that no id is reused
# while the mapping is in use; report() forgets them once the feedback is made.
_graph_names: dict[int, tuple[Any, str]] = {}


def use_names(root: Any) -> None:
    """Name the nodes of `root`'s graph in feedback exactly as GraphStepper and draw() name them."""
    _graph_names.clear()
    if root is not None:
        order = graph.topological_order(root)
        _graph_names.update({id(n): (n, name) for n, name in zip(order, node_names(order))})


def forget_names() -> None:
    """Let go of the graph whose names feedback used."""
    _graph_names.clear()


def node_name(node: Any) -> str:
    """How feedback calls a node: as the stepper and the drawing beside it call it (a label, else a
    generated name such as n2). Outside the graph being checked: as draw(node) would call it."""
    named = _graph_names.get(id(node))
    if named is not None and named[0] is node:
        return named[1]
    return node_names(graph.topological_order(node))[-1]
