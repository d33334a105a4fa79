"""What a graph node is: the protocol `Value` and `Tensor` share, and the read-only helpers other code uses.

A node is what the article draws: `data` (its value), `grad` (d output / d node, after a backward pass),
`label`, `_prev` (its inputs, in order) and `_op` (the gate's name, '' for an input). Everything else
about a node (how it stores its local gradients, its stage, whether it is a constant) is the engine's
business: code outside `autograd_core` (the widgets, the notebooks) asks the helpers below, never the
node's private attributes. Each node type implements the methods of `Node`; the engine's graph walks
(graph.py) and transforms (clone, focus, stage fusion) call only those, so they work for both types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Node(Protocol):
    """The node protocol. Public: `data`, `grad`, `label`, `_prev`, `_op`; the rest is for the engine."""

    data: Any
    grad: Any
    label: str | None

    @property
    def _prev(self) -> tuple[Node, ...]: ...

    @property
    def _op(self) -> str: ...

    # ----- the backward pass (graph.backward_steps) ---------------------------------------------
    def _backward(self) -> None:
        """Pass this node's gradient to its inputs: `input.grad += upstream x local` for each."""

    def _contributions(self, upstream: Any) -> Iterable[tuple[Node, Any, Any]]:
        """(input, local gradient or None, contribution) per input, from `upstream`; changes nothing."""

    def _reset_grad(self) -> None: ...

    def _reset_if_intermediate(self) -> None: ...

    def _seed_grad(self, grad: Any) -> Any: ...

    # ----- what the engine's transforms need ----------------------------------------------------
    def _recompute(self, inputs: list[Any]) -> Any:
        """This node's gate rule run again on other input values (gradient checks)."""

    def _copy(self, prev: tuple[Node, ...]) -> Node:
        """The same node (data, gate, local gradients, label, stage) reading from other inputs; grad zero."""

    def _rerun(self, prev: tuple[Node, ...]) -> Node:
        """This node's gate run again on other input nodes: a new node with its own local gradients."""

    def _held(self) -> Node:
        """A constant holding the same data (and label): this value held fixed."""

    def _leaf(self, data: Any) -> Node:
        """A new input node of this node's type holding `data`."""

    def _fused(self, prev: tuple[Node, ...], name: str, rule: Callable, chain: Callable) -> Node:
        """This node's value as the output of a new gate `name` over `prev`, whose local gradients
        come from `chain(seed) -> gradient of each input` (stage fusion)."""


def is_node(x: Any) -> bool:
    """True for a graph node (a Value or a Tensor)."""
    return hasattr(x, "_prev") and hasattr(x, "data") and hasattr(x, "grad") and hasattr(x, "_copy")


def is_constant(node: Any) -> bool:
    """True for a plain number (or array) mixed into an expression: the 1 in `1 + x`. It learns nothing."""
    return bool(getattr(node, "_const", False))


def is_input(node: Any) -> bool:
    """True for an input the user made (a leaf that is not a constant): a weight, a data point."""
    return not node._prev and not is_constant(node)


def needs_grad(node: Any) -> bool:
    """False for a node no gradient is computed for (a Tensor with requires_grad=False, a constant)."""
    return bool(getattr(node, "requires_grad", True))


def local_gradients(node: Any) -> tuple[Any, ...]:
    """d node / d input for each input, as the gate recorded them when it ran (one per input, in `_prev`
    order). A Tensor gate whose Jacobian is not cheap (`@`, `sum`) records None for that input: its
    backward step is a vector-Jacobian product (see `contributions`)."""
    local = node._local
    if not node._prev:
        return ()
    return tuple(None if callable(g) else g for g in local)


def contributions(node: Any, upstream: Any) -> list[tuple[Any, Any, Any]]:
    """What a backward step of `node` passes to each input for this upstream gradient, changing nothing:
    (input, local gradient or None, upstream x local), in `_prev` order (inputs needing no gradient
    left out)."""
    return list(node._contributions(upstream))


def stage_of(node: Any) -> Any:
    """The innermost `Stage` the node was created in (`with stage(...)`, or an nn module's call), or None."""
    return getattr(node, "_stage", None)


def gate_of(node: Any) -> Any:
    """The gate (a `Gate` or `TensorGate`) that made the node; None for an input.

    A gate describes itself: `.name`, `.symbol` (drawn on the gate), `.why(index, *names)` (why the
    local gradient of input `index` is what it is, in words; `names` are the inputs' names to use)."""
    return getattr(node, "_gate", None)


def symbol_of(node: Any) -> str:
    """What the drawing writes on the node's gate ('×', '^2', 'tanh'); '' for an input."""
    made_by = gate_of(node)
    if made_by is None:
        return ""
    params = gate_params(node)
    symbol = made_by.symbol
    if params and "{" in symbol:  # a tensor gate's constants are the node's, not the gate's
        symbol = symbol.format(**{k: f"{v:g}" if isinstance(v, float) else v for k, v in params.items()})
    return symbol


def why_of(node: Any, index: int, *names: str) -> str:
    """Why the node's local gradient for input `index` is what it is ('' when its gate does not say).

    `names` are the inputs' names as the reader sees them (default: the rule's own, `a`, `b`)."""
    made_by = gate_of(node)
    return made_by.why(index, *names, **gate_params(node)) if made_by is not None else ""


def gate_params(node: Any) -> dict[str, Any]:
    """The constants of the node's gate (`{'n': 2.0}` for `x ** 2`, `{'axis': 0}` for `t.sum(axis=0)`)."""
    return dict(getattr(node, "_params", None) or {})


def shape_of(node: Any) -> tuple[int, ...] | None:
    """The shape of a Tensor node's data; None for a scalar Value."""
    shape = getattr(node.data, "shape", None)
    return tuple(shape) if shape is not None else None


def constant_like(node: Any) -> Any:
    """A constant node holding the same data and label as `node` (the node held fixed)."""
    return node._held()
