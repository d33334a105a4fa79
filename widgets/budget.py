"""The node budget: the one place that decides whether a graph is small enough to lay out."""

from __future__ import annotations

# graphviz's layout time grows quickly with size; past this many nodes a drawing is refused with
# a message instead of freezing the notebook. Change it with `widgets.budget.MAX_NODES = 10_000`.
MAX_NODES = 5000


class GraphTooLarge(ValueError):
    """The graph has more nodes than `widgets.budget.MAX_NODES` allows."""


def check(count: int, what: str = "this graph") -> None:
    """Refuse, with what to do instead, a graph of `count` nodes over the budget."""
    if count > MAX_NODES:
        raise GraphTooLarge(
            f"{what} has {count} nodes, more than the drawing budget of {MAX_NODES}: laying it out "
            "would take too long. Draw a smaller expression (e.g. one neuron instead of the whole "
            "network), or raise the budget with `widgets.budget.MAX_NODES = ...` if you are willing to wait."
        )
