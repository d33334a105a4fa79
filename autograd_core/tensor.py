"""The array node `Tensor`: the scalar engine's ideas, on numpy arrays.

A Tensor is to an array what a `Value` is to a number. Its gates are declared as rules too
(tensor_gates.py, made into gates by tensor_rules.py): a rule takes the inputs' arrays and returns the
output and, per input, a local gradient. Where that local gradient is elementwise (the diagonal of the
Jacobian, as for `*` or `tanh`) the rule returns it as an array or a number, and a backward step shows
`upstream x local = contribution`, summed back to the input's shape if the gate broadcast it.
Where the Jacobian is not cheap to hold (`@`, `sum`, `softmax`) the rule returns a function
`upstream -> contribution` instead (a vector-Jacobian product) and the step shows `local=None`.

The backward pass is the graph module's, the same one `Value` uses: `graph.backward_steps`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from . import graph, stages
from .tensor_gates import (
    add,
    div,
    exp,
    exp_base,
    getitem,
    log,
    log_softmax,
    matmul,
    max_,
    maximum,
    mean,
    mul,
    neg,
    power,
    power_const,
    relu,
    reshape,
    sigmoid,
    softmax,
    sub,
    sum_,
    tanh,
    transpose,
)
from .tensor_rules import (  # noqa: F401  (ShapeError, TensorRule, tensor_gate: part of this module's API)
    Select,
    ShapeError,
    TensorGate,
    TensorRule,
    describe,
    loud,
    quiet,
    short,
    tensor_gate,
    unbroadcast,
)
from .value import Value, too_big


# ----- how gates make nodes ------------------------------------------------------------------------
def _node(
    data: np.ndarray, prev: tuple, local: tuple, gate_: TensorGate | None, params: dict | None,
    requires_grad: bool,
) -> Tensor:
    """Make a node without re-validating (the gate already did)."""
    t = Tensor.__new__(Tensor)
    t.data = data
    z = _ZEROS.get(data.shape)
    t.grad = z if z is not None else zeros(data.shape)
    t.requires_grad = requires_grad
    t._prev = prev
    t._local = local
    t._gate = gate_
    t._params = params
    t._stage = stages._active
    t.label = None
    t._const = False
    return t


def _constant(x: Any, where: str) -> Tensor:
    """Wrap a number or an array as a constant input node (it needs no gradient)."""
    if isinstance(x, Value):
        raise TypeError(
            f"gate {where!r}: cannot combine a Tensor with a Value (the scalar engine); "
            "use Tensor for both, e.g. Tensor(v.data)"
        )
    if isinstance(x, (bool, str, bytes)) or x is None:
        raise TypeError(f"gate {where!r}: cannot combine a Tensor with {describe(x)}; use numbers or arrays")
    t = _node(_to_array(x, f"gate {where!r}", copy=False), (), (), None, None, False)
    t._const = True
    return t


class Tensor:
    """An array of float64 numbers in a computational graph: its `data`, its `grad`, how it was made.

    `_prev` holds the inputs in order, `_op` the gate's name and `_local` one local gradient per
    input (an array, a number, or a function of the upstream gradient). `requires_grad=False`
    marks an input that needs no gradient (the data, the labels): as in PyTorch, a node gets a
    gradient only if it depends on a tensor that requires one, and backward skips the rest.

    An input's `.grad` is its own array, yours to read and write (after `zero_grad()` too). A gate's
    output's `.grad` is the engine's: gradients are never changed in place (each `+=` makes a new
    array), so an intermediate node's gradient may be the very array another node passed to it, or
    a shared read-only array of zeros before it gets any; treat it as read-only.
    """

    __slots__ = (
        "data", "grad", "requires_grad", "_prev", "_local", "_gate", "_params", "_stage", "label",
        "_const",
    )
    # NumPy hands `array + tensor` to Tensor.__radd__ instead of broadcasting over the tensor.
    __array_ufunc__ = None

    # How a gate (tensor_rules.TensorGate) records its output, and wraps a plain array as a constant.
    _output = staticmethod(_node)
    _constant = staticmethod(_constant)

    def __init__(self, data: Any, label: str | None = None, requires_grad: bool = True) -> None:
        self.data = _to_array(data, "Tensor()")
        self.grad = np.zeros(self.data.shape)
        self.requires_grad = bool(requires_grad)
        self._prev: tuple[Tensor, ...] = ()
        self._local: tuple[Any, ...] = ()
        self._gate: TensorGate | None = None
        self._params: dict[str, Any] | None = None
        self._stage = stages.current()
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Tensor(label=...) must be a str, got {type(label).__name__} {label!r}")
        self.label = label
        self._const = False

    # ----- what the article calls the node's attributes -----------------------------------------
    @property
    def _op(self) -> str:
        """The gate's name as drawn ('@', '+', '**2', 'sum', 'relu'); '' for an input."""
        return self._gate.op_name(self._params) if self._gate is not None else ""

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def _backward(self) -> None:
        """Pass this node's gradient to its inputs: `input.grad += contribution` for each.

        The same arithmetic as `_contributions` below, written out flat: this runs once per node in
        every backward pass, and a generator and a tuple per input cost as much as a small gate's numpy.
        """
        upstream = self.grad
        for parent, local in zip(self._prev, self._local):
            if not parent.requires_grad:
                continue
            kind = type(local)
            if kind is float:
                value = upstream if local == 1.0 else upstream * local
            elif kind is np.ndarray:
                value = upstream * local
            elif kind is Select:
                value = local.route(upstream)
            elif callable(local):  # a vector-Jacobian product, already in the input's shape
                value = local(upstream)
            else:
                value = upstream * local
            shape = parent.data.shape
            if value.shape != shape:
                value = unbroadcast(value, shape)
            before = parent.grad
            if parent._prev:
                # An intermediate's first contribution: 0 + value is value, no need for a new array.
                parent.grad = value if before is _ZEROS.get(shape) else before + value
            elif before.size > 4096 and value is not upstream and value.base is None \
                    and not np.count_nonzero(before):
                # A large input's first contribution after zero_grad(): take the new array itself (it
                # is nobody else's) rather than add it to zeros, a pass over memory saved per parameter.
                parent.grad = value
            else:
                parent.grad = before + value

    def _contributions(self, upstream: np.ndarray):
        """(input, local gradient, contribution) for each input that needs a gradient."""
        for parent, local in zip(self._prev, self._local):
            if not parent.requires_grad:
                continue
            token = quiet()
            try:
                if type(local) is Select:
                    shown, value = local.as_array(), local.route(upstream)
                elif callable(local):  # a vector-Jacobian product: no local Jacobian to show
                    shown, value = None, local(upstream)
                else:
                    shown = local
                    value = upstream if (type(local) is float and local == 1.0) else upstream * local
                if shown is not None and value.shape != parent.data.shape:
                    value = unbroadcast(value, parent.data.shape)
            finally:
                loud(token)
            yield parent, shown, value

    def _reset_grad(self) -> None:
        # An input gets an array of its own, which the user may write to; a gate's output the shared
        # read-only zeros (no allocation: it is reset before every backward pass anyway).
        self.grad = zeros(self.data.shape) if self._prev else np.zeros(self.data.shape)

    def _reset_if_intermediate(self) -> None:
        """Before a backward pass: a gate's output starts from 0, an input keeps what it has."""
        if self._prev:
            z = _ZEROS.get(self.data.shape)
            self.grad = z if z is not None else zeros(self.data.shape)

    def _seed_grad(self, grad: Any) -> np.ndarray:
        """The gradient a backward pass starts from at this root (ones for a one-element tensor)."""
        if not self.requires_grad:
            raise ValueError(
                "backward(): this tensor does not depend on any tensor with requires_grad=True, "
                "so there is nothing to differentiate; make the parameters Tensor(..., requires_grad=True)"
            )
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() on a tensor of shape {self.data.shape} needs an explicit gradient of "
                    f"that shape, d(something)/d(this tensor): e.g. t.backward(np.ones({self.data.shape})); "
                    "or reduce it to one number first: t.sum().backward()"
                )
            return np.array(1.0).reshape(self.data.shape)  # np.ones, without its Python wrapper
        seed = _to_array(grad.data if isinstance(grad, Tensor) else grad, "backward()")
        if seed.shape != self.data.shape:
            raise ValueError(
                f"backward(): the gradient has shape {seed.shape} but the tensor has shape "
                f"{self.data.shape}; they must be the same"
            )
        return seed

    def _recompute(self, inputs: list[np.ndarray]) -> np.ndarray:
        """Run this node's gate rule again on other input arrays (for gradient checks)."""
        return np.asarray(self._gate.rule(*inputs, **(self._params or {}))[0], dtype=np.float64)

    def _copy(self, prev: tuple[Tensor, ...]) -> Tensor:
        t = _node(self.data, prev, self._local, self._gate, self._params, self.requires_grad)
        t._stage, t.label, t._const = self._stage, self.label, self._const
        return t

    def _rerun(self, prev: tuple[Tensor, ...]) -> Tensor:
        """This node's gate run again on other input nodes (a new node, with its own local gradients)."""
        return self._gate(*prev, **(self._params or {}))

    def _held(self) -> Tensor:
        t = _node(self.data, (), (), None, None, False)
        t.label, t._const = self.label, True
        return t

    def _leaf(self, data: np.ndarray) -> Tensor:
        return Tensor(data)

    def _fused(self, prev: tuple[Tensor, ...], name: str, rule: TensorRule, chain: Callable) -> Tensor:
        """This tensor as the output of one gate over `prev`; each input's local gradient is a
        vector-Jacobian product, `chain(upstream)` backpropagated through the stage's own gates."""
        cache: list = [None, None]  # (upstream, the inputs' gradients): one pass serves every input

        def through(g: np.ndarray, k: int) -> np.ndarray:
            if cache[0] is not g:
                cache[0], cache[1] = g, chain(g)
            got = cache[1][k]
            return np.zeros(prev[k].data.shape) if got is None else got

        local = tuple((lambda g, k=k: through(g, k)) for k in range(len(prev)))
        requires_grad = any(p.requires_grad for p in prev)
        gate_ = TensorGate(name, rule)
        t = _node(self.data, prev, local if requires_grad else (), gate_, None, requires_grad)
        t.label = self.label
        return t

    def backward(self, grad: Any = None) -> None:
        """Fill `.grad` of every node in this graph with d(self)/d(node).

        `grad` seeds the root: required unless this tensor holds one number. Leaves accumulate
        across calls (as in PyTorch); intermediate gradients start fresh each call.
        """
        token = quiet()  # inf and nan are values here, not warnings (as in the scalar engine)
        try:
            graph.backward(self, grad)
        finally:
            loud(token)

    def zero_grad(self) -> None:
        """Set the gradient of every node in this graph to zeros."""
        for node in graph.topological_order(self):
            node._reset_grad()

    # ----- the scalar engine's gates, elementwise, with NumPy broadcasting ----------------------
    def __add__(self, other: Any) -> Tensor:
        return add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        # One gate, not negate-then-add as for Value: on arrays that saves a whole pass.
        return sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return mul(other, self)

    def __neg__(self) -> Tensor:
        return neg(self)

    def __truediv__(self, other: Any) -> Tensor:
        return div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return power(self, other)
        return power_const(self, n=_exponent(other, "**", "the exponent"))

    def __rpow__(self, other: Any) -> Tensor:
        if isinstance(other, numbers.Real) and not isinstance(other, bool):
            return exp_base(self, base=float(other))
        return power(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other, self)

    def exp(self) -> Tensor:
        return exp(self)

    def log(self) -> Tensor:
        return log(self)

    def tanh(self) -> Tensor:
        return tanh(self)

    def sigmoid(self) -> Tensor:
        return sigmoid(self)

    def relu(self) -> Tensor:
        return relu(self)

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max(self, other) (the scalar engine's `max` gate); ties share the gradient."""
        return maximum(self, other)

    # ----- reductions and shape gates -----------------------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return sum_(self, axis=_axis(axis), keepdims=bool(keepdims))

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return mean(self, axis=_axis(axis), keepdims=bool(keepdims))

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """The largest entry (along `axis`); tied entries share the gradient evenly (torch.amax)."""
        return max_(self, axis=_axis(axis), keepdims=bool(keepdims))

    @property
    def T(self) -> Tensor:  # noqa: N802  (NumPy's name)
        return self.transpose()

    def transpose(self, *axes: int) -> Tensor:
        """Permute the axes (reverse them when none are given), like `ndarray.transpose`."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return transpose(self, axes=tuple(axes) if axes else None)

    def reshape(self, *shape: int) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return reshape(self, shape=tuple(shape))

    def __getitem__(self, index: Any) -> Tensor:
        return getitem(self, index=_index(index))

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(x) / sum(exp(x)) along `axis`, computed after subtracting the max (never overflows)."""
        return softmax(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """x - log(sum(exp(x))) along `axis`, computed after subtracting the max (never overflows)."""
        return log_softmax(self, axis=axis)

    # ----- conveniences -------------------------------------------------------------------------
    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item(): the tensor has shape {self.data.shape}, not one element")
        return float(self.data.reshape(()))

    def numpy(self) -> np.ndarray:
        return self.data

    def __float__(self) -> float:
        return self.item()

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        extra = f", op={self._op!r}" if self._gate is not None else ""
        if self.label:
            extra += f", label={self.label!r}"
        if not self.requires_grad:
            extra += ", requires_grad=False"
        return f"Tensor({body}{extra})"

    def __bool__(self) -> bool:
        raise TypeError("a Tensor has no truth value: compare its numbers instead, e.g. `(t.data > 0).all()`")

    __hash__ = object.__hash__


# ----- helpers ----------------------------------------------------------------------------------
# Gradients that are still zero share one read-only array of zeros per shape (no memory, no
# allocation per node). Gradients are never changed in place, so sharing is safe.
_ZEROS: dict[tuple[int, ...], np.ndarray] = {}
_ZERO = np.zeros(())


def zeros(shape: tuple[int, ...]) -> np.ndarray:
    """A read-only array of zeros of this shape, shared: the gradient of a node that got none yet."""
    z = _ZEROS.get(shape)
    if z is None:
        if len(_ZEROS) > 4096:
            _ZEROS.clear()
        z = _ZEROS[shape] = np.broadcast_to(_ZERO, shape)
    return z


def _to_array(x: Any, where: str, copy: bool = True) -> np.ndarray:
    """A float64 copy of array-like numbers; refuse anything else with a clear message.

    Refused, as PyTorch's torch.tensor refuses them, rather than converted silently: None (numpy
    makes it nan), strings (numpy parses '3'), Values (they would become constants, and their
    gradients would never arrive), ragged lists, and ints too large for a float.
    """
    if type(x) is np.ndarray and x.dtype.kind in "biuf":  # the common case: an array of numbers
        return x.astype(np.float64, copy=copy)
    if isinstance(x, Tensor):
        return x.data.copy()
    if x is None or isinstance(x, (str, bytes, Value)):
        raise _not_numbers(x, x, where)
    try:
        arr = np.asarray(x)
    except ValueError as e:
        if "inhomogeneous" in str(e) or "sequence" in str(e):
            raise ValueError(
                f"{where}: the rows have different lengths, {short(x)}; a Tensor is a rectangular "
                "array: give every row the same number of entries (pad the short ones, or make one "
                "Tensor per row)"
            ) from None
        raise TypeError(f"{where}: expected numbers (a number, a list of numbers, or a numpy array), "
                        f"got {describe(x)} ({e})") from None
    except OverflowError:
        raise too_big(x, where, "a number") from None
    kind = arr.dtype.kind
    if kind in "biuf":
        return arr.astype(np.float64, copy=copy or arr is x)
    if kind == "c":
        raise TypeError(f"{where}: complex numbers are not supported, got {describe(x)}")
    if kind == "O":  # a list holding something that is not a plain number
        for item in arr.flat:
            if isinstance(item, numbers.Real) and not isinstance(item, bool):
                try:
                    float(item)
                except OverflowError:
                    raise too_big(item, where, "an entry") from None
            elif not isinstance(item, bool):
                raise _not_numbers(item, x, where)
        return arr.astype(np.float64)
    first = arr.flat[0] if arr.size else x
    raise _not_numbers(first.item() if hasattr(first, "item") else first, x, where)


def _not_numbers(item: Any, x: Any, where: str) -> TypeError:
    """The error for an input that holds `item`, which is not a number, saying what to do instead."""
    if isinstance(item, Value):
        what = "a Value"
        fix = ("a Tensor holds plain numbers, so the Values would become constants and their gradients "
               "would never reach them: build the whole computation from Tensors, or use "
               "Tensor([v.data for v in values]) for a constant copy")
    elif item is None:
        what = "None"
        fix = "give a number in its place (float('nan') if the entry is missing on purpose)"
    elif isinstance(item, (str, bytes)):
        what = f"the string {item!r}"
        fix = "convert it first, e.g. Tensor(float(s)) or Tensor([float(s) for s in strings])"
    else:
        what = describe(item)
        fix = "give a number, a list of numbers, or a numpy array of numbers"
    inside = "" if item is x else f" in {short(x)}"
    return TypeError(f"{where}: a Tensor holds numbers, got {what}{inside}; {fix}")


def _exponent(x: Any, where: str, what: str) -> float:
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return float(x)
    if isinstance(x, (list, tuple, np.ndarray)):
        raise TypeError(f"gate {where!r}: {what} must be a number or a Tensor; wrap arrays: Tensor(...)")
    raise TypeError(f"gate {where!r}: {what} must be a number or a Tensor, got {describe(x)}")


def _axis(axis: Any) -> int | tuple[int, ...] | None:
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return int(axis)
    raise TypeError(f"axis must be None, an int or a tuple of ints, got {describe(axis)}")


def _index(index: Any) -> Any:
    """Indices as numpy takes them; a Tensor used as an index must hold whole numbers."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        as_int = index.data.astype(np.intp)
        if not np.array_equal(as_int, index.data):
            raise IndexError("a Tensor used as an index must hold whole numbers (class labels, positions)")
        return as_int
    if isinstance(index, list):
        return np.asarray(index)
    return index


TensorGate.node_type = Tensor  # what every tensor gate records its output as
