"""The built-in scalar gates: each forward rule beside its local gradients, as the article draws them.

A rule takes its inputs' numbers and returns `(output, (d out/d input, ...))`. Beside it, the gate says
how it is drawn (`symbol`) and why each local gradient is what it is (`why`, in the narration's notation:
∂, ×, superscripts); the drawing, the narration and the exercises' hints all read them from the gate.
Numerics follow numpy, not `math`: overflow gives inf, an undefined result gives nan, nothing raises.

Special values (0, -0, inf, nan) follow PyTorch's float64 autograd, checked by
tests/test_differential_torch.py. One rule needs a word: where PyTorch's backward *selects* (relu, max,
x**0 pass the upstream gradient to one input and exactly 0 to the other) rather than multiplies, the
local gradient is `SELECTED`, a 0 that stays 0 even times an inf or nan upstream gradient
(`inf * 0.0` is nan, `inf * SELECTED` is 0). A gate that multiplies by a local gradient that happens
to be 0 (`x * 0`, `(0.0)**2`) still gives `inf * 0 = nan`, as PyTorch does.

A new built-in gate is a rule here and the `Value` method that calls it (docs/architecture.md).
"""

from __future__ import annotations

import math

from .gate import fmt, gate, power_of

INF = math.inf
NAN = math.nan
# Local gradients that never change are shared tuples: no allocation for the commonest gates.
ONES = (1.0, 1.0)
MINUS_ONE = (-1.0,)
ONE = (1.0,)


class Selected(float):
    """The local gradient 0 of an input that a gate did not select: it contributes exactly 0.

    A gate that routes its upstream gradient (relu, max, x**0) does not compute `upstream * 0`: the
    input it did not pick simply gets nothing, as in PyTorch's backward (`where`, `masked_fill`). So
    `upstream * SELECTED` is 0.0 whatever the upstream gradient, inf and nan included; in every other
    way it is the float 0.0. Only the routed inputs pay for this: `float * float` is untouched.
    """

    __slots__ = ()

    def __mul__(self, other: object) -> float:
        return 0.0

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return "0.0"


SELECTED = Selected(0.0)
ZERO = (SELECTED,)
PICK_A = (1.0, SELECTED)
PICK_B = (SELECTED, 1.0)
HALVES = (0.5, 0.5)


