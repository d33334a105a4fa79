"""How fast a graph engine in Python can be on the small MLP step, and what each of our features costs.

    python benchmarks/tensor_floor.py

`benchmarks/engine.py tensor` holds the tensor engine to 1.6x bare numpy on one training step of a
100x2->16->16->1 MLP. This script says what that target asks for. In the same process, alternating
rounds as engine.py does (median of per-round ratios), it times:

- bare numpy: the step written by hand, no graph (engine.py's baseline);
- the floor: the smallest graph engine that can run this step (below, 40 lines): a node per gate, the
  same 9 gates and numpy calls as ours, a depth-first sort and a backward loop, and nothing else: no
  check of any input, no warnings switched off, no stages, no gradients reset, no special values;
- the floor plus the calls our API makes whatever engine is inside (the functions ours calls): a
  stage recorded per module call (what folds a large graph into boxes), `zero_grad()`'s walk over the
  modules for their parameters, the check that the targets are in [0, 1], numpy's warnings switched off
  around each gate;
- ours.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engine  # noqa: E402  (sets one thread per library before numpy is imported)
import numpy as np  # noqa: E402

import autograd_core.tensor_rules as rules  # noqa: E402
from autograd_core import nn  # noqa: E402
from autograd_core.stages import Stage  # noqa: E402

STEPS = 200


class Node:
    """The floor's node: data, grad, inputs and one vector-Jacobian product per input."""

    __slots__ = ("data", "grad", "prev", "vjps")

    def __init__(self, data, prev=(), vjps=()):
        self.data, self.grad, self.prev, self.vjps = data, None, prev, vjps


def matmul(a: Node, b: Node) -> Node:
    A, B = a.data, b.data
    return Node(A @ B, (a, b), (lambda g: g @ B.T, lambda g: A.T @ g))


def add_bias(a: Node, b: Node) -> Node:
    return Node(a.data + b.data, (a, b), (lambda g: g, lambda g: g.sum(axis=0)))


def relu(a: Node) -> Node:
    mask = a.data > 0
    return Node(a.data * mask, (a,), (lambda g: g * mask,))


def bce(z: Node, y: np.ndarray) -> Node:
    x = z.data
    e = np.exp(-np.abs(x))
    value = (np.maximum(x, 0.0) - x * y + np.log1p(e)).mean()
    d = (np.where(x >= 0.0, 1.0, e) / (1.0 + e) - y) / x.size
    return Node(value, (z,), (lambda g: g * d,))


def backward(root: Node, learns: set) -> None:
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.prev))
    root.grad = 1.0
    for node in reversed(order):
        for parent, vjp in zip(node.prev, node.vjps):
            if parent.prev or parent in learns:
                g = vjp(node.grad)
                parent.grad = g if parent.grad is None else parent.grad + g


def main() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (rng.random((100, 1)) < 0.5).astype(np.float64)
    model = nn.Sequential(nn.Linear(2, 16, rng), nn.ReLU(), nn.Linear(16, 16, rng), nn.ReLU(),
                          nn.Linear(16, 1, rng))
    linears = [m for m in model.layers if isinstance(m, nn.Linear)]
    params = [(Node(m.weight.data), Node(m.bias.data)) for m in linears]
    learns = {p for pair in params for p in pair}
    X_node = Node(X)

    def floor():
        for p in learns:
            p.grad = None
        h = X_node
        for i, (W, b) in enumerate(params):
            h = add_bias(matmul(h, W), b)
            if i < len(params) - 1:
                h = relu(h)
        out = bce(h, y)
        backward(out, learns)
        return out

    def ours():
        model.zero_grad()
        out = nn.binary_cross_entropy_with_logits(model(X), y)
        out.backward()
        return out

    np_params = [(m.weight.data, m.bias.data) for m in linears]

    def bare():
        return engine._numpy_step(X, y, np_params, "bce")

    value, grads = bare()
    assert abs(floor().data - value) < 1e-12 and abs(ours().item() - value) < 1e-12
    for (W, b), (gW, gb) in zip(params, grads):
        assert np.allclose(W.grad, gW) and np.allclose(b.grad, gb)

    ratios, best = engine._race({"floor": floor, "numpy": bare}, STEPS)
    print("Small MLP step (100x2->16->16->1, BCE with logits), one thread; median of per-round ratios")
    print(f"  the floor (a bare graph engine) / bare numpy   {ratios['numpy']:.2f}x   "
          f"(floor {best['floor'] * 1e6:.0f} us, numpy {best['numpy'] * 1e6:.0f} us)")
    ratios, best = engine._race({"ours": ours, "numpy": bare, "floor": floor}, STEPS)
    print(f"  ours / bare numpy                              {ratios['numpy']:.2f}x   "
          f"(ours {best['ours'] * 1e6:.0f} us); ours / the floor {ratios['floor']:.2f}x")

    # The floor, plus the calls our API makes whatever the engine inside: the six module calls, each
    # recording a stage (what lets a drawing fold a layer into a box), zero_grad's walk over the modules
    # for their parameters, the targets' check, and numpy's warnings off around each of the 9 gates
    # (inf and nan are values here, issue 11): the very functions ours calls, or its numpy calls.
    def floor_with_api():
        model.parameters()
        for p in learns:
            p.grad = None
        targets = np.asarray(y, dtype=np.float64)  # what the loss checks: the targets' shape and range
        assert targets.shape == (len(X), 1)
        assert np.minimum.reduce(targets, axis=None) >= 0.0 and np.maximum.reduce(targets, axis=None) <= 1.0
        with Stage("Sequential"):
            h = X_node
            for i, (W, b) in enumerate(params):
                with Stage("Linear"):
                    token = rules.quiet()
                    h = matmul(h, W)
                    rules.loud(token)
                    token = rules.quiet()
                    h = add_bias(h, b)
                    rules.loud(token)
                if i < len(params) - 1:
                    with Stage("ReLU"):
                        token = rules.quiet()
                        h = relu(h)
                        rules.loud(token)
        token = rules.quiet()
        out = bce(h, y)
        rules.loud(token)
        token = rules.quiet()
        backward(out, learns)
        rules.loud(token)
        return out

    ratios, best = engine._race({"api": floor_with_api, "numpy": bare}, STEPS)
    print(f"  the floor + our API's fixed calls / bare numpy {ratios['numpy']:.2f}x   "
          f"(floor + API {best['api'] * 1e6:.0f} us: stages, zero_grad's walk, targets' check, warnings off)")


if __name__ == "__main__":
    main()
