"""Notebook 01 (circuits and gradients): the circuit's gradients, the nudge, the multiply gate."""

from __future__ import annotations

from typing import Any

from autograd_core.gates import mul

from ..formatting import full
from .checks import check_gradients, check_numbers, gradients
from .examples import circuit, nodes_by_label
from .feedback import Feedback
from .gate_checks import check_gate


def circuit_gradients(dq: Any, dz: Any, dx: Any, dy: Any) -> Feedback:
    """Exercise: every gradient of f = (x + y) * z at x = -2, y = 5, z = -4."""
    names = {"q": "df/dq", "z": "df/dz", "x": "df/dx", "y": "df/dy"}
    return check_gradients("Gradients of f = (x + y) \u00b7 z", circuit(),
                           {"q": dq, "z": dz, "x": dx, "y": dy}, names=names)


def nudge(f_after: Any, step: float = 0.01) -> Feedback:
    """Exercise: predict f after x += step, from df/dx alone (first order: f + df/dx * step)."""
    f = circuit()
    grads = gradients(f)
    x = nodes_by_label(f)["x"]
    predicted = f.data + grads[id(x)] * step
    hint = f"f moves by gradient \u00d7 step: {full(f.data)} + ({full(grads[id(x)])}) \u00d7 {full(step)}"
    return check_numbers(f"f after nudging x by +{full(step)}", {"f after the nudge": f_after},
                         {"f after the nudge": predicted}, {"f after the nudge": hint},
                         root=f, nodes={"f after the nudge": x})


def multiply_gate(student: Any) -> Feedback:
    """Exercise: write the multiply gate's rule (output and both local gradients)."""
    return check_gate("Your multiply gate", student, mul, [(3.0, -4.0), (-2.0, 5.0), (0.5, 7.0)],
                      show=lambda g: circuit(mul_gate=g))
