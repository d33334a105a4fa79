"""What a gate is: a rule (the forward value beside its local gradients) and how it is described.

    @gate("*", symbol="×", why=lambda i, a, b: f"... the local gradient is the other input, {(b, a)[i]}")
    def mul(a, b):
        return a * b, (b, a)      # d(ab)/da = b, d(ab)/db = a

The rule does the arithmetic; `symbol` is what the drawing writes on the gate and `why` is what the
narration, the predict-mode hints and the exercises say about a local gradient. Everything that explains
a gate reads it from here (`autograd_core.node.gate_of(node)`), so a gate is described once.
This module knows no node type: calling a gate records its output through `Gate.node`, the scalar
`Value` (value.py sets it; value.py imports the built-in gates, so they cannot import it back).
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from typing import Any, ClassVar

# A gate's rule takes its inputs' data (floats) and returns (output, local gradients):
#     rule(a, b) -> (a * b, (b, a))
Rule = Callable[..., tuple[float, tuple[float, ...]]]
# Why a local gradient is what it is: a sentence, or a function of the input's position `i` that may
# also take the inputs' names (`lambda i, a, b: ...`) and the gate's constants (`*, n`).
Why = str | Callable[..., str] | None

_SUPERSCRIPT = str.maketrans("0123456789-.", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
                             "\u207b\u00b7")


class Gate:
    """A differentiable operation declared in one place: a name, a rule and its description.

    The rule takes the inputs' numbers and returns the output together with its local gradients.
    Calling the gate on Values (or plain numbers) runs the rule and records a new node.
    Keyword-only parameters of the rule are constants of the gate: `power_const(x, n=2)` runs the
    gate `power_const.bind(n=2)`, drawn as '**2' ('{n}' in the name, the symbol and the why is filled in).
    Without a `why`, the narration says the first sentence of the rule's docstring.
    """

    __slots__ = ("name", "rule", "arity", "inputs", "symbol", "doc", "params", "_why", "_bound")
    node: ClassVar[Any] = None  # the node type a gate records (value.Value)

    def __init__(self, name: str, rule: Rule, arity: int | None = None, *,
                 symbol: str | None = None, why: Why = None) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"a gate needs a non-empty name (a str), got {name!r}")
        if not callable(rule):
            raise TypeError(f"gate {name!r}: the rule must be a function, got {type(rule).__name__}")
        if why is not None and not (isinstance(why, str) or callable(why)):
            raise TypeError(f"gate {name!r}: why must be a str or a function of the input's position")
        self.name = name
        self.rule = rule
        self.arity = arity if arity is not None else positional_arity(rule)
        self.inputs = parameter_names(rule, self.arity)  # the rule's names for its inputs: ('a', 'b')
        self.symbol = symbol if symbol is not None else name
        self.doc = rule.__doc__ or ""
        self.params: dict[str, Any] | None = None
        self._why = why if why is not None else first_sentence(self.doc)
        self._bound: dict[tuple, Gate] = {}

    def why(self, index: int, *names: str, **params: Any) -> str:
        """Why the local gradient of input `index` is what it is ('' when the gate does not say).

        `names` are the inputs' names as the reader sees them (`x`, `n2`); they default to the rule's
        own parameter names. `params` are the gate's constants (a bound gate knows its own).
        """
        return explain(self._why, index, names or self.inputs, params or self.params or {})

    def bind(self, **params: Any) -> Gate:
        """This gate with its constants fixed (`{n}` in its name and symbol filled in), cached per value."""
        key = tuple(sorted(params.items()))
        bound = self._bound.get(key)
        if bound is None:
            rule, shown = self.rule, {k: fmt(v) for k, v in params.items()}
            bound = Gate(self.name.format(**shown), lambda *xs: rule(*xs, **params), self.arity,
                         symbol=self.symbol.format(**shown), why=self._why or "")
            bound.doc, bound.params, bound.inputs = self.doc, dict(params), self.inputs
            self._bound[key] = bound
        return bound

    def __call__(self, *inputs: Any, **params: Any) -> Any:
        """Run the rule on the inputs' numbers and record the output: a new node."""
        if params:
            return self.bind(**params)(*inputs)
        if len(inputs) != self.arity:
            raise TypeError(f"gate {self.name!r} takes {self.arity} input(s), got {len(inputs)}")
        return self.node._record(self, inputs)

    def __repr__(self) -> str:
        return f"Gate({self.name!r}, arity={self.arity})"


