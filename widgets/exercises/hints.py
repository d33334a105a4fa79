"""What a gate does to the gradient of one of its inputs, in words: the hint a checker gives for that gate."""

from __future__ import annotations

from autograd_core import Value
from autograd_core.node import gate_params, local_gradients

from ..formatting import full as fmt
from .naming import node_name

_GATE_HINTS = {
    "+": "an add gate passes its upstream gradient unchanged to every input (local gradient 1)",
    "neg": "a negate gate flips the sign of the gradient (local gradient -1)",
    "exp": "e\u1d58 is its own derivative: the local gradient is the gate's output",
    "log": "\u2202ln(u)/\u2202u = 1/u",
    "tanh": "\u2202tanh(u)/\u2202u = 1 \u2212 t\u00b2, with t the gate's output",
    "sigmoid": "\u2202\u03c3(u)/\u2202u = (1 \u2212 s) \u00d7 s, with s the gate's output",
    "relu": "a relu passes the gradient where its input is positive and blocks it elsewhere",
    "max": "a max gate routes the whole gradient to its larger input",
}


def gate_hint(consumer: Value, index: int) -> str:
    """What a gate does to the gradient of its input number `index`, in words."""
    op = consumer._op
    if op == "*":
        other = consumer._prev[1 - index]
        return (
            f"a multiply gate swaps its inputs: the local gradient for {node_name(consumer._prev[index])} "
            f"is the other input, {node_name(other)} = {fmt(other.data)}"
        )
    if op == "/":
        if index == 0:
            return "\u2202(a/b)/\u2202a = 1/b"
        return "\u2202(a/b)/\u2202b = \u2212a/b\u00b2"
    if op.startswith("**") and "n" in gate_params(consumer):
        n = gate_params(consumer)["n"]
        from ..narration import superscript

        power = "" if n == 2 else (superscript(fmt(n - 1)) or f"^{fmt(n - 1)}")
        u = consumer._prev[0]
        top = superscript(fmt(n)) or f"^{fmt(n)}"
        return (f"\u2202(u{top})/\u2202u = {fmt(n)} \u00d7 u{power}, with u = {node_name(u)} "
                f"= {fmt(u.data)}")
    if op in _GATE_HINTS:
        return _GATE_HINTS[op]
    return f"the {op!r} gate's local gradient here is {fmt(local_gradients(consumer)[index])}"