@gate("+", why="an add gate passes its upstream gradient unchanged to every input: local gradient 1")
def add(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = a + b: an add gate passes its upstream gradient to both inputs unchanged."""
    return a + b, ONES


@gate("*", symbol="×", why=lambda i, a, b: f"a multiply gate swaps its inputs: the local gradient is the "
                                           f"other input, {(b, a)[i]}")
def mul(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = a * b: a multiply gate swaps its inputs (df/da = b, df/db = a)."""
    return a * b, (b, a)


@gate("neg", symbol="−", why="a negate gate flips the sign of the gradient: local gradient -1")
def neg(a: float) -> tuple[float, tuple[float]]:
    """f(a) = -a."""
    return -a, MINUS_ONE


@gate("/", symbol="÷", why=lambda i: ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²")[i])
def div(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = a / b: df/da = 1/b, df/db = -a/b^2."""
    inv = safe_div(1.0, b)
    out = safe_div(a, b)
    return out, (inv, -out * inv)


@gate("**{n}", symbol="^{n}",
      why=lambda i, *, n: f"∂({power_of('a', fmt(n))})/∂a = {fmt(n)} × {power_of('a', fmt(n - 1))}")
def power_const(a: float, *, n: float) -> tuple[float, tuple[float]]:
    """f(a) = a^n for a constant n: df/da = n * a^(n-1).

    For n = 0 the output is the constant 1 (even at a = 0 or nan): nothing flows back, so the local
    gradient is SELECTED, not 0 * a^-1 (nan at a = 0). PyTorch's pow_backward does the same.
    """
    if n == 0.0:
        return 1.0, ZERO
    return const_pow(a, n), (n * const_pow(a, n - 1.0),)


@gate("{base}**", symbol="{base}^x",
      why=lambda i, *, base: f"∂({fmt(base)}ᵃ)/∂a = {fmt(base)}ᵃ × ln({fmt(base)})")
def exp_base(a: float, *, base: float) -> tuple[float, tuple[float]]:
    """f(a) = base^a for a constant base: df/da = base^a * ln(base).

    For base 0 and a >= 0 the slope is 0 (0^a is 0, or 1 at a = 0, and never defined for a < 0
    nearby), not 0 * ln(0) = nan: PyTorch's pow_backward_exponent does the same.
    """
    out = safe_pow(base, a)
    if base == 0.0 and a >= 0.0:
        return out, (0.0,)
    return out, (out * safe_log(base),)


@gate("**", symbol="^",
      why=lambda i: ("∂(aᵇ)/∂a = b × aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ × ln(a)")[i])
def power(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = a^b: df/da = b * a^(b-1), df/db = a^b * ln(a).

    As in PyTorch: at b = 0 the base gets SELECTED (a^0 is the constant 1, so 0^0 has slope 0, not
    0 * 0^-1 = nan), and at a = 0 with b >= 0 the exponent's gradient is 0 (not 0 * ln(0) = nan).
    """
    out = safe_pow(a, b)
    d_b = 0.0 if a == 0.0 and b >= 0.0 else out * safe_log(a)
    if b == 0.0:
        return out, (SELECTED, d_b)
    return out, (b * safe_pow(a, b - 1.0), d_b)


@gate("exp", why="exp is its own derivative: ∂exp(a)/∂a = exp(a), the gate's output")
def exp(a: float) -> tuple[float, tuple[float]]:
    """f(a) = e^a: the exponential is its own derivative."""
    out = safe_exp(a)
    return out, (out,)


@gate("log", why="∂ln(a)/∂a = 1/a")
def log(a: float) -> tuple[float, tuple[float]]:
    """f(a) = ln(a): df/da = 1/a."""
    return safe_log(a), (safe_div(1.0, a),)


@gate("tanh", why="∂tanh(a)/∂a = 1 − tanh(a)², with tanh(a) the gate's output")
def tanh(a: float) -> tuple[float, tuple[float]]:
    """f(a) = tanh(a): df/da = 1 - tanh(a)^2."""
    t = math.tanh(a)
    return t, (1.0 - t * t,)


@gate("sigmoid", why="∂σ(a)/∂a = (1 − s) × s, with s = σ(a) the gate's output")
def sigmoid(a: float) -> tuple[float, tuple[float]]:
    """f(a) = 1 / (1 + e^-a), one fused gate: df/da = (1 - s) * s."""
    if a >= 0.0:
        s = 1.0 / (1.0 + safe_exp(-a))
    else:  # written so that e^-a never overflows for very negative a
        e = safe_exp(a)
        s = e / (1.0 + e)
    return s, ((1.0 - s) * s,)


@gate("relu", why="relu lets the gradient through where a > 0 and blocks it elsewhere: local gradient 1 or 0")
def relu(a: float) -> tuple[float, tuple[float]]:
    """f(a) = max(0, a): the gradient passes where a > 0 and is 0 elsewhere (also at 0).

    relu routes: where a <= 0 the input gets SELECTED (exactly 0, even for an inf upstream), and a
    nan passes through with gradient 1, as PyTorch's threshold_backward does (it zeroes the gradient
    only where the output is <= 0, and nan is not).
    """
    if a > 0.0:
        return a, ONE
    if a < 0.0:
        return 0.0, ZERO
    if a != a:  # nan
        return a, ONE
    return a, ZERO  # 0 or -0, kept as it is (PyTorch's relu(-0.0) is -0.0)


@gate("max", why="max routes the whole gradient to the larger input (a tie shares it)")
def maximum(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = max(a, b): the max gate routes the gradient to the larger input (ties share it).

    The other input gets SELECTED. A nan in either input gives nan, and both inputs get gradient 1:
    PyTorch's maximum (nan is neither larger nor smaller, so neither input is masked out).
    """
    if a > b:
        return a, PICK_A
    if b > a:
        return b, PICK_B
    if a == b:
        return a, HALVES
    return NAN, ONES


# ----- float math that behaves like numpy's (inf and nan, never an exception) -------------------
def safe_exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return INF


def safe_log(a: float) -> float:
    if a > 0.0:
        return math.log(a)
    if a == 0.0:
        return -INF
    return NAN  # log of a negative number (or of nan)


def safe_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def const_pow(a: float, n: float) -> float:
    """a**n for a constant exponent, as PyTorch and numpy compute it: n = 0.5 is the square root and
    n = -0.5 its reciprocal, so (-inf)**0.5 is nan (no real root of a negative number; C's pow says
    inf) and (-0.0)**-0.5 is 1/(-0.0) = -inf."""
    if n == 0.5:
        return NAN if a < 0.0 else math.sqrt(a)
    if n == -0.5:
        return NAN if a < 0.0 else safe_div(1.0, math.sqrt(a))
    return safe_pow(a, n)


def safe_pow(a: float, b: float) -> float:
    try:
        out = a**b
    except ZeroDivisionError:  # 0 ** negative
        odd = float(b).is_integer() and int(b) % 2 == 1
        return math.copysign(INF, a) if odd else INF
    except OverflowError:
        if a < 0.0 and not float(b).is_integer():
            return NAN  # (-10)**400.5 has no real value, however large
        odd = float(b).is_integer() and int(b) % 2 == 1
        return -INF if (a < 0 and odd) else INF
    if isinstance(out, complex):  # a negative base to a fractional power
        return NAN
    return float(out)
