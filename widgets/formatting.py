"""How numbers are written: short in the drawing, full precision in the narration, compact for arrays."""

from __future__ import annotations

import math
from typing import Any


def is_array(x: Any) -> bool:
    """True for an array with at least one dimension (a Tensor's data), False for a number."""
    shape = getattr(x, "shape", None)
    return shape is not None and len(shape) > 0


def short(x: Any, digits: int) -> str:
    """A number as drawn on a wire: fixed decimals (`3.0000`), scientific when very large or small."""
    if is_array(x):
        return compact(x, digits)
    x = float(x)
    if not math.isfinite(x):
        return "nan" if x != x else ("inf" if x > 0 else "-inf")
    if x != 0.0 and (abs(x) >= 1e6 or abs(x) < 10.0 ** (-digits) / 2):
        return f"{x:.{max(digits, 1)}e}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")
    text = f"{x:.{digits}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0.0 else text


def full(x: Any) -> str:
    """A number at full precision (shortest text that reads back exactly): `-4`, `0.7310585786300049`."""
    if is_array(x):
        return _full_array(x)
    x = float(x)
    if not math.isfinite(x):
        return "nan" if x != x else ("inf" if x > 0 else "-inf")
    if x == 0.0:
        return "0"
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def brief(x: Any, digits: int) -> str:
    """A number with few digits, for reading from afar: `196`, `-84`, `2.06`, `0.73`, `0.0012`.

    `digits` decimals from 1 up (trailing zeros dropped), `digits` significant digits below 1.
    """
    x = float(x)
    if not math.isfinite(x):
        return full(x)
    if x == 0.0:
        return "0"
    if abs(x) >= 1e6:
        return f"{x:.{max(digits, 1)}e}".replace("e+0", "e").replace("e+", "e")
    if abs(x) >= 1:
        text = f"{x:.{digits}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    else:
        text = f"{x:.{max(digits, 1)}g}"
    return "0" if float(text) == 0.0 else text


def operand(x: Any) -> str:
    """`full(x)`, in parentheses when negative, for the right-hand side of `*` or `+`: `-4 * (-1)`."""
    text = full(x)
    return f"({text})" if text.startswith("-") else text


SMALL_ARRAY = 6  # arrays with at most this many numbers are written in full


def compact(a: Any, digits: int) -> str:
    """An array as drawn: in full when small (`[0.5, -2]`, a line per row), else its min, mean and max.

    Arrays take few digits (`brief`, at most 3): a 2x2 block of `1.0000`s would make its box four times
    as wide as its numbers need, and the narration has full precision. The shape is drawn beside the
    node's name, so it is not repeated here.
    """
    import numpy as np

    arr = np.asarray(a, dtype=float)
    few = min(digits, 3)
    if arr.size <= SMALL_ARRAY and arr.ndim <= 2:
        def row(r: Any) -> str:
            return "[" + ", ".join(brief(float(v), few) for v in r) + "]"

        if arr.ndim == 1:
            return row(arr)
        return "\n".join(row(r) for r in arr)
    return "\n".join(f"{what} {brief(float(v), few)}"
                     for what, v in (("min", arr.min()), ("mean", arr.mean()), ("max", arr.max())))


def _full_array(a: Any) -> str:
    """An array on one line: `[[1, 2], [3, 4]]` when small, else its shape and min/mean/max."""
    import numpy as np

    arr = np.asarray(a, dtype=float)
    if arr.size <= SMALL_ARRAY:
        def nest(x: Any) -> str:
            if np.ndim(x) == 0:
                return full(float(x))
            return "[" + ", ".join(nest(v) for v in x) + "]"

        return nest(arr)
    return (
        f"(shape {tuple(arr.shape)}: min {full(float(arr.min()))}, mean {full(float(arr.mean()))}, "
        f"max {full(float(arr.max()))})"
    )


def shape_of(x: Any) -> str | None:
    """`(2, 3)` for an array, None for a number."""
    return str(tuple(x.shape)) if is_array(x) else None


def magnitude(x: Any) -> float:
    """A number as it is; an array as its norm (how large a gradient flowing along a wire is)."""
    if is_array(x):
        import numpy as np

        return float(np.sqrt(np.sum(np.square(np.asarray(x, dtype=float)))))
    return float(x)


NARROW = frozenset("-.,:;'|!ilj")


def text_width(text: str) -> float:
    """Roughly how wide `text` is drawn, in digit widths: digits and most letters 1, points, signs and
    thin letters 1/2 (DejaVu Sans). For sizing what graphviz does not measure for us."""
    return sum(0.5 if ch in NARROW else 1.0 for ch in text)
