"""The arithmetic of each step, as plain text and as HTML: `∂L/∂x += ∂L/∂q × ∂q/∂x = -4 × 1 = -4`.

One notation everywhere, text and HTML alike: `∂` for derivatives, `×` for products, superscripts
for powers (`xpy²`). Numbers are written at full precision, or with few digits (`narrating(digits)`,
the projector theme) where a hall must read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from html import escape
from typing import Any

from autograd_core.gate import superscript
from autograd_core.node import is_constant, needs_grad, why_of

from . import formatting
from .plan import Plan

INFIX = {"@": ("@", "@"), "+": ("+", "+"), "*": ("\u00d7", "\u00d7"), "/": ("/", "\u00f7"), "**": ("^", "^")}
MINUS = "\u2212"  # the minus sign of a gate (negation), apart from a number's own "-"

# None: full precision (the default); an int: that many digits, as the drawing shows (projector).
_DIGITS: ContextVar[int | None] = ContextVar("narration_digits", default=None)


@contextmanager
def narrating(digits: int | None) -> Iterator[None]:
    """Write narrations with `digits` digits (None: full precision) inside this block."""
    token = _DIGITS.set(digits)
    try:
        yield
    finally:
        _DIGITS.reset(token)


def with_digits(digits: int | None, write: Callable[..., Any], *args: Any) -> Any:
    """`write(*args)` with numbers written to `digits` digits (None: full precision)."""
    with narrating(digits):
        return write(*args)


@dataclass(frozen=True)
class Narration:
    """What a frame says: its lines as data, written out as text or HTML only when shown.

    `marks` gives each line an optional class (`bp-wrong` for a warning); `before` adds a line on top.
    """

    lines: tuple[Piece, ...] = ()
    marks: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def html(self) -> str:
        marks = self.marks or ("",) * len(self.lines)
        rows = "".join(f'<div class="bp-line{" " + m if m else ""}">{line.html}</div>'
                       for line, m in zip(self.lines, marks))
        return f'<div class="bp-narr">{rows}</div>' if self.lines else ""

    def before(self, line: Piece, mark: str = "") -> Narration:
        """This narration with `line` first."""
        marks = self.marks or ("",) * len(self.lines)
        return Narration((line, *self.lines), (mark, *marks))


@dataclass(frozen=True)
class Piece:
    """A bit of narration in both forms."""

    text: str
    html: str

    def __add__(self, other: Piece | str) -> Piece:
        if isinstance(other, str):
            return Piece(self.text + other, self.html + escape(other))
        return Piece(self.text + other.text, self.html + other.html)

    def __radd__(self, other: str) -> Piece:
        return Piece(other + self.text, escape(other) + self.html)


TIMES = Piece(" \u00d7 ", " \u00d7 ")  # the multiplication sign, in the text as in the HTML


def name(plan: Plan, i: int) -> Piece:
    text = plan.names[i]
    if is_constant(plan.order[i]):
        return Piece(text, escape(text))
    return Piece(text, f"<i>{escape(text)}</i>")


def written(x: Any) -> str:
    """A number as the narration writes it: full precision, or `narrating(digits)`'s few digits."""
    digits = _DIGITS.get()
    if digits is None or formatting.is_array(x):
        return formatting.full(x)
    return formatting.brief(x, digits)


def number(x: Any, kind: str, bracket: bool = False) -> Piece:
    """A number (see `written`); kind "v" (a value, blue) or "g" (a gradient, vermillion)."""
    text = written(x)
    if bracket and text.startswith("-"):
        text = f"({text})"
    return Piece(text, f'<span class="bp-{kind}">{escape(text)}</span>')


def d(top: Piece, bottom: Piece) -> Piece:
    """The derivative ∂top/∂bottom: `∂L/∂x` as text, a stacked fraction in HTML."""
    html = f'<span class="bp-frac"><span>\u2202{top.html}</span><span>\u2202{bottom.html}</span></span>'
    return Piece(f"\u2202{top.text}/\u2202{bottom.text}", html)


