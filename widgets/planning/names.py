"""What each node is called, everywhere: drawings, narrations, predict mode, exercise feedback, exports.

One function, `node_names`, so that a node has one name wherever a student meets it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd_core.node import is_constant

from . import formatting

# Unary gates whose output can be named after a named input: -y, tanh(x), exp(n3), softplus(x)
# (any gate whose name is a word reads as a function).
_PREFIX = {"neg": "-"}
_SHORT = 12  # a longer derived name would crowd the drawing: use a generated one instead


def node_names(order: Sequence[Any]) -> list[str]:
    """One name per node of a topological order (root last).

    A node's `label` when set (the names the notebook gave: `e`, `loss`); a constant is written as
    its number; an unlabelled root is `L` (the loss); a unary gate on a named input is named after it
    (`-y`, `tanh(x)`) when that is short and free; any other node is `n` plus its place in the
    forward order, counting from 0 and leaving out constants (`n2` is the third value computed).
    Constants do not count so that the same expression gets the same names whether it is written
    `1 / (1 + e)` or with a fused gate; the order does not change between runs.
    """
    taken = {n.label for n in order if getattr(n, "label", None)}
    index = {id(n): i for i, n in enumerate(order)}
    names: list[str] = []
    last = len(order) - 1
    place = -1  # the node's place in the forward order, constants left out
    for i, node in enumerate(order):
        label = getattr(node, "label", None)
        const = is_constant(node)
        place += 0 if const else 1
        if label:
            names.append(label)
        elif const:
            shape = formatting.shape_of(node.data)
            names.append(f"const{shape}" if shape else formatting.full(node.data))
        else:
            name = "L" if i == last else _derived(node, names, index) or f"n{place}"
            while name in taken:
                name += "'"
            taken.add(name)
            names.append(name)
    return names


def _derived(node: Any, names: list[str], index: dict[int, int]) -> str | None:
    """`-y` for neg(y), `tanh(x)` for tanh(x): a name read off the gate and its one named input."""
    prev = node._prev
    if len(prev) != 1 or is_constant(prev[0]):
        return None
    op, inner = node._op, names[index[id(prev[0])]]
    if op in _PREFIX:
        inner = f"({inner})" if any(c in inner for c in "+-*/^ ") else inner
        name = _PREFIX[op] + inner
    elif op.isidentifier():
        name = f"{op}({inner})"
    else:
        return None
    return name if len(name) <= _SHORT else None
