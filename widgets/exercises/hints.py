"""What a gate does to the gradient of one of its inputs, in words: the hint a checker gives for that gate."""

from __future__ import annotations

from autograd_core import Value
from autograd_core.node import gate_of, gate_params, local_gradients

from ..formatting import full as fmt
from .naming import node_name


def gate_hint(consumer: Value, index: int) -> str:
    """What a gate does to the gradient of its input number `index`, in words: the gate's own why
    (`Gate.why`, the same sentence the stepper's narration says), with the inputs named and valued."""
    made_by = gate_of(consumer)
    names = [f"{node_name(p)} = {fmt(p.data)}" for p in consumer._prev]
    why = made_by.why(index, *names, **gate_params(consumer)) if made_by is not None else ""
    local = local_gradients(consumer)[index]
    return why or f"the {consumer._op!r} gate's local gradient here is {fmt(local)}"