def gate(name: str, arity: int | None = None, *, symbol: str | None = None,
         why: Why = None) -> Callable[[Rule], Gate]:
    """Decorator: turn a rule `f(*inputs) -> (output, local_gradients)` into a gate.

    `symbol` is drawn on the gate (default: the name); `why` says why a local gradient is what it is
    (default: the first sentence of the rule's docstring).
    """

    def make(rule: Rule) -> Gate:
        return Gate(name, rule, arity, symbol=symbol, why=why)

    return make


def define_gate(name: str, forward: Callable[..., float], local: Callable[..., Any], *,
                symbol: str | None = None, why: Why = None) -> Gate:
    """A fused gate from two functions: `forward(*inputs) -> out` and `local(*inputs, out) -> grads`.

        sigmoid = define_gate("sigmoid", lambda x: 1 / (1 + math.exp(-x)),
                              lambda x, s: s * (1 - s), why="σ'(x) = s(1 - s), s the output")
    """
    if not callable(forward) or not callable(local):
        raise TypeError(f"define_gate({name!r}): forward and local must both be functions")
    arity = positional_arity(forward)

    def rule(*xs: float) -> tuple[float, Any]:
        out = forward(*xs)
        grads = local(*xs, out)
        if arity == 1 and isinstance(grads, numbers.Real):
            grads = (grads,)
        return out, grads

    rule.__doc__ = forward.__doc__
    made = Gate(name, rule, arity, symbol=symbol, why=why)
    made.inputs = parameter_names(forward, arity)
    return made


# ----- describing -------------------------------------------------------------------------------
def explain(why: Why, index: int, names: tuple[str, ...], params: dict[str, Any]) -> str:
    """A gate's `why` for input `index`: the sentence, or the function called with what it takes.

    A function gets the input's position, then (if it takes more) the inputs' names, and the gate's
    constants it names (`lambda i, *, n: ...` for `x ** n`).
    """
    if not why:
        return ""
    if isinstance(why, str):
        return why.format(**{k: fmt(v) for k, v in params.items()}) if params and "{" in why else why
    signature = inspect.signature(why).parameters.values()
    positional = [p for p in signature if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    any_keyword = any(p.kind is p.VAR_KEYWORD for p in signature)
    keywords = {k: v for k, v in params.items() if any_keyword or k in {p.name for p in signature}}
    if len(positional) > 1 or any(p.kind is p.VAR_POSITIONAL for p in signature):
        return str(why(index, *names, **keywords))
    return str(why(index, **keywords))


def first_sentence(doc: str) -> str:
    """The first sentence of a docstring (up to the first '. ' or blank line), or ''."""
    text = " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "") if head else ""


def superscript(text: str) -> str | None:
    """`2` -> `²`, `-1` -> `⁻¹`; None when the text has a character with no superscript form."""
    return text.translate(_SUPERSCRIPT) if text and all(c in "0123456789-." for c in text) else None


def power_of(base: str, n: str) -> str:
    """`a` to the power `n` as written in a why: `a²`, `a⁻¹`, `a` for 1, `a^x` for what has no superscript."""
    if n == "1":
        return base
    return base + (superscript(n) or f"^{n}")


def fmt(x: Any) -> str:
    """A gate's constant as its name shows it: 2.0 -> '2'."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def positional_arity(fn: Callable) -> int:
    """How many inputs a rule takes (its positional parameters without defaults)."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = inspect.signature(fn).parameters.values()
    return sum(1 for p in params if p.kind in kinds and p.default is inspect.Parameter.empty)


def parameter_names(rule: Callable, arity: int) -> tuple[str, ...]:
    """The rule's own names for its inputs (`a`, `b`), the default names in a why."""
    try:
        params = list(inspect.signature(rule).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(names) < arity:  # *xs: a, b, c, ...
        names = [chr(ord("a") + k) for k in range(arity)]
    return tuple(names[:arity])
