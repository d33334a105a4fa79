"""The node budget: the one place that decides whether a graph is small enough to lay out."""

from __future__ import annotations

# graphviz's layout time grows quickly with size (a 2,000-node graph takes 5-13 s here, once);
# past this many nodes draw() folds the graph and GraphStepper refuses with the options, instead of
# freezing the notebook. Change it with `widgets.budget.MAX_NODES = 10_000`.
MAX_NODES = 2500
# Wires cost graphviz more than nodes: micrograd's demo with each model call fused into one gate has
# only 2,016 nodes but 36,000 wires (every call reads all 337 parameters), minutes of layout.
MAX_EDGES = 10_000

OPTIONS = (
    "Instead: widgets.Overview(root) draws it folded (each nn module call or stage one box, repeated "
    "parts stacked, boxes that expand); focus=node keeps only the paths from the output to one node "
    "(e.g. a parameter); collapsed=True draws each stage as one gate; or draw a smaller expression "
    "(one neuron, one sample). If you are willing to wait, raise widgets.budget.MAX_NODES / MAX_EDGES."
)


class GraphTooLarge(ValueError):
    """The graph has more nodes than `widgets.budget.MAX_NODES` allows (or wires than MAX_EDGES)."""


def check(count: int, what: str = "this graph", edges: int | None = None) -> None:
    """Refuse, with what to do instead, a graph of `count` nodes (and `edges` wires) over the budget."""
    if count > MAX_NODES:
        raise GraphTooLarge(
            f"{what} has {count:,} nodes, more than the drawing budget of {MAX_NODES:,}: laying it out "
            f"would take too long. {OPTIONS}"
        )
    if edges is not None and edges > MAX_EDGES:
        raise GraphTooLarge(
            f"{what} has {edges:,} wires, more than the drawing budget of {MAX_EDGES:,}: laying it out "
            f"would take too long. {OPTIONS}"
        )
