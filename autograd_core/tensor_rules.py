"""What a tensor gate is: a name and a rule, run on arrays; and the numpy helpers its local gradients use.

A rule takes its inputs' arrays and returns the output and one local gradient per input:
an array or a number where the gradient is elementwise (`upstream x local`), a `Select` where the
gradient is routed (relu, maximum), or a function `upstream -> contribution` where the Jacobian is not
cheap to hold (`@`, `sum`). The built-in gates (tensor_gates.py) and a student's own are made the same
way, with `@tensor_gate(name)`. Calling a gate records a node: a `Tensor` (tensor.py), whose operators
are these gates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .gate import Gate, Why, explain, first_sentence, parameter_names, positional_arity
from .value import _rule_failed

FLOAT64 = np.dtype(np.float64)  # the dtype of every Tensor's data and gradient

# A tensor rule takes its inputs' arrays and returns (output, local gradients), one per input:
#     rule(a, b) -> (a * b, (b, a))                                   elementwise: arrays or numbers
#     rule(a, b) -> (a @ b, (lambda g: g @ b.T, lambda g: a.T @ g))  functions of the upstream gradient
TensorRule = Callable[..., tuple[np.ndarray, tuple[Any, ...]]]


class ShapeError(ValueError, IndexError):
    """A gate got inputs of shapes it cannot take (both a ValueError and, for indexing, an IndexError)."""


class TensorGate:
    """A differentiable array operation declared in one place: a name and a rule.

        @tensor_gate("*")
        def mul(a, b):
            return a * b, (b, a)            # elementwise local gradients

    Calling the gate on Tensors (or arrays, or numbers) runs the rule and records a new node.
    Keyword-only parameters of the rule are constants of the gate (`t.sum(axis=0)`). `hint` says
    what to do when inputs of the wrong shapes make the rule fail.
    """

    __slots__ = ("name", "rule", "hint", "doc", "symbol", "inputs", "_why")

    # The node a gate records: tensor.py's Tensor, which sets this when it is defined (it comes after
    # this module, because a Tensor's operators are gates). It also wraps plain arrays and numbers.
    node_type: Any = None

    def __init__(self, name: str, rule: TensorRule, hint: str = "", *, symbol: str | None = None,
                 why: Why = None, like: Gate | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"a gate needs a non-empty name (a str), got {name!r}")
        if not callable(rule):
            raise TypeError(f"gate {name!r}: the rule must be a function, got {type(rule).__name__}")
        self.name = name
        self.rule = rule
        self.hint = hint
        self.doc = rule.__doc__ or ""
        # described as the scalar gate `like` (the same symbol and why), unless given here
        self.symbol = symbol or (like.symbol if like is not None else name)
        self.inputs = parameter_names(rule, positional_arity(rule))
        self._why = why if why is not None else (like.why if like is not None else first_sentence(self.doc))

    def why(self, index: int, *names: str, **params: Any) -> str:
        """Why the local gradient of input `index` is what it is, entry by entry (see `Gate.why`)."""
        return explain(self._why, index, names or self.inputs, params)

    def op_name(self, params: dict[str, Any] | None = None) -> str:
        """The name drawn on the gate; `{n}` in the name is filled from its constants."""
        if params and "{" in self.name:
            return self.name.format(**{k: f"{v:g}" for k, v in params.items()})
        return self.name

    def __call__(self, *inputs: Any, **params: Any) -> Any:
        node = self.node_type
        # One or two inputs, Tensors already, is nearly every call: checked without a generator.
        if len(inputs) == 2:
            a, b = inputs
            if type(a) is not node or type(b) is not node:
                _check_node_type(node)
                inputs = (a if type(a) is node else node._constant(a, self.name),
                          b if type(b) is node else node._constant(b, self.name))
            arrays = (inputs[0].data, inputs[1].data)
            requires_grad = inputs[0].requires_grad or inputs[1].requires_grad
        elif len(inputs) == 1 and type(inputs[0]) is node:
            arrays = (inputs[0].data,)
            requires_grad = inputs[0].requires_grad
        else:
            _check_node_type(node)
            inputs = tuple(x if type(x) is node else node._constant(x, self.name) for x in inputs)
            arrays = tuple(x.data for x in inputs)
            requires_grad = any(x.requires_grad for x in inputs)
        token = _quiet(_IGNORE)  # inf and nan are values here, not warnings (as in the scalar engine)
        try:
            out, local = self.rule(*arrays, **params) if params else self.rule(*arrays)
        except (ValueError, IndexError) as e:  # numpy's AxisError is both
            raise ShapeError(self._explain(inputs, params, e)) from None
        except Exception as e:  # a student's rule: say which gate failed, and on what
            raise _rule_failed(f"gate {self.name!r}", shapes(inputs, params), e) from e
        finally:
            _loud(token)
        if type(local) is not tuple or len(local) != len(inputs):
            local = self._checked_locals(local, len(inputs))
        if type(out) is not np.ndarray or out.dtype is not FLOAT64:
            out = np.asarray(out, dtype=np.float64)
        return node._output(out, inputs, local if requires_grad else (), self, params or None, requires_grad)

    def _checked_locals(self, local: Any, n: int) -> tuple[Any, ...]:
        """A (possibly student-written) rule must give one local gradient per input."""
        if isinstance(local, (list, tuple)) and len(local) == n:
            return tuple(local)
        if n == 1 and (callable(local) or isinstance(local, (np.ndarray, float, int))):
            return (local,)
        got = f"{len(local)} local gradient(s)" if isinstance(local, (list, tuple)) else repr(local)
        raise ValueError(
            f"gate {self.name!r}: the rule must return (output, local_gradients) with one local gradient "
            f"per input ({n}), got {got}"
        )

    def _explain(self, nodes: tuple[Any, ...], params: dict[str, Any], error: Exception) -> str:
        hint = f": {self.hint}" if self.hint else ""
        return f"gate {self.name!r} got {shapes(nodes, params)}{hint} (numpy: {error})"

    def __repr__(self) -> str:
        return f"TensorGate({self.name!r})"


def _check_node_type(node: Any) -> None:
    if node is None:
        raise RuntimeError("tensor gates make Tensors: import autograd_core.tensor (or `from autograd_core "
                           "import Tensor`) before calling one on plain arrays")


def tensor_gate(name: str, hint: str = "", *, symbol: str | None = None, why: Why = None,
                like: Gate | None = None) -> Callable[[TensorRule], TensorGate]:
    """Decorator: turn a rule `f(*arrays) -> (output, local_gradients)` into a tensor gate.

    `symbol` and `why` describe it as for a scalar gate (`gate.gate`); `like=gates.mul` takes both from
    the scalar gate it applies entry by entry."""

    def make(rule: TensorRule) -> TensorGate:
        return TensorGate(name, rule, hint, symbol=symbol, why=why, like=like)

    return make


# ----- what local gradients are made of ------------------------------------------------------------
def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient over the axes that broadcasting stretched, so it has the input's `shape`.

    An input of shape (3,) added to a (4, 3) array was used 4 times: its gradient is the sum of
    the 4 rows of the upstream gradient (a node used several times adds up its gradients).
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra == 1 and grad.ndim == 2 and grad.shape[1:] == shape:
        # A bias added to every row: the sum of the rows, as a matrix-vector product (ones @ grad),
        # which BLAS does in a third of the time of np.add.reduce(grad, axis=0) on a small batch.
        return _ones(grad.shape[0]) @ grad
    if extra and grad.shape[extra:] == shape:  # only leading axes were added: one reduce
        return np.add.reduce(grad, axis=tuple(range(extra)))
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


_ONES: dict[int, np.ndarray] = {}


def _ones(n: int) -> np.ndarray:
    """A read-only vector of n ones, kept for the next gradient of a bias over a batch of n."""
    ones = _ONES.get(n)
    if ones is None:
        if len(_ONES) > 64:
            _ONES.clear()
        ones = _ONES[n] = np.ones(n)
        ones.flags.writeable = False
    return ones


class Select(NamedTuple):
    """A local gradient that routes, as PyTorch's backward does for relu, maximum and x**0.

    Where `blocked` is True the input gets exactly 0, whatever the upstream gradient (even inf or
    nan: the gate did not pick that entry, so nothing is multiplied); elsewhere upstream x `weight`.
    A step shows it as the array `where(blocked, 0, weight)`. (The scalar engine's `SELECTED`.)
    """

    blocked: Any  # a boolean array (or a bool, for every entry)
    weight: Any = 1.0

    def route(self, upstream: np.ndarray) -> np.ndarray:
        passed = upstream if type(self.weight) is float and self.weight == 1.0 else upstream * self.weight
        return zero_where(self.blocked, passed)

    def as_array(self) -> np.ndarray:
        return np.where(self.blocked, 0.0, self.weight)


def zero_where(blocked: Any, x: np.ndarray) -> np.ndarray:
    """`np.where(blocked, 0.0, x)`: x with exact zeros (+0.0) where `blocked` is True.

    np.where is slow on a mask that alternates at random, as relu's does (a branch per entry): on a
    large array this keeps x's bits where the mask is False and clears them where it is True, with a
    bitwise and against a mask of all-ones / all-zeros words (4x faster). Nothing is multiplied, so a
    blocked inf or nan becomes +0.0 exactly as with np.where.
    """
    if type(blocked) is np.ndarray and blocked.size >= 4096 and blocked.shape == np.shape(x) \
            and x.dtype is FLOAT64:
        keep = (blocked.view(np.int8) - np.int8(1)).astype(np.int64)  # blocked 1 - 1 = 0, else -1 (all ones)
        return np.bitwise_and(np.asarray(x).view(np.int64), keep).view(np.float64)
    return np.where(blocked, 0.0, x)


# numpy's warnings ("invalid value encountered in add") are off while a gate runs: inf and nan are
# values here, as in the scalar engine. `np.errstate` does this at about 1.4 us a call, as much as a
# small gate's arithmetic; numpy 2 keeps that state in a context variable, set here directly
# (0.15 us). `quiet()` turns the warnings off and returns a token, `loud(token)` restores them.
try:
    from numpy._core.umath import _extobj_contextvar as _ERRSTATE

    with np.errstate(all="ignore"):
        _IGNORE = _ERRSTATE.get()
    _quiet, _loud = _ERRSTATE.set, _ERRSTATE.reset  # what a gate call uses: the same, one call less

    def quiet() -> Any:
        return _ERRSTATE.set(_IGNORE)

    def loud(token: Any) -> None:
        _ERRSTATE.reset(token)

except ImportError:  # another numpy: the public, slower way
    _IGNORE = None

    def quiet() -> Any:
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def loud(token: Any) -> None:
        token.__exit__(None, None, None)

    def _quiet(_: Any) -> Any:
        return quiet()

    _loud = loud


# ----- words for error messages ------------------------------------------------------------------
def shapes(nodes: tuple[Any, ...], params: dict[str, Any]) -> str:
    """The inputs of a gate call, for an error message: 'shapes (2, 3) and (3,), axis=0'."""
    noun = "shapes" if len(nodes) > 1 else "shape"
    given = "".join(f", {k}={short(v)}" for k, v in params.items())
    return f"{noun} {' and '.join(str(x.data.shape) for x in nodes)}{given}"


def short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def describe(x: Any) -> str:
    return f"{type(x).__name__} {short(x)}"
