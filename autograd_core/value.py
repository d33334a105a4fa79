"""The scalar node `Value`: one number of a graph, its gradient, and the gate that made it.

A gate (gate.py) is a rule; running it records a `Value` whose `_prev` are the inputs and whose
`_local` are the local gradients the rule returned. The built-in gates are in gates.py; each operator
below runs one.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import Any

from . import stages
from .gate import Gate, Rule, fmt
from .gates import add, div, exp, exp_base, log, maximum, mul, neg, power, power_const, relu, sigmoid, tanh


class Value:
    """One number in a computational graph: its `data`, its `grad`, and how it was made.

    `_prev` holds the inputs as an ordered tuple (a node used twice, as in `a + a`, appears twice),
    `_local` the local gradients d(self)/d(input), one per input, recorded when the gate ran so that a
    backward step can show `upstream x local = contribution`, and `_op` the gate's name.
    """

    # No closures and no reference back from a node to its output: a graph is a tree of plain
    # references, freed by reference counting, never by the cyclic garbage collector (micrograd's
    # `_backward` closures make every node part of a cycle, which dominates its run time).
    __slots__ = ("data", "grad", "_prev", "_local", "_gate", "_stage", "label")
    _const = False  # True only for `Constant`, a plain number wrapped as an input

    def __init__(self, data: float, label: str | None = None) -> None:
        self.data = _check_number(data, "Value()")
        self.grad = 0.0
        self._prev: tuple[Value, ...] = ()  # the inputs, in order: (a, b) for a * b; () for an input
        self._local: tuple[float, ...] = ()  # d(self)/d(input) for each input, as the gate computed it
        self._gate: Gate | None = None  # the gate that made this node; None for an input
        self._stage = stages.current()  # the `with stage(...)` this node was made in, or None
        self.label = _check_label(label)

    @property
    def _op(self) -> str:
        """The gate's name as drawn ('+', '*', '**2', 'tanh'); '' for an input."""
        return self._gate.name if self._gate is not None else ""

    @property
    def _params(self) -> dict[str, Any] | None:
        """The gate's constants (`{'n': 2.0}` for `x ** 2`), or None."""
        return self._gate.params if self._gate is not None else None

    # ----- gates: each operator runs one (forward rules and local gradients are in gates.py) --------
    def __add__(self, other: Value | float) -> Value:
        return _binary(add, self, other)

    def __radd__(self, other: float) -> Value:
        return _binary(add, other, self)

    def __mul__(self, other: Value | float) -> Value:
        return _binary(mul, self, other)

    def __rmul__(self, other: float) -> Value:
        return _binary(mul, other, self)

    def __neg__(self) -> Value:
        return _unary(neg, self)

    def __sub__(self, other: Value | float) -> Value:
        # The article's subtraction: negate, then add. A plain number is negated right away
        # (x - 2 is x + (-2)): a gate that negates a constant would teach nothing.
        if isinstance(other, Value):
            return _binary(add, self, _unary(neg, other))
        return _binary(add, self, -_check_number(other, "gate '-'", "the number subtracted"))

    def __rsub__(self, other: float) -> Value:
        return _binary(add, other, _unary(neg, self))

    def __truediv__(self, other: Value | float) -> Value:
        return _binary(div, self, other)

    def __rtruediv__(self, other: float) -> Value:
        return _binary(div, other, self)

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _binary(power, self, other)
        return _unary(power_const.bind(n=_check_number(other, "gate '**'", "the exponent")), self)

    def __rpow__(self, other: float) -> Value:
        return _unary(exp_base.bind(base=_check_number(other, "gate '**'", "the base")), self)

    def exp(self) -> Value:
        return _unary(exp, self)

    def log(self) -> Value:
        return _unary(log, self)

    def tanh(self) -> Value:
        return _unary(tanh, self)

    def sigmoid(self) -> Value:
        return _unary(sigmoid, self)

    def relu(self) -> Value:
        return _unary(relu, self)

    def max(self, other: Value | float) -> Value:
        return _binary(maximum, self, other)

    # ----- the backward pass (graph.backward runs it) -------------------------------------------------
    def backward(self) -> None:
        """Fill `.grad` of every node in this graph with d(self)/d(node).

        Leaves accumulate across calls (as in PyTorch); intermediate gradients start fresh each call.
        """
        from .graph import backward

        backward(self)

    def zero_grad(self) -> None:
        """Set the gradient of every node in this graph to zero."""
        from .graph import topological_order

        for node in topological_order(self):
            node._reset_grad()

    def _backward(self) -> None:
        """Pass this node's gradient to its inputs: `input.grad += self.grad * local` for each."""
        upstream = self.grad
        for parent, local in zip(self._prev, self._local):
            parent.grad += upstream * local

    def _contributions(self, upstream: float) -> Iterable[tuple[Value, float, float]]:
        """(input, local gradient, upstream x local) for each input, in `_prev` order."""
        return [(parent, local, upstream * local) for parent, local in zip(self._prev, self._local)]

    def _reset_grad(self) -> None:
        self.grad = 0.0

    def _reset_if_intermediate(self) -> None:
        """Before a backward pass: a gate's output starts from 0, an input keeps what it has."""
        if self._prev:
            self.grad = 0.0

    def _seed_grad(self, grad: float | None) -> float:
        """The gradient a backward pass starts from at this root: d(self)/d(self) = 1."""
        return 1.0 if grad is None else _check_number(grad, "backward()", "the seed gradient")

    # ----- what the graph transforms need (node.py's protocol) --------------------------------------
    def _recompute(self, inputs: list[float]) -> float:
        """Run this node's gate rule again on other input values (for gradient checks)."""
        return self._gate.rule(*inputs)[0]

    def _copy(self, prev: tuple[Value, ...]) -> Value:
        v = _node(self.data, prev, self._local, self._gate, type(self))
        v._stage = self._stage
        v.label = self.label
        return v

    def _rerun(self, prev: tuple[Value, ...]) -> Value:
        """This node's gate run again on other input nodes (a new node, with its own local gradients)."""
        return self._gate(*prev)

    def _held(self) -> Value:
        held = _node(self.data, (), (), None, Constant)
        held.label = self.label
        return held

    def _leaf(self, data: float) -> Value:
        return Value(data)

    def _fused(self, prev: tuple[Value, ...], name: str, rule: Rule, chain: Callable) -> Value:
        """This value as the output of one gate over `prev` whose local gradients are `chain(1)`."""
        local = tuple(0.0 if g is None else g for g in chain(1.0))
        v = _node(self.data, prev, local, Gate(name, rule, arity=len(prev)))
        v.label = self.label
        return v

    @classmethod
    def _record(cls, gate_: Gate, inputs: tuple[Value | float, ...]) -> Value:
        """Run a gate on these inputs (Values or plain numbers) and record its output node."""
        nodes = tuple(x if type(x) is Value else _as_value(x, gate_.name) for x in inputs)
        data = [x.data for x in nodes]
        try:
            out, local = gate_.rule(*data)
        except Exception as e:  # a student's rule: say which gate failed, and on what
            raise _rule_failed(f"gate {gate_.name!r}", ", ".join(fmt(x) for x in data), e) from e
        if type(out) is not float or type(local) is not tuple or len(local) != gate_.arity:
            out, local = _checked(gate_, out, local)
        return _node(out, nodes, local, gate_)

    # ----- conveniences -----------------------------------------------------------------------------
    def __float__(self) -> float:
        return self.data

    def __repr__(self) -> str:
        parts = [fmt(self.data), f"grad={fmt(self.grad)}"]
        if self._gate is not None:
            parts.append(f"op={self._op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    def __bool__(self) -> bool:
        raise TypeError(
            "a Value has no truth value: compare its number instead, e.g. `if v.data > 0:`"
        )


Gate.node = Value  # what a gate records (gate.py imports no node type: see its docstring)


# ----- making nodes -------------------------------------------------------------------------------
_new = object.__new__  # a node without running __init__ (its fields are set right after)


def _node(data: float, prev: tuple, local: tuple, gate_: Gate | None, cls: type = Value) -> Value:
    """A gate's output node, already validated (by the gate, or because the rule is a built-in)."""
    v = _new(cls)
    v.data = data
    v.grad = 0.0
    v._prev = prev
    v._local = local
    v._gate = gate_
    v._stage = stages._active
    v.label = None
    return v


# The operators' fast paths: a built-in rule is trusted, so its output is not re-validated, and the
# node is filled in place (one call less per operation: most of an operation's cost in Python).
def _unary(g: Gate, a: Value) -> Value:
    out, local = g.rule(a.data)
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v._prev = (a,)
    v._local = local
    v._gate = g
    v._stage = stages._active
    v.label = None
    return v


def _binary(g: Gate, a: Value | float, b: Value | float) -> Value:
    if type(a) is not Value:
        a = _as_value(a, g.name)
    if type(b) is not Value:
        b = _as_value(b, g.name)
    out, local = g.rule(a.data, b.data)
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v._prev = (a, b)
    v._local = local
    v._gate = g
    v._stage = stages._active
    v.label = None
    return v


def _checked(gate_: Gate, out: Any, local: Any) -> tuple[float, tuple[float, ...]]:
    """Validate what a (possibly student-written) rule returned, and say what is wrong."""
    where = f"gate {gate_.name!r}"
    out = _check_number(out, where, "the forward rule's output")
    try:
        local = tuple(local)
    except TypeError:
        if gate_.arity == 1 and isinstance(local, numbers.Real):
            local = (local,)
        else:
            raise TypeError(
                f"{where}: the rule must return (output, local_gradients) with one local "
                f"gradient per input; got {local!r} as the local gradients"
            ) from None
    if len(local) != gate_.arity:
        raise ValueError(
            f"{where}: the rule returned {len(local)} local gradient(s) for {gate_.arity} "
            f"input(s); give one d(output)/d(input) per input"
        )
    return out, tuple(_check_number(g, where, "a local gradient") for g in local)


# ----- helpers ------------------------------------------------------------------------------------
class Constant(Value):
    """A plain number used in an expression (the 1 in `1 + x`), wrapped as an input node."""

    __slots__ = ()
    _const = True


def _as_value(x: Any, where: str) -> Value:
    """Wrap a plain number as a constant input node; refuse anything else with a clear message."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        return _node(_check_number(x, f"gate {where!r}", "the number"), (), (), None, Constant)
    raise TypeError(
        f"gate {where!r}: cannot combine a Value with {_describe(x)}; "
        "use a number (int or float) or a Value"
    )


def _check_number(x: Any, where: str, what: str = "its argument") -> float:
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):  # int, bool, numpy scalars, Fraction...
        try:
            return float(x)
        except OverflowError:
            raise too_big(x, where, what) from None
    if getattr(x, "shape", None) == () and getattr(getattr(x, "dtype", None), "kind", "") in "biuf":
        return float(x)  # a 0-d numpy array holds one number
    hint = ""
    if isinstance(x, Value):
        hint = "; it is already a Value: use it as it is (or Value(v.data) for a detached copy)"
    elif isinstance(x, str):
        hint = f"; convert it first, e.g. float({x!r})"
    elif hasattr(x, "__len__") or hasattr(x, "shape"):
        hint = "; a Value holds one number: for arrays use autograd_core.Tensor"
    raise TypeError(f"{where}: {what} must be a real number (int or float), got {_describe(x)}{hint}")


def too_big(x: Any, where: str, what: str) -> OverflowError:
    """The error for a number beyond float64's range (about 1.8e308), such as the int 10**400."""
    digits = len(str(abs(int(x)))) if isinstance(x, numbers.Integral) else None
    shown = f"an int of {digits} digits" if digits and digits > 30 else repr(x)
    return OverflowError(
        f"{where}: {what}, {shown}, is too large for a float (the largest is about 1.8e308); "
        "use float('inf') if you mean infinity, or rescale the problem (e.g. work with its logarithm)"
    )


def _rule_failed(where: str, inputs: str, error: Exception) -> Exception:
    """The error a failing gate rule raises: the same kind, saying which gate failed and on what."""
    message = (
        f"{where} failed on inputs ({inputs}): {type(error).__name__}: {error}. "
        "Check the gate's rule for these inputs: it must return (output, local gradients)"
    )
    try:
        return type(error)(message)
    except Exception:  # an exception class that takes other arguments
        return RuntimeError(message)


def _check_label(label: Any) -> str | None:
    if label is None or isinstance(label, str):
        return label
    raise TypeError(f"Value(label=...) must be a str, got {_describe(label)}")


def _describe(x: Any) -> str:
    text = repr(x)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(x).__name__} {text}"
