"""The article's example graphs, built with the engine and labelled as the notebooks label them.

The checkers build their expected values on these graphs, and the tests reuse them instead of
rebuilding the same expressions (ARTICLE.md, sections 1 to 6).
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd_core import Gate, Value, graph, stage


def named(v: Value, label: str) -> Value:
    """Label a node and return it: `named(w * x, "wx")`."""
    v.label = label
    return v


def nodes_by_label(root: Value) -> dict[str, Value]:
    """Every labelled node of a graph, by label (the names the notebooks print and draw)."""
    return {n.label: n for n in graph.topological_order(root) if n.label}


def expression(a: float = 2.0, b: float = -3.0, c: float = 10.0, label: str = "f") -> Value:
    """Notebook 00: f = a * b + c, with a * b unlabelled (the stepper calls it n2)."""
    av, bv, cv = Value(a, "a"), Value(b, "b"), Value(c, "c")
    return named(av * bv + cv, label)


def circuit(mul_gate: Gate | None = None) -> Value:
    """Section 1: f = (x + y) * z with x = -2, y = 5, z = -4 (q = x + y); `mul_gate` multiplies if given."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = named(x + y, "q")
    return named(mul_gate(q, z) if mul_gate is not None else q * z, "f")


def staged_function(x: float = 3.0, y: float = -4.0, fused: bool = True) -> Value:
    """Section 2: f = (x + sigmoid(y)) / (sigmoid(x) + (x + y)^2), named as in CS231n's staged code.

    fused=False writes each sigmoid as its four gates, in a stage("sigmoid").
    """
    xv, yv = Value(x, "x"), Value(y, "y")
    sigy = named(_sigmoid(yv, fused), "sigy")
    num = named(xv + sigy, "num")
    sigx = named(_sigmoid(xv, fused), "sigx")
    xpy = named(xv + yv, "xpy")
    xpysqr = named(xpy**2, "xpysqr")
    den = named(sigx + xpysqr, "den")
    return named(num / den, "f")


def neuron(w: Sequence[float] = (2.0, -3.0, -3.0), x: Sequence[float] = (-1.0, -2.0),
           fused: bool = True, sigmoid_gate: Gate | None = None) -> Value:
    """Section 3: f = sigmoid(w0*x0 + w1*x1 + w2), the sigmoid fused, as its four gates, or a given gate."""
    w0, w1, w2 = (Value(v, f"w{i}") for i, v in enumerate(w))
    x0, x1 = (Value(v, f"x{i}") for i, v in enumerate(x))
    dot = named(w0 * x0 + w1 * x1 + w2, "dot")
    return named(sigmoid_gate(dot) if sigmoid_gate is not None else _sigmoid(dot, fused), "f")


def mse(w: float = 3.0, x: float = -4.0, y: float = 2.0, named_steps: bool = True) -> Value:
    """Sections 5 and 6: loss = (w*x - y)**2 for one data point.

    named_steps labels w*x and w*x - y as the article's figure does (wx, diff); False leaves them to
    the stepper's generated names (n2, -y, n5).
    """
    wv, xv, yv = Value(w, "w"), Value(x, "x"), Value(y, "y")
    if not named_steps:
        return named((wv * xv - yv) ** 2, "loss")
    diff = named(named(wv * xv, "wx") - yv, "diff")
    return named(diff**2, "loss")


def fork() -> Value:
    """Section 6's question: a = 1; b = a + a; c = b + b, so dc/da = 4 (b is used twice)."""
    a = Value(1.0, "a")
    b = named(a + a, "b")
    return named(b + b, "c")


def _sigmoid(v: Value, fused: bool) -> Value:
    if fused:
        return v.sigmoid()
    with stage("sigmoid"):
        return 1 / (1 + (-v).exp())
