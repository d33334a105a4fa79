"""Engine speed, measured in one run against a baseline in the same process; prints the ratios.

    python benchmarks/engine.py            # every section
    python benchmarks/engine.py scalar     # only the scalar engine against micrograd
    python benchmarks/engine.py tensor     # only the tensor engine against PyTorch

Tensor engine vs PyTorch CPU: one training step (zero the gradients, forward, loss, backward) of
the same MLP with the same weights, float64 in both, one thread each. The two are timed in
alternating rounds, so that a busy machine slows both alike; the ratio reported is the median of
the per-round ratios (ours / PyTorch), and the times are the best round of each.
"""

from __future__ import annotations

import os

# One thread each: set before numpy or torch is imported, or their thread pools are already sized.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import copy  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from autograd_core import nn  # noqa: E402

# (name, batch, sizes, loss, steps per round, target: at most this many times PyTorch's time)
TENSOR_CASES = [
    ("MLP 100x2->16->16->1, BCE with logits", 100, [2, 16, 16, 1], "bce", 200, 1.0),
    ("MLP 1024x784->256->10, cross-entropy", 1024, [784, 256, 10], "ce", 2, 1.3),
]
ROUNDS = 15


def tensor_vs_pytorch() -> bool:
    """Time one training step of the tensor engine against PyTorch; True if every target is met."""
    try:
        import torch
    except ImportError:
        print("tensor engine vs PyTorch: skipped, torch is not installed (pip install torch==2.13.0)")
        return True
    torch.set_num_threads(1)
    print(f"Tensor engine vs PyTorch {torch.__version__} CPU, float64, one thread each "
          f"(numpy {np.__version__}); one step = zero_grad, forward, loss, backward")
    ok = True
    for name, batch, sizes, loss, steps, target in TENSOR_CASES:
        ours, theirs, theirs32 = _training_steps(torch, batch, sizes, loss)
        ratio, best_ours, best_theirs = _race(ours, theirs, steps)
        verdict = "ok" if ratio <= target else "OVER TARGET"
        ok &= ratio <= target
        best32 = _best(theirs32, steps)
        print(f"  {name:40s} ours {_fmt(best_ours)}  PyTorch {_fmt(best_theirs)}  "
              f"ratio {ratio:.2f}x (target <= {target:.1f}x) {verdict}   [PyTorch float32: {_fmt(best32)}]")
    return ok


