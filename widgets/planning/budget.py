"""The drawing budget: the one place that decides, from a graph's shape, whether graphviz can lay it out.

graphviz's layout time grows quickly with size and, more, with tangle: wires that cross between
rows. Measured here: a 2,000-node chain takes 0.6 s, a single call of a 2-16-16-1 MLP (979 drawn
nodes, 1,248 wires, 270 of them beyond a tree's) 9 s, a random graph of 256 nodes 2 s. So a graph is
laid out node by node only when its shape says graphviz will finish quickly; anything else is
drawn folded (widgets.large), and a layout that still runs long is stopped (render.LAYOUT_TIMEOUT_S)
and folded too. Change the limits with e.g. `widgets.budget.MAX_NODES = 10_000` if you will wait.
"""

from __future__ import annotations

MAX_NODES = 1500  # drawn nodes (constants written on their gate do not count)
# Wires cost graphviz more than nodes: micrograd's demo with each model call fused into one gate has
# only 2,016 nodes but 36,000 wires (every call reads all 337 parameters), minutes of layout.
MAX_EDGES = 4000
# Tangle: nodes x the wires beyond a tree's (each computed value read by k gates counts k - 1; inputs,
# which graphviz places freely, do not count). A tree or a chain has none; a layered network or a
# random graph has many, and graphviz's time to untangle grows with both. 120,000 is about where
# layouts here start to take over 2 s (one call of a 2-16-16-1 MLP: 979 nodes x 240 = 235,000, 9 s).
MAX_TANGLE = 120_000

OPTIONS = (
    "Instead: widgets.Overview(root) draws it folded (each nn module call or stage one box, repeated "
    "parts stacked, boxes that expand); focus=node keeps only the paths from the output to one node "
    "(e.g. a parameter); collapsed=True draws each stage as one gate; or draw a smaller expression "
    "(one neuron, one sample). If you are willing to wait, raise widgets.budget.MAX_NODES / MAX_EDGES "
    "/ MAX_TANGLE and widgets.render.LAYOUT_TIMEOUT_S."
)


class GraphTooLarge(ValueError):
    """The graph is too large or too tangled for graphviz to lay out quickly (see `widgets.budget`).

    `reason` says why in a few words, for a caption ("Too many nodes to draw one by one (65,713; ...)").
    """

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message.split(". ")[0]


def check(count: int, what: str = "this graph", edges: int | None = None, extra_wires: int = 0) -> None:
    """Refuse, with what to do instead, a graph of `count` drawn nodes and `edges` wires over the budget;
    `extra_wires` are the wires beyond a tree's (how tangled it is)."""
    if count > MAX_NODES:
        raise GraphTooLarge(
            f"{what} has {count:,} nodes, more than the drawing budget of {MAX_NODES:,}: laying it out "
            f"would take too long. {OPTIONS}",
            f"Too many nodes to draw one by one ({count:,}; the budget is {MAX_NODES:,})",
        )
    if edges is not None and edges > MAX_EDGES:
        raise GraphTooLarge(
            f"{what} has {edges:,} wires, more than the drawing budget of {MAX_EDGES:,}: laying it out "
            f"would take too long. {OPTIONS}",
            f"Too many wires to draw one by one ({edges:,}; the budget is {MAX_EDGES:,})",
        )
    if count * extra_wires > MAX_TANGLE:
        raise GraphTooLarge(
            f"{what} has {count:,} nodes and {extra_wires:,} wires beyond a tree's (many paths cross): "
            f"laying it out would take graphviz well over a second. {OPTIONS}",
            f"Too tangled to draw one by one ({count:,} nodes, {extra_wires:,} crossing paths)",
        )