def apply(op: str, args: list[Piece]) -> Piece:
    """`op` applied to its inputs, written the way the article writes it: `x + y`, `-y`, `exp(a)`."""
    if op in INFIX and len(args) == 2:
        a, b = args
        sym_text, sym_html = INFIX[op]
        if op == "**":
            sup = superscript(b.text)
            return Piece(f"{a.text}{sup}" if sup else f"{a.text}^{b.text}", f"{a.html}<sup>{b.html}</sup>")
        return Piece(f"{a.text} {sym_text} {b.text}", f"{a.html} {sym_html} {b.html}")
    if len(args) == 1:
        (a,) = args
        if op == "neg":
            return Piece(f"{MINUS}{a.text}", f"{MINUS}{a.html}")
        if op.startswith("**"):
            sup = superscript(op[2:])
            return Piece(f"{a.text}{sup}" if sup else f"{a.text}^{op[2:]}",
                         f"{a.html}<sup>{escape(op[2:])}</sup>")
        if op.endswith("**"):
            return Piece(f"{op[:-2]}^{a.text}", f"{escape(op[:-2])}<sup>{a.html}</sup>")
    inner = Piece(", ".join(a.text for a in args), ", ".join(a.html for a in args))
    return Piece(f"{op}({inner.text})", f"{escape(op)}({inner.html})")


def _bracketed(op: str, values: list[Any]) -> list[Piece]:
    """Input values, with brackets where a minus sign would read wrongly (`-2 + (-5)`, `(-1)**2`)."""
    out = []
    for k, v in enumerate(values):
        if op == "neg":  # -(2), -(-4): the gate's minus apart from the number's own sign
            text = written(v)
            out.append(Piece(f"({text})", f'(<span class="bp-v">{escape(text)}</span>)'))
            continue
        bracket = (op in INFIX and (k > 0 or op == "**")) or op.startswith("**")
        out.append(number(v, "v", bracket=bracket))
    return out


def _lines(pieces: list[Piece | str]) -> Narration:
    return Narration(tuple(Piece(p, escape(p)) if isinstance(p, str) else p for p in pieces))


def start(plan: Plan) -> Narration:
    """Frame 0: what is drawn (constants written inside their gate, "+1", are not counted apart)."""
    root = name(plan, plan.size - 1)
    drawn = plan.size - len(plan.folded)
    return _lines([
        f"Nothing computed yet: {drawn} nodes drawn, from the inputs to " + root
        + ". Press Next for the forward pass."
    ])


def forward(plan: Plan, i: int) -> Narration:
    """Node i's value from its inputs: `q = x + y = -2 + 5 = 3`."""
    node = plan.order[i]
    me = name(plan, i)
    value = number(node.data, "v")
    if not node._prev:
        if is_constant(node):
            return _lines(["the constant " + value])
        return _lines([me + " = " + value + "  (an input)"])
    ins = [plan.index[id(p)] for p in node._prev]
    symbolic = apply(node._op, [name(plan, j) for j in ins])
    numeric = apply(node._op, _bracketed(node._op, [p.data for p in node._prev]))
    if same_text(symbolic.text, me.text):  # a node named after its gate (-dot, exp(-dot)): say it once
        return _lines([me + " = " + numeric + " = " + value])
    return _lines([me + " = " + symbolic + " = " + numeric + " = " + value])


def same_text(a: str, b: str) -> bool:
    """True when two narration texts say the same (a gate's minus sign is written like a number's)."""
    def norm(t: str) -> str:
        return t.replace(MINUS, "-").replace(" ", "")

    return norm(a) == norm(b)


@dataclass(frozen=True)
class Share:
    """One input's share of a backward step, with its place among the input's paths (for `+=` at forks)."""

    parent: int
    pos: int
    local: Any
    value: Any
    before: Any
    after: Any
    path: int  # 1 for the first contribution this input receives, 2 for the second, ...


