"""What each node is called in drawings and narrations: its label, or a stable generated name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import formatting


def node_names(order: Sequence[Any]) -> list[str]:
    """One name per node of a topological order (root last).

    A node's `label` when set; a constant is written as its number; the root is `L` (the loss);
    any other node is `n` plus its position in the order, which does not change between runs.
    """
    taken = {n.label for n in order if getattr(n, "label", None)}
    names = []
    last = len(order) - 1
    for i, node in enumerate(order):
        label = getattr(node, "label", None)
        if label:
            names.append(label)
        elif getattr(node, "_const", False):
            names.append(formatting.full(node.data))
        else:
            name = "L" if i == last else f"n{i}"
            while name in taken:
                name += "'"
            names.append(name)
    return names