def _training_steps(torch, batch: int, sizes: list[int], loss: str) -> tuple[Callable, Callable]:
    """The same step in both frameworks, checked to compute the same loss and gradients."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(batch, sizes[0]))
    layers: list = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1], rng))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)

    torch_layers: list = []
    for layer in layers:
        if isinstance(layer, nn.Linear):
            t = torch.nn.Linear(*layer.weight.shape, dtype=torch.float64)
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(layer.weight.data.T))
                t.bias.copy_(torch.from_numpy(layer.bias.data))
            torch_layers.append(t)
        else:
            torch_layers.append(torch.nn.ReLU())
    torch_model = torch.nn.Sequential(*torch_layers)
    tX = torch.from_numpy(X)

    F = torch.nn.functional
    if loss == "bce":
        y = (rng.random((batch, 1)) < 0.5).astype(np.float64)
        our_loss, their_loss = nn.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits
    else:
        y = rng.integers(0, sizes[-1], batch)
        our_loss, their_loss = nn.cross_entropy, F.cross_entropy
    ty = torch.from_numpy(y)

    def ours():
        model.zero_grad()
        out = our_loss(model(X), y)
        out.backward()
        return out

    def theirs():
        torch_model.zero_grad()
        out = their_loss(torch_model(tX), ty)
        out.backward()
        return out

    # For reference only (the engine computes in float64): PyTorch's default precision.
    torch_model32, X32 = copy.deepcopy(torch_model).float(), tX.float()
    ty32 = ty.float() if loss == "bce" else ty

    def theirs32():
        torch_model32.zero_grad()
        their_loss(torch_model32(X32), ty32).backward()

    a, b = ours().item(), theirs().item()
    assert abs(a - b) <= 1e-9 * abs(b), f"the two losses differ: {a} vs {b}"
    for p, q in zip(model.parameters(), torch_model.parameters()):
        g = q.grad.numpy().T if q.ndim == 2 else q.grad.numpy()
        assert np.allclose(p.grad, g, rtol=1e-9, atol=1e-12), "the two gradients differ"
    return ours, theirs, theirs32


def _best(f: Callable, steps: int, rounds: int = 5) -> float:
    """The best time per call over a few rounds of `steps` calls."""
    f()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(steps):
            f()
        times.append((time.perf_counter() - start) / steps)
    return min(times)


def _race(ours: Callable, theirs: Callable, steps: int, rounds: int = ROUNDS) -> tuple[float, float, float]:
    """Alternate rounds of `steps` steps; (median per-round ratio, best time ours, best time theirs)."""
    for _ in range(3):  # warm up caches and allocators
        ours()
        theirs()
    times_ours, times_theirs, ratios = [], [], []
    for r in range(rounds):
        pair = []
        for f in ((ours, theirs) if r % 2 == 0 else (theirs, ours)):
            start = time.perf_counter()
            for _ in range(steps):
                f()
            pair.append((f, (time.perf_counter() - start) / steps))
        t_ours = next(t for f, t in pair if f is ours)
        t_theirs = next(t for f, t in pair if f is theirs)
        times_ours.append(t_ours)
        times_theirs.append(t_theirs)
        ratios.append(t_ours / t_theirs)
    return statistics.median(ratios), min(times_ours), min(times_theirs)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:8.0f} us" if seconds < 1e-2 else f"{seconds * 1e3:8.2f} ms"


def scalar_vs_micrograd() -> bool:
    """micrograd's demo step (2-16-16-1 MLP, 100 moons, hinge + 1e-4 L2): ours against micrograd's."""
    import gc

    try:
        from micrograd import engine as mg_engine
        from micrograd import nn as mg_nn
    except ImportError:
        print("scalar engine vs micrograd: skipped, micrograd is not installed "
              "(pip install micrograd==0.1.0)")
        return True
    from autograd_core import Value

    X, y = nn.make_moons(100, noise=0.1, seed=1)
    rows, labels = X.tolist(), (2.0 * y - 1.0).tolist()

    def demo_step(V: type, model: Any) -> Any:
        """The loss of micrograd's demo notebook, the same code for both engines."""
        scores = [model([V(a), V(b)]) for a, b in rows]
        losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        return total

    mg_model = mg_nn.MLP(2, [16, 16, 1])
    our_model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    for p_ours, p_mg in zip(our_model.parameters(), mg_model.parameters()):
        p_mg.data = p_ours.data  # the same weights, so both compute the same loss
    a = demo_step(Value, our_model).data
    b = demo_step(mg_engine.Value, mg_model).data
    assert abs(a - b) <= 1e-9 * abs(b), (a, b)

    def timed(V: type, model: Any, collect: bool = True) -> float:
        gc.collect()  # each side starts with no garbage of the other's
        if not collect:
            gc.disable()
        try:
            start = time.perf_counter()
            graph = demo_step(V, model)
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        del graph  # freeing the graph is not part of the step (micrograd's waits for the collector)
        return elapsed

    ratios, ours, theirs, theirs_no_gc = [], [], [], []
    for _ in range(11):
        t_ours, t_theirs = timed(Value, our_model), timed(mg_engine.Value, mg_model)
        ours.append(t_ours)
        theirs.append(t_theirs)
        theirs_no_gc.append(timed(mg_engine.Value, mg_model, collect=False))
        ratios.append(t_ours / t_theirs)
    ratio = statistics.median(ratios)
    ok = ratio <= 0.2
    print("Scalar engine vs micrograd 0.1.0: micrograd's demo step (2-16-16-1 MLP on 100 moons, hinge + "
          "1e-4 L2, forward + backward), both with the garbage collector on, as users run them")
    print(f"  {'demo step':40s} ours {_fmt(min(ours))}  micrograd {_fmt(min(theirs))}  ratio {ratio:.2f}x "
          f"(target <= 0.2x) {'ok' if ok else 'OVER TARGET'}")
    print(f"  {'(micrograd with gc disabled)':40s} micrograd {_fmt(min(theirs_no_gc))}: the rest of its time "
          "is the cyclic garbage collector freeing its closures")

    x = Value(0.5)
    v = x
    for _ in range(1_000_000):
        v = v.tanh()
    gc.collect()
    start = time.perf_counter()
    v.backward()
    chain = time.perf_counter() - start
    ok_chain = chain < 2.0
    print(f"  {'backward of a 1,000,000-node chain':40s} ours {_fmt(chain)}  (target < 2 s) "
          f"{'ok' if ok_chain else 'OVER TARGET'}")
    return ok and ok_chain


SECTIONS: dict[str, Callable[[], bool]] = {
    "scalar": scalar_vs_micrograd,
    "tensor": tensor_vs_pytorch,
}


def main(argv: list[str]) -> int:
    chosen = argv or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        print(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
        return 2
    ok = True
    for section in chosen:
        ok &= SECTIONS[section]()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