def backward(plan: Plan, i: int, upstream: Any, shares: list[Share]) -> Narration:
    """Node i passes its gradient to its inputs: `dL/dx += dL/dq * dq/dx = -4 * 1 = -4` per input."""
    root_i = plan.size - 1
    loss = name(plan, root_i)
    me = name(plan, i)
    node = plan.order[i]
    lines: list[Piece] = []
    if i == root_i:
        lines.append(d(loss, loss) + " = " + number(upstream, "g") + "  (the start: " + loss
                     + " changes one-for-one with itself; this is the upstream gradient of its gate)")
    elif shares:
        lines.append(me + " is complete: " + d(loss, me) + " = " + number(upstream, "g")
                     + ". It passes it back to its inputs:")
    if not node._prev:
        grad = number(upstream, "g")
        if is_constant(node):
            lines.append(me + " is a constant: its gradient " + grad + " is not used to learn anything")
        elif formatting.is_array(upstream):
            lines.append(d(loss, me) + " = " + grad + " is final (" + me + " is an input): nudging one "
                         "entry by +h moves " + loss + " by about its gradient times h")
        else:
            nudge = 0.001
            moved = f"{float(upstream) * nudge:.4g}"
            lines.append(d(loss, me) + " = " + grad + " is final (" + me + " is an input): nudge "
                         + me + f" by +{nudge:g} and " + loss + f" moves by about {moved}")
        return _lines(lines)
    for s in shares:
        if s.parent in plan.folded:
            continue  # a constant drawn inside its gate: nothing learns from its gradient
        parent = name(plan, s.parent)
        lines.append(contribution(plan, i, upstream, s))
        if plan.uses[s.parent] > 1:
            lines.append(
                "    at the fork: " + d(loss, parent) + " = " + number(s.before, "g") + " + "
                + number(s.value, "g", bracket=True) + " = " + number(s.after, "g")
                + f"  (path {s.path} of {plan.uses[s.parent]} into " + parent + ")"
            )
    return _lines(lines)


def contribution(plan: Plan, i: int, upstream: Any, s: Share) -> Piece:
    """`∂L/∂x += ∂L/∂q × ∂q/∂x = -4 × 1 = -4  (why the local gradient is 1)`.

    At the output itself (i is the root) `∂L/∂L × ∂L/∂x` would read circular: the line names the
    numbers instead, `∂L/∂x += upstream 1 × local 2 = 2`. A Tensor step is written as its
    vector-Jacobian product, with the shapes (`tensor_contribution`).
    """
    if formatting.is_array(s.value) or formatting.is_array(upstream):
        return tensor_contribution(plan, i, upstream, s)
    loss = name(plan, plan.size - 1)
    me, parent = name(plan, i), name(plan, s.parent)
    if i == plan.size - 1 and s.local is not None:
        line = (d(loss, parent) + " += upstream " + number(upstream, "g") + TIMES + "local "
                + number(s.local, "g", bracket=True) + " = " + number(s.value, "g"))
        why = _why(plan, i, s.pos)
        if why:
            line = line + Piece(f"  ({why})", f' <span class="bp-why">({escape(why)})</span>')
        return line
    chain = d(loss, parent) + " += " + d(loss, me) + TIMES + d(me, parent)
    if s.local is None:  # a tensor gate: the product is a vector-Jacobian product, shown as its result
        return chain + " = " + number(s.value, "g")
    arithmetic = (
        number(upstream, "g") + TIMES + number(s.local, "g", bracket=True) + " = " + number(s.value, "g")
    )
    why = _why(plan, i, s.pos)
    line = chain + " = " + arithmetic
    if why:
        line = line + Piece(f"  ({why})", f' <span class="bp-why">({escape(why)})</span>')
    return line


def _why(plan: Plan, i: int, pos: int) -> str:
    """Why node i's local gradient for its input `pos` is what it is: its gate says (gate.why)."""
    node = plan.order[i]
    return why_of(node, pos, *(plan.names[plan.index[id(p)]] for p in node._prev))


# ----- tensors: the vector-Jacobian product in the dimension analysis the course teaches ---------
def dims(x: Any) -> str:
    """`5×4` for a (5, 4) array, `4` for a (4,) one, `1` for a number."""
    shape = getattr(x, "shape", ())
    return "\u00d7".join(str(n) for n in shape) if shape else "1"


def _sized(piece: Piece, x: Any) -> Piece:
    size = dims(x)
    return piece + Piece(f" ({size})", f' <span class="bp-dims">({escape(size)})</span>')


def _t(piece: Piece) -> Piece:
    """A matrix transposed: `Xᵀ`."""
    return Piece(piece.text + "^T", piece.html + "\u1d40")


