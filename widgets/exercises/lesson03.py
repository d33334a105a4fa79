"""Notebook 03 (staged computation): the fused sigmoid gate, its local gradient, the neuron's gradients."""

from __future__ import annotations

from typing import Any

from autograd_core.gates import sigmoid
from autograd_core.node import local_gradients

from ..formatting import full
from .checks import check_gradients, check_numbers
from .examples import neuron
from .feedback import Feedback
from .gate_checks import check_gate


def sigmoid_gate(student: Any) -> Feedback:
    """Exercise: write the fused sigmoid gate (forward s = 1/(1+e^-x), local gradient (1-s)s)."""
    return check_gate("Your sigmoid gate", student, sigmoid, [(0.0,), (1.0,), (-2.0,), (3.5,)],
                      show=lambda g: neuron(sigmoid_gate=g))


def neuron_gradients(dx0: Any, dx1: Any, dw0: Any, dw1: Any, dw2: Any) -> Feedback:
    """Exercise: the 2-D neuron's gradients, from the sigmoid's local gradient and the multiply swap."""
    answers = {"w0": dw0, "x0": dx0, "w1": dw1, "x1": dx1, "w2": dw2}
    names = {k: f"df/d{k}" for k in answers}
    return check_gradients("Gradients of the 2-D neuron", neuron(), answers, names=names)


def sigmoid_local(answer: Any) -> Feedback:
    """Exercise: the sigmoid gate's local gradient in the neuron, (1 - s) * s at s = f."""
    f = neuron()
    expected = local_gradients(f)[0]
    hint = f"(1 - s)\u00b7s with s = {full(f.data)}"
    return check_numbers("The sigmoid gate's local gradient", {"local gradient": answer},
                         {"local gradient": expected}, {"local gradient": hint},
                         root=f, nodes={"local gradient": f})
