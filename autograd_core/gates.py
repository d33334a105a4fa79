"""The built-in scalar gates: each forward rule beside its local gradients, as the article draws them.

A rule takes its inputs' numbers and returns `(output, (d out/d input, ...))`. Numerics follow
numpy, not `math`: overflow gives inf, an undefined result gives nan, nothing raises.
"""

from __future__ import annotations

import math

from .value import gate

INF = math.inf
NAN = math.nan
# Local gradients that never change are shared tuples: no allocation for the commonest gates.
ONES = (1.0, 1.0)
MINUS_ONE = (-1.0,)
ONE = (1.0,)
ZERO = (0.0,)


@gate("+")
def add(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = a + b: an add gate passes its upstream gradient to both inputs unchanged."""
    return a + b, ONES


@gate("*")
def mul(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = a * b: a multiply gate swaps its inputs (df/da = b, df/db = a)."""
    return a * b, (b, a)


@gate("neg")
def neg(a: float) -> tuple[float, tuple[float]]:
    """f(a) = -a."""
    return -a, MINUS_ONE


@gate("/")
def div(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = a / b: df/da = 1/b, df/db = -a/b^2."""
    inv = safe_div(1.0, b)
    out = safe_div(a, b)
    return out, (inv, -out * inv)


@gate("**{n}")
def power_const(a: float, *, n: float) -> tuple[float, tuple[float]]:
    """f(a) = a^n for a constant n: df/da = n * a^(n-1)."""
    return safe_pow(a, n), (n * safe_pow(a, n - 1.0),)


@gate("{base}**")
def exp_base(a: float, *, base: float) -> tuple[float, tuple[float]]:
    """f(a) = base^a for a constant base: df/da = base^a * ln(base)."""
    out = safe_pow(base, a)
    return out, (out * safe_log(base),)


@gate("**")
def power(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = a^b: df/da = b * a^(b-1), df/db = a^b * ln(a)."""
    out = safe_pow(a, b)
    # At a == 0 the exponent's gradient is 0 (not 0 * -inf), as in PyTorch.
    d_b = 0.0 if a == 0.0 and b >= 0.0 else out * safe_log(a)
    return out, (b * safe_pow(a, b - 1.0), d_b)


@gate("exp")
def exp(a: float) -> tuple[float, tuple[float]]:
    """f(a) = e^a: the exponential is its own derivative."""
    out = safe_exp(a)
    return out, (out,)


@gate("log")
def log(a: float) -> tuple[float, tuple[float]]:
    """f(a) = ln(a): df/da = 1/a."""
    return safe_log(a), (safe_div(1.0, a),)


@gate("tanh")
def tanh(a: float) -> tuple[float, tuple[float]]:
    """f(a) = tanh(a): df/da = 1 - tanh(a)^2."""
    t = math.tanh(a)
    return t, (1.0 - t * t,)


@gate("sigmoid")
def sigmoid(a: float) -> tuple[float, tuple[float]]:
    """f(a) = 1 / (1 + e^-a), one fused gate: df/da = (1 - s) * s."""
    if a >= 0.0:
        s = 1.0 / (1.0 + safe_exp(-a))
    else:  # written so that e^-a never overflows for very negative a
        e = safe_exp(a)
        s = e / (1.0 + e)
    return s, ((1.0 - s) * s,)


@gate("relu")
def relu(a: float) -> tuple[float, tuple[float]]:
    """f(a) = max(0, a): the gradient passes where a > 0 and is 0 elsewhere (also at 0)."""
    if a > 0.0:
        return a, ONE
    return 0.0, ZERO


@gate("max")
def maximum(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """f(a, b) = max(a, b): the max gate routes the gradient to the larger input (ties share it)."""
    if a > b:
        return a, (1.0, 0.0)
    if b > a:
        return b, (0.0, 1.0)
    return a, (0.5, 0.5)


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


def safe_pow(a: float, b: float) -> float:
    try:
        out = a**b
    except ZeroDivisionError:  # 0 ** negative
        odd = float(b).is_integer() and int(b) % 2 == 1
        return math.copysign(INF, a) if odd else INF
    except OverflowError:
        odd = float(b).is_integer() and int(b) % 2 == 1
        return -INF if (a < 0 and odd) else INF
    if isinstance(out, complex):  # a negative base to a fractional power
        return NAN
    return float(out)
