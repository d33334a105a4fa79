"""The built-in tensor gates: each forward rule beside its local gradients, on numpy arrays.

Elementwise rules return their local gradients as arrays (or numbers), exactly the scalar gates'
formulas applied to every entry; the engine multiplies them by the upstream gradient and sums the
result back over any axes that broadcasting stretched. Rules whose Jacobian is not a cheap array
(`@`, reductions, reshapes, softmax) return a function instead: upstream gradient -> contribution.
Numerics follow numpy: overflow gives inf, an undefined result gives nan, and no warning is printed
(the gate runs with numpy's warnings off, see `TensorGate.__call__`). Special values follow PyTorch's
float64 autograd (tests/test_differential_torch.py); where PyTorch's backward routes the gradient
rather than multiplying (relu, maximum, x**0), the local gradient is a `Select`: an entry the gate did
not pick gets exactly 0, even from an inf or nan upstream gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import gates as scalar
from .tensor_rules import Select, tensor_gate, unbroadcast

BROADCAST = (
    "these shapes do not broadcast; NumPy lines them up from the right and each pair of "
    "dimensions must be equal or one of them 1 (reshape one input, e.g. b.reshape(-1, 1))"
)
MATMUL = (
    "a @ b needs a's last dimension to equal b's first (its second-to-last); check the layer "
    "sizes, or transpose one input with .T"
)
AXIS = "every axis must lie within the tensor's dimensions (from -ndim to ndim - 1)"


# ----- the scalar engine's gates, elementwise ---------------------------------------------------
@tensor_gate("+", BROADCAST, like=scalar.add)
def add(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """f(a, b) = a + b: the upstream gradient passes to both inputs unchanged."""
    return a + b, (1.0, 1.0)


@tensor_gate("-", BROADCAST, why=lambda i: ("a - b passes the gradient to a: local gradient 1",
                                            "a - b flips the gradient's sign for b: local gradient -1")[i])
def sub(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """f(a, b) = a - b: df/da = 1, df/db = -1."""
    return a - b, (1.0, -1.0)


@tensor_gate("*", BROADCAST, like=scalar.mul)
def mul(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """f(a, b) = a * b: a multiply gate swaps its inputs (df/da = b, df/db = a)."""
    return a * b, (b, a)


@tensor_gate("neg", like=scalar.neg)
def neg(a: np.ndarray) -> tuple[np.ndarray, tuple[float]]:
    """f(a) = -a."""
    return -a, (-1.0,)


@tensor_gate("/", BROADCAST, like=scalar.div)
def div(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """f(a, b) = a / b: df/da = 1/b, df/db = -a/b^2."""
    inv = 1.0 / b
    out = a / b
    return out, (inv, -out * inv)


@tensor_gate("**{n}", like=scalar.power_const)
def power_const(a: np.ndarray, *, n: float) -> tuple[np.ndarray, tuple[np.ndarray]]:
    """f(a) = a^n for a constant n: df/da = n * a^(n-1).

    As in PyTorch: for n = 0 the output is the constant 1 and nothing flows back (a `Select` that
    blocks every entry, not 0 * a^-1, which is nan at 0); n = 0.5 is the square root and n = -0.5 its
    reciprocal, so (-inf)**0.5 is nan and (-0.0)**-0.5 is -inf (the scalar gate's `const_pow`).
    """
    if n == 2.0:  # the square, as in every squared error: no call to pow
        return a * a, (2.0 * a,)
    if n == 0.0:
        return np.ones(a.shape), (Select(True, 0.0),)
    return _const_pow(a, n), (n * _const_pow(a, n - 1.0),)


def _const_pow(a: np.ndarray, n: float) -> np.ndarray:
    if n == 0.5:
        return np.sqrt(a)
    if n == -0.5:
        return 1.0 / np.sqrt(a)
    return np.power(a, n)


@tensor_gate("{base}**", like=scalar.exp_base)
def exp_base(a: np.ndarray, *, base: float) -> tuple[np.ndarray, tuple[np.ndarray]]:
    """f(a) = base^a for a constant base: df/da = base^a * ln(base).

    For base 0 the slope is 0 where a >= 0, not 0 * ln(0) = nan (PyTorch's pow_backward_exponent).
    """
    out = np.power(base, a)
    if base == 0.0:
        return out, (np.where(a >= 0.0, 0.0, out * -np.inf),)
    return out, (out * np.log(base),)


@tensor_gate("**", BROADCAST, like=scalar.power)
def power(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """f(a, b) = a^b: df/da = b * a^(b-1), df/db = a^b * ln(a).

    As in PyTorch: where b = 0 the base gets nothing (a `Select`: a^0 is the constant 1, so 0^0 has
    slope 0, not 0 * 0^-1 = nan), and where a = 0 and b >= 0 the exponent's gradient is 0 (not
    0 * ln(0) = nan).
    """
    out = np.power(a, b)
    d_b = np.where((a == 0.0) & (b >= 0.0), 0.0, out * np.log(a))
    return out, (Select(b == 0.0, b * np.power(a, b - 1.0)), d_b)


@tensor_gate("exp", like=scalar.exp)
def exp(a: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray]]:
    """f(a) = e^a: the exponential is its own derivative."""
    out = np.exp(a)
    return out, (out,)


@tensor_gate("log", like=scalar.log)
def log(a: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray]]:
    """f(a) = ln(a): df/da = 1/a."""
    return np.log(a), (1.0 / a,)


@tensor_gate("tanh", like=scalar.tanh)
def tanh(a: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray]]:
    """f(a) = tanh(a): df/da = 1 - tanh(a)^2."""
    t = np.tanh(a)
    return t, (1.0 - t * t,)


@tensor_gate("sigmoid", like=scalar.sigmoid)
def sigmoid(a: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray]]:
    """f(a) = 1 / (1 + e^-a), one fused gate: df/da = (1 - s) * s."""
    s = stable_sigmoid(a)
    return s, ((1.0 - s) * s,)


@tensor_gate("relu", like=scalar.relu)
def relu(a: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray]]:
    """f(a) = max(0, a): the gradient passes where a > 0 and is 0 elsewhere (also at 0).

    As PyTorch's threshold_backward: the gradient is blocked where the output is <= 0 (a `Select`,
    so even an inf upstream gives 0 there), and a nan passes through with gradient 1. A -0.0 stays
    -0.0 (PyTorch's relu keeps it), so 1 / relu(-0.0) is -inf in both.
    """
    out = _relu(a)
    return out, (Select(out <= 0.0),)


def _relu(a: np.ndarray) -> np.ndarray:
    """max(0, a) with relu(-0.0) = -0.0 and relu(nan) = nan, as np.where(a < 0, 0, a) computes it.

    np.maximum(0.0, a) is the same here and 8x faster (np.where branches on every entry), but which
    of two equal zeros np.maximum returns is up to the CPU's instruction: checked once (below).
    """
    return np.maximum(0.0, a) if _MAXIMUM_KEEPS_MINUS_ZERO else np.where(a < 0.0, 0.0, a)


def _maximum_keeps_minus_zero() -> bool:
    for n in (1, 2, 3, 5, 8, 13, 17, 33, 64, 1000, 1027):  # each SIMD width, with and without a tail
        probe = np.resize(np.array([-0.0, np.nan, -np.inf, 2.0, -3.0, np.inf, 0.0]), n)
        got, want = np.maximum(0.0, probe), np.where(probe < 0.0, 0.0, probe)
        same = np.array_equal(got, want, equal_nan=True) and np.array_equal(np.signbit(got), np.signbit(want))
        if not same:
            return False
    return True


_MAXIMUM_KEEPS_MINUS_ZERO = _maximum_keeps_minus_zero()


@tensor_gate("maximum", BROADCAST, symbol="maximum", like=scalar.maximum)
def maximum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """f(a, b) = max(a, b) entry by entry: the gradient goes to the larger input (ties share it).

    As PyTorch's maximum: the smaller input is blocked (a `Select`), a tie gives each half, and a nan
    in either input gives nan with gradient 1 to both (nan is neither larger nor smaller).
    """
    ties = a == b
    share = np.where(ties, 0.5, 1.0) if ties.any() else 1.0
    return np.maximum(a, b), (Select(a < b, share), Select(a > b, share))


# ----- matrix multiply ----------------------------------------------------------------------------
@tensor_gate("@", MATMUL)
def matmul(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple[Any, Any]]:
    """f(A, B) = A @ B: dL/dA = upstream @ B.T and dL/dB = A.T @ upstream."""
    out = a @ b
    if a.ndim == 2 and b.ndim == 2:
        return out, (lambda g: g @ b.T, lambda g: a.T @ g)
    return out, (lambda g: _matmul_grad(g, a, b, 0), lambda g: _matmul_grad(g, a, b, 1))


def _matmul_grad(g: np.ndarray, a: np.ndarray, b: np.ndarray, which: int) -> np.ndarray:
    """The general case: vectors (treated as a row on the left, a column on the right) and stacks."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    g = np.reshape(g, (*batch, a2.shape[-2], b2.shape[-1]))  # put back the axes a vector lacked
    if which == 0:
        grad = g @ np.swapaxes(b2, -1, -2)
        return unbroadcast(grad, a2.shape).reshape(a.shape)
    grad = np.swapaxes(a2, -1, -2) @ g
    return unbroadcast(grad, b2.shape).reshape(b.shape)


# ----- reductions -------------------------------------------------------------------------------
@tensor_gate("sum", AXIS)
def sum_(a: np.ndarray, *, axis: Any = None, keepdims: bool = False) -> tuple[np.ndarray, tuple[Any]]:
    """f(a) = the sum of the entries (along `axis`): every entry gets the upstream gradient."""
    out = np.add.reduce(a, axis=axis, keepdims=keepdims)
    shape = a.shape
    return out, (lambda g: _spread(g, axis, keepdims, shape),)


@tensor_gate("mean", AXIS)
def mean(a: np.ndarray, *, axis: Any = None, keepdims: bool = False) -> tuple[np.ndarray, tuple[Any]]:
    """f(a) = the mean of the entries (along `axis`): every entry gets upstream / count."""
    # np.add.reduce / count is np.mean's own arithmetic, without its Python-level checks.
    total = np.add.reduce(a, axis=axis, keepdims=keepdims)
    shape = a.shape
    count = a.size // max(np.size(total), 1) if a.size else 0
    out = total / count if count else total * np.nan
    return out, (lambda g: _spread(g / count, axis, keepdims, shape),)


@tensor_gate("max", AXIS)
def max_(a: np.ndarray, *, axis: Any = None, keepdims: bool = False) -> tuple[np.ndarray, tuple[Any]]:
    """f(a) = the largest entry (along `axis`): the gradient goes to it; tied entries share it evenly."""
    top = np.max(a, axis=axis, keepdims=True)
    winners = a == top
    share = winners / winners.sum(axis=axis, keepdims=True)
    out = top if keepdims else np.squeeze(top, axis=axis)
    return out, (lambda g: _keep_dims(g, axis, keepdims) * share,)


def _spread(g: np.ndarray, axis: Any, keepdims: bool, shape: tuple[int, ...]) -> np.ndarray:
    """The upstream gradient of a sum, copied to every entry that was summed (read-only for a view)."""
    if axis is None:  # one number to every entry (np.full's own two steps, without its Python wrapper)
        spread = np.empty(shape)
        spread.fill(g.reshape(()) if keepdims else g)
        return spread
    return np.broadcast_to(_keep_dims(g, axis, keepdims), shape)


def _keep_dims(g: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    """The upstream gradient of a reduction with the reduced axes put back as size-1 axes."""
    if keepdims or axis is None:
        return g
    return np.expand_dims(g, axis)


# ----- shapes and indexing -----------------------------------------------------------------------
@tensor_gate("transpose", "give one axis number per dimension, each once")
def transpose(a: np.ndarray, *, axes: tuple[int, ...] | None = None) -> tuple[np.ndarray, tuple[Any]]:
    """f(a) = a with its axes permuted: the gradient is permuted back."""
    out = np.transpose(a, axes)
    # Negative axis numbers count from the end: made positive before inverting the permutation.
    back = None if axes is None else tuple(int(i) for i in np.argsort([ax % a.ndim for ax in axes]))
    return out, (lambda g: np.transpose(g, back),)


@tensor_gate("reshape", "the new shape must hold the same number of entries (use -1 for one axis)")
def reshape(a: np.ndarray, *, shape: tuple[int, ...]) -> tuple[np.ndarray, tuple[Any]]:
    """f(a) = the same entries in another shape: the gradient is reshaped back."""
    out = np.reshape(a, shape)
    original = a.shape
    return out, (lambda g: np.reshape(g, original),)


@tensor_gate("[]", "the index must fit the tensor's shape")
def getitem(a: np.ndarray, *, index: Any) -> tuple[np.ndarray, tuple[Any]]:
    """f(a) = a[index]: each picked entry gets its upstream gradient; an entry picked twice gets both."""
    out = a[index]
    shape = a.shape

    picks = _integer_picks(index, shape)

    def scatter(g: np.ndarray) -> np.ndarray:
        if picks is not None:  # rows and columns picked by integer arrays: bincount, 10x np.add.at
            size = int(np.prod(shape))
            flat = np.bincount(picks, weights=np.broadcast_to(g, out.shape).ravel(), minlength=size)
            return flat.reshape(shape)
        grad = np.zeros(shape)
        np.add.at(grad, index, g)
        return grad

    return out, (scatter,)


def _integer_picks(index: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """The flat positions an index of one integer array per axis picks (`logits[rows, labels]`), or None."""
    if not (isinstance(index, tuple) and len(index) == len(shape) and all(
            isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in index)):
        return None
    try:
        return np.ravel_multi_index(np.broadcast_arrays(*index), shape, mode="wrap").ravel()
    except ValueError:
        return None


# ----- softmax ----------------------------------------------------------------------------------
@tensor_gate("softmax", AXIS)
def softmax(a: np.ndarray, *, axis: int = -1) -> tuple[np.ndarray, tuple[Any]]:
    """s = exp(a - max) / sum(exp(a - max)): dL/da = s * (upstream - sum(upstream * s))."""
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    s = e / np.sum(e, axis=axis, keepdims=True)
    return s, (lambda g: s * (g - np.sum(g * s, axis=axis, keepdims=True)),)


@tensor_gate("log_softmax", AXIS)
def log_softmax(a: np.ndarray, *, axis: int = -1) -> tuple[np.ndarray, tuple[Any]]:
    """out = a - max - log(sum(exp(a - max))): dL/da = upstream - softmax * sum(upstream)."""
    shifted = a - np.max(a, axis=axis, keepdims=True)
    out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return out, (lambda g: g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)


# ----- fused loss gates --------------------------------------------------------------------------
@tensor_gate("bce_with_logits", BROADCAST, why=lambda i: ("∂f/∂x = σ(x) − y", "∂f/∂y = −x")[i])
def bce_with_logits(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """f(x, y) = -[y log s + (1 - y) log(1 - s)] with s = sigmoid(x), written so nothing overflows:
    max(x, 0) - x*y + log(1 + e^-|x|).  df/dx = s - y, df/dy = -x."""
    out, s = _bce(x, y)
    return out, (s - y, -x)


@tensor_gate("mean_bce_with_logits", BROADCAST,
             why=lambda i: ("∂f/∂x = (σ(x) − y) / n", "∂f/∂y = −x / n")[i])
def mean_bce_with_logits(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, tuple[Any, Any]]:
    """f(x, y) = the mean of bce_with_logits(x, y) over its n entries, the whole loss as one gate (as
    PyTorch's binary_cross_entropy_with_logits): dL/dx = upstream * (s - y) / n, dL/dy = upstream * -x / n."""
    terms, s = _bce(x, y)
    n = terms.size
    d_x = (s - y) / n
    return np.add.reduce(terms, axis=None) / n, (
        lambda g: unbroadcast(g * d_x, x.shape), lambda g: unbroadcast(g * (-x / n), np.shape(y)))


def _bce(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The binary cross-entropy of each logit x against its target y, and s = sigmoid(x)."""
    e = np.exp(-np.abs(x))  # e^-|x| <= 1: no overflow, whatever x is
    s = np.where(x >= 0.0, 1.0, e) / (1.0 + e)  # as stable_sigmoid
    return np.maximum(x, 0.0) - x * y + np.log1p(e), s


def stable_sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-a), computed from e^-|a| so that no exponential overflows."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0.0, 1.0, e) / (1.0 + e)  # 1 / (1 + e^-a) for a >= 0, e^a / (1 + e^a) below
