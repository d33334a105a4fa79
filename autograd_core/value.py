"""The scalar node `Value` and the `Gate` that creates it: forward rule and local gradients together."""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from . import stages

# A gate's rule takes its inputs' data (floats) and returns (output, local gradients):
#     rule(a, b) -> (a * b, (b, a))
Rule = Callable[..., tuple[float, tuple[float, ...]]]


class Value:
    """One number in a computational graph: its `data`, its `grad`, and how it was made.

    `_prev` holds the inputs as an ordered tuple (a node used twice, as in `a + a`, appears twice),
    `_op` the gate's name and `_local` the local gradients d(self)/d(input), one per input, recorded
    when the gate ran so that a backward step can show `upstream x local = contribution`.
    """

    # No closures and no reference back from a node to its output: a graph is a tree of plain
    # references, freed by reference counting, never by the cyclic garbage collector. And no tuple
    # per node either: a gate has one or two inputs, kept with their local gradients in the slots
    # `_a`, `_la`, `_b`, `_lb` (`_prev` and `_local` read them as tuples). Every object a node owns is
    # one more for Python's garbage collector to scan; this layout halves the objects a forward pass
    # makes, and with them most of its time. (A gate with more inputs makes a `_WideValue`.)
    __slots__ = ("data", "grad", "_a", "_b", "_la", "_lb", "_gate", "_stage", "label")
    _const = False  # True only for `Constant`, a plain number wrapped as an input

    def __init__(self, data: float, label: str | None = None) -> None:
        self.data = _check_number(data, "Value()")
        self.grad = 0.0
        self._a: Value | None = None  # first input (None for an input node)
        self._b: Value | None = None  # second input (None for a one-input gate)
        self._la = self._lb = 0.0  # their local gradients d(self)/d(_a), d(self)/d(_b)
        self._gate: Gate | None = None
        self._stage = stages.current()
        self.label = _check_label(label)

    # ----- what the article calls the node's attributes -----------------------------------------
    @property
    def _prev(self) -> tuple[Value, ...]:
        """The inputs, in order: `(a, b)` for `a * b`, `(a, a)` for `a + a`, `()` for an input."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        return (a,) if b is None else (a, b)

    @property
    def _local(self) -> tuple[float, ...]:
        """The local gradients d(self)/d(input), one per input, recorded when the gate ran."""
        if self._a is None:
            return ()
        return (self._la,) if self._b is None else (self._la, self._lb)

    @property
    def _op(self) -> str:
        """The gate's name as drawn ('+', '*', '**2', 'tanh'); '' for an input."""
        return self._gate.name if self._gate is not None else ""

    @property
    def _params(self) -> dict[str, Any] | None:
        """The gate's constants (`{'n': 2.0}` for `x ** 2`), or None."""
        return self._gate.params if self._gate is not None else None

    def _backward(self) -> None:
        """Pass this node's gradient to its inputs: `input.grad += self.grad * local` for each."""
        upstream = self.grad
        a = self._a
        if a is not None:
            a.grad += upstream * self._la
            b = self._b
            if b is not None:
                b.grad += upstream * self._lb

    def _contributions(self, upstream: float) -> Iterable[tuple[Value, float, float]]:
        """(input, local gradient, upstream x local) for each input, in `_prev` order."""
        local = self._local
        return zip(self._prev, local, [upstream * g for g in local])

    def _reset_grad(self) -> None:
        self.grad = 0.0

    def _reset_if_intermediate(self) -> None:
        """Before a backward pass: a gate's output starts from 0, an input keeps what it has."""
        if self._a is not None:
            self.grad = 0.0

    def _seed_grad(self, grad: float | None) -> float:
        """The gradient a backward pass starts from at this root: d(self)/d(self) = 1."""
        return 1.0 if grad is None else _check_number(grad, "backward()", "the seed gradient")

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

    def backward(self) -> None:
        """Fill `.grad` of every node in this graph with d(self)/d(node).

        Leaves accumulate across calls (as in PyTorch); intermediate gradients start fresh each call.
        """
        from .graph import backward_steps

        for _ in backward_steps(self, record=False):
            pass

    def zero_grad(self) -> None:
        """Set the gradient of every node in this graph to zero."""
        from .graph import topological_order

        for node in topological_order(self):
            node._reset_grad()

    # ----- gates: forward rules and local gradients live in gates.py ----------------------------
    # Each operator runs its gate's rule through the fast paths `_unary`/`_binary` below.
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
        return power_const(self, n=_check_number(other, "gate '**'", "the exponent"))

    def __rpow__(self, other: float) -> Value:
        return exp_base(self, base=_check_number(other, "gate '**'", "the base"))

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

    # ----- conveniences -------------------------------------------------------------------------
    def __float__(self) -> float:
        return self.data

    def __repr__(self) -> str:
        parts = [_fmt(self.data), f"grad={_fmt(self.grad)}"]
        if self._gate is not None:
            parts.append(f"op={self._op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    def __bool__(self) -> bool:
        raise TypeError(
            "a Value has no truth value: compare its number instead, e.g. `if v.data > 0:`"
        )


class Gate:
    """A differentiable operation declared in one place: a name and a rule.

    The rule takes the inputs' numbers and returns the output together with its local gradients:

        @gate("*")
        def mul(a, b):
            return a * b, (b, a)      # d(ab)/da = b, d(ab)/db = a

    Calling the gate on Values (or plain numbers) runs the rule and records a new node.
    Keyword-only parameters of the rule are constants of the gate: `power_const(x, n=2)` runs the
    gate `power_const.bind(n=2)`, drawn as '**2'.
    """

    __slots__ = ("name", "rule", "arity", "doc", "params", "_bound")

    def __init__(self, name: str, rule: Rule, arity: int | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"a gate needs a non-empty name (a str), got {name!r}")
        if not callable(rule):
            raise TypeError(f"gate {name!r}: the rule must be a function, got {type(rule).__name__}")
        self.name = name
        self.rule = rule
        self.arity = arity if arity is not None else _positional_arity(rule)
        self.doc = rule.__doc__ or ""
        self.params: dict[str, Any] | None = None
        self._bound: dict[tuple, Gate] = {}

    def bind(self, **params: Any) -> Gate:
        """This gate with its constants fixed (`{n}` in the name is filled in), cached per value."""
        key = tuple(sorted(params.items()))
        bound = self._bound.get(key)
        if bound is None:
            rule = self.rule
            name = self.name.format(**{k: _fmt(v) for k, v in params.items()})
            bound = Gate(name, lambda *xs: rule(*xs, **params), self.arity)
            bound.doc, bound.params = self.doc, dict(params)
            self._bound[key] = bound
        return bound

    def __call__(self, *inputs: Value | float, **params: Any) -> Value:
        if params:
            return self.bind(**params)(*inputs)
        if len(inputs) != self.arity:
            raise TypeError(
                f"gate {self.name!r} takes {self.arity} input(s), got {len(inputs)}"
            )
        nodes = tuple(x if type(x) is Value else _as_value(x, self.name) for x in inputs)
        data = [x.data for x in nodes]
        try:
            out, local = self.rule(*data)
        except Exception as e:  # a student's rule: say which gate failed, and on what
            raise _rule_failed(f"gate {self.name!r}", ", ".join(_fmt(x) for x in data), e) from e
        if type(out) is not float or type(local) is not tuple or len(local) != self.arity:
            out, local = self._checked(out, local)
        return _node(out, nodes, local, self)

    def _checked(self, out: Any, local: Any) -> tuple[float, tuple[float, ...]]:
        """Validate what a (possibly student-written) rule returned, and say what is wrong."""
        where = f"gate {self.name!r}"
        out = _check_number(out, where, "the forward rule's output")
        try:
            local = tuple(local)
        except TypeError:
            if self.arity == 1 and isinstance(local, numbers.Real):
                local = (local,)
            else:
                raise TypeError(
                    f"{where}: the rule must return (output, local_gradients) with one local "
                    f"gradient per input; got {local!r} as the local gradients"
                ) from None
        if len(local) != self.arity:
            raise ValueError(
                f"{where}: the rule returned {len(local)} local gradient(s) for {self.arity} "
                f"input(s); give one d(output)/d(input) per input"
            )
        return out, tuple(_check_number(g, where, "a local gradient") for g in local)

    def __repr__(self) -> str:
        return f"Gate({self.name!r}, arity={self.arity})"


def gate(name: str, arity: int | None = None) -> Callable[[Rule], Gate]:
    """Decorator: turn a rule `f(*inputs) -> (output, local_gradients)` into a gate."""

    def make(rule: Rule) -> Gate:
        return Gate(name, rule, arity)

    return make


def define_gate(
    name: str,
    forward: Callable[..., float],
    local: Callable[..., Any],
) -> Gate:
    """A fused gate from two functions: `forward(*inputs) -> out` and `local(*inputs, out) -> grads`.

        sigmoid = define_gate("sigmoid", lambda x: 1 / (1 + math.exp(-x)),
                              lambda x, s: s * (1 - s))
    """
    if not callable(forward) or not callable(local):
        raise TypeError(f"define_gate({name!r}): forward and local must both be functions")
    arity = _positional_arity(forward)

    def rule(*xs: float) -> tuple[float, Any]:
        out = forward(*xs)
        grads = local(*xs, out)
        if arity == 1 and isinstance(grads, numbers.Real):
            grads = (grads,)
        return out, grads

    rule.__doc__ = forward.__doc__
    return Gate(name, rule, arity)


# ----- fast paths for the built-in gates (trusted rules: no output validation) -----------------
# They fill the new node in place rather than calling `_node` below: one call less per operation, which
# is most of an operation's cost in Python (benchmarks/engine.py).
def _unary(g: Gate, a: Value) -> Value:
    out, (local,) = g.rule(a.data)
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v._a = a
    v._b = None
    v._la = local
    v._lb = 0.0
    v._gate = g
    v._stage = stages._active
    v.label = None
    return v


def _binary(g: Gate, a: Value | float, b: Value | float) -> Value:
    if type(a) is not Value:
        a = _as_value(a, g.name)
    if type(b) is not Value:
        b = _as_value(b, g.name)
    out, (local_a, local_b) = g.rule(a.data, b.data)
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v._a = a
    v._b = b
    v._la = local_a
    v._lb = local_b
    v._gate = g
    v._stage = stages._active
    v.label = None
    return v


# ----- helpers ----------------------------------------------------------------------------------
def _node(data: float, prev: tuple, local: tuple, gate_: Gate | None, cls: type | None = None) -> Value:
    """Make a node without re-validating (the gate already did)."""
    if len(prev) > 2:
        v = _new(_WideValue)
        v._more = (prev, local)
        prev, local = prev[:1], local[:1]  # the slots hold the first input too
    else:
        v = _new(cls or Value)
    v.data = data
    v.grad = 0.0
    v._a = prev[0] if prev else None
    v._b = prev[1] if len(prev) > 1 else None
    v._la = local[0] if prev else 0.0
    v._lb = local[1] if len(prev) > 1 else 0.0
    v._gate = gate_
    v._stage = stages._active
    v.label = None
    return v


class _WideValue(Value):
    """A node of a gate with more than two inputs (a student's gate, a fused stage)."""

    __slots__ = ("_more",)  # (inputs, local gradients), as tuples

    @property
    def _prev(self) -> tuple[Value, ...]:
        return self._more[0]

    @property
    def _local(self) -> tuple[float, ...]:
        return self._more[1]

    def _backward(self) -> None:
        upstream = self.grad
        for parent, local in zip(*self._more):
            parent.grad += upstream * local


_new = object.__new__


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


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _positional_arity(fn: Callable) -> int:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = inspect.signature(fn).parameters.values()
    return sum(1 for p in params if p.kind in kinds and p.default is inspect.Parameter.empty)


# The built-in gates are defined like a student's: a rule each, in gates.py.
from .gates import (  # noqa: E402  (gates.py needs Gate, defined above)
    add,
    div,
    exp,
    exp_base,
    log,
    maximum,
    mul,
    neg,
    power,
    power_const,
    relu,
    sigmoid,
    tanh,
)