def tensor_contribution(plan: Plan, i: int, upstream: Any, s: Share) -> Piece:
    """`dL/dW (2×4) += Xᵀ (2×5) @ dL/dZ (5×4)`, then the numbers (exactly when there are few).

    The shapes are the check a student makes by hand: a gradient always has its node's shape, and a
    matrix product's gradient is the only product of the neighbours' shapes that gives it."""
    node = plan.order[i]
    parent_node = plan.order[s.parent]
    loss = name(plan, plan.size - 1)
    me, parent = name(plan, i), name(plan, s.parent)
    lhs = _sized(d(loss, parent), parent_node.data) + " += "
    up = _sized(d(loss, me), upstream)
    op = node._op
    pos = [k for k, p in enumerate(node._prev) if needs_grad(p)][s.pos]  # inputs without grad get no share
    if op == "@" and len(node._prev) == 2:
        other = node._prev[1 - pos]
        other_name = name(plan, plan.index[id(other)])
        if pos == 0:  # Z = A @ B: dL/dA = dL/dZ @ Bᵀ
            rhs = up + " @ " + _sized(_t(other_name), other.data.T)
        else:  # dL/dB = Aᵀ @ dL/dZ
            rhs = _sized(_t(other_name), other.data.T) + " @ " + up
    elif s.local is not None:
        local = _sized(d(me, parent), s.local)
        rhs = up + Piece(" \u2299 ", " \u2299 ") + local  # elementwise: the Jacobian is diagonal
    elif op in ("sum", "mean"):
        rhs = up + Piece(" copied to every entry", " copied to every entry") + (
            Piece(" / count", " / count") if op == "mean" else "")
    elif op == "transpose":
        rhs = _t(up)
    elif op == "reshape":
        rhs = up + Piece(" reshaped back", " reshaped back")
    elif op == "[]":
        rhs = up + Piece(" put back where the entries were picked", " put back where the entries were picked")
    else:
        via = f" through {op}'s vector-Jacobian product"
        rhs = up + Piece(via, escape(via))
    line = lhs + rhs + " = " + _numbers(s.value)
    note = _broadcast_note(plan, parent_node, upstream, s)
    if note:
        line = line + Piece(f"  ({note})", f' <span class="bp-why">({escape(note)})</span>')
    elif s.local is not None and _why(plan, i, pos):
        why = f"{_why(plan, i, pos)}, entry by entry"
        line = line + Piece(f"  ({why})", f' <span class="bp-why">({escape(why)})</span>')
    return line


def _numbers(x: Any) -> Piece:
    """An array's numbers in full when few, else its shape and range (full precision)."""
    return number(x, "g")


def _broadcast_note(plan: Plan, parent_node: Any, upstream: Any, s: Share) -> str:
    """Say when broadcasting stretched this input, so its gradient was summed back to its shape."""
    up_shape = getattr(upstream, "shape", ())
    mine = getattr(parent_node.data, "shape", ())
    if s.local is None or tuple(up_shape) == tuple(mine):
        return ""
    extra = len(up_shape) - len(mine)
    axes = list(range(extra)) + [extra + k for k, n in enumerate(mine) if n == 1 and up_shape[extra + k] != 1]
    where = "axis " + ", ".join(str(a) for a in axes) if len(axes) != 1 else f"axis {axes[0]}"
    return (f"broadcasting used {plan.names[s.parent]} ({dims(parent_node.data)}) as ({dims(upstream)}): "
            f"its gradient is summed over {where}")
def hint(plan: Plan, i: int, upstream: Any, s: Share) -> Piece:
    """Predict mode's first answer to a wrong guess: the two numbers to multiply, not their product."""
    loss = name(plan, plan.size - 1)
    me, parent = name(plan, i), name(plan, s.parent)
    upstream_piece = ("the upstream gradient " + number(upstream, "g") + " (the output's own)"
                      if i == plan.size - 1 else "the upstream gradient " + d(loss, me) + " = "
                      + number(upstream, "g"))
    line = ("Hint: multiply " + upstream_piece + " by the local gradient " + d(me, parent) + " = "
            + number(s.local, "g"))
    why = _why(plan, i, s.pos)
    if why:
        line = line + Piece(f" ({why})", f' <span class="bp-why">({escape(why)})</span>')
    if s.before != 0:
        line = line + (", then add what " + parent + " already had, " + number(s.before, "g"))
    return line + "."
