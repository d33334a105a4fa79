"""The article's graphs with handles on their inputs, and its numbers typed in, shared by the tests.

The graphs are widgets/exercises/examples.py's (the ones the notebooks' checkers build); the numbers are
ARTICLE.md's, written out, so a test compares the engine with the article rather than with itself.
"""

from __future__ import annotations

from typing import Any

from widgets.exercises import examples

# Section 5, one data point: loss = (w*x - y)**2 at w = 3, x = -4, y = 2, and its gradients.
MSE = {"loss": 196.0, "w": 112.0, "x": -84.0, "y": 28.0}
# Section 3: f = sigmoid(w0*x0 + w1*x1 + w2) at w = (2, -3, -3), x = (-1, -2).
NEURON_F = 0.7310585786300049
NEURON_DX = [0.3932238664829637, -0.5898357997244456]
NEURON_DW = [-0.19661193324148185, -0.3932238664829637, 0.19661193324148185]


def by_label(root: Any, labels: str | list[str]) -> tuple:
    """The graph's nodes with these labels (`"wxy"` or `["w0", "w1"]`), in that order."""
    nodes = examples.nodes_by_label(root)
    return tuple(nodes[k] for k in labels)


def mse_loss(named_steps: bool = False) -> Any:
    """Section 5's loss, labelled 'loss' (w*x and w*x - y named wx and diff only with named_steps)."""
    return examples.mse(named_steps=named_steps)


def mse(named_steps: bool = False) -> tuple[Any, tuple]:
    """Section 5's loss and its inputs: (loss, (w, x, y))."""
    loss = mse_loss(named_steps)
    return loss, by_label(loss, "wxy")


def neuron(fused: bool = False) -> tuple[Any, tuple, tuple]:
    """Section 3's neuron (the sigmoid as a stage of four gates unless fused): (f, (w0, w1, w2), (x0, x1))."""
    f = examples.neuron(fused=fused)
    return f, by_label(f, ["w0", "w1", "w2"]), by_label(f, ["x0", "x1"])
