"""Random graphs against PyTorch float64, special values included: every value and every leaf gradient.

Each run builds 2,000 random scalar graphs and 1,000 random tensor expressions (seeded, so a failure
names a case that reproduces) from inputs that include the numbers students meet while debugging:
0, -0, +-inf, nan, 1e308 and tiny ones, and negative axis numbers. Both engines compute the same
expression; values and gradients must agree (nan equals nan, the sign of a zero is not compared, and
finite numbers agree to 1e-9 relative or 1e-12 absolute: the rounding of the same operations done in
another order, e.g. a sum of gradients that cancels to 0 in one engine and to 5e-17 in the other).

Known, documented differences (docs/architecture.md, "Special values"): one, the order in which
a reduction adds its terms when a partial sum overflows (`summation_order` below). A divisor below
about 5.6e-309 (a subnormal number) is left out of the pool on purpose: there the local gradient 1/b
overflows to inf, so `upstream * (1/b)` can be inf or nan where PyTorch's `upstream / b` is finite;
our backward multiplies by a local gradient, as the article teaches.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from autograd_core import Tensor, Value

pytestmark = pytest.mark.torch

SEED = int(os.environ.get("DIFFERENTIAL_SEED", "11"))
INF, NAN = math.inf, math.nan
SPECIAL = [0.0, -0.0, INF, -INF, NAN, 1e308, -1e308, 1e-300, -1e-300, 1.0, -1.0, 2.0, 0.5]


def special_or_normal(rng: np.random.Generator) -> float:
    if rng.random() < 0.35:
        return float(SPECIAL[rng.integers(len(SPECIAL))])
    return float(np.round(rng.normal() * 2.0, 3))


def same(ours: np.ndarray | float, theirs: np.ndarray | float, scale: float = 1.0) -> bool:
    """Equal as PyTorch parity means it here: nan == nan, inf == inf, finite to 1e-9 relative, or to
    1e-12 of `scale` (the largest finite number in the graph) where a sum cancels."""
    a, b = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    if a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.isclose(a, b, rtol=1e-9, atol=1e-12 * scale, equal_nan=True)))


def magnitude(root: Value | Tensor) -> float:
    """The largest finite value, gradient or contribution in the graph, at least 1: how large rounding is."""
    from autograd_core.graph import topological_order

    top = 1.0
    with np.errstate(all="ignore"):  # 0 * inf is nan here, and is no concern
        for node in topological_order(root):
            grad = np.max(np.abs(node.grad), initial=0.0)
            passed = [grad * np.abs(g) for g in node._local if isinstance(g, (float, np.ndarray))]
            for x in (node.data, node.grad, *passed):  # what a node passes on can cancel in a sum too
                x = np.abs(np.asarray(x, dtype=np.float64))
                x = x[np.isfinite(x)]
                if x.size:
                    top = max(top, float(x.max()))
    return top


# ----- scalar graphs --------------------------------------------------------------------------------
UNARY = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "pow_const"]
BINARY = ["add", "sub", "mul", "div", "pow", "max"]
EXPONENTS = [0.0, 1.0, 2.0, 3.0, 0.5, -1.0, -2.0, -0.5, 400.5, 1.5]


def scalar_graph(rng: np.random.Generator, torch) -> tuple[str, list[tuple[str, float, float]], float]:
    """One random graph built in both engines; (its description, [(what, ours, theirs)], magnitude)."""
    n_leaves = int(rng.integers(1, 4))
    starts = [special_or_normal(rng) for _ in range(n_leaves)]
    leaves = [Value(x) for x in starts]
    tleaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in starts]
    ours, theirs, steps = list(leaves), list(tleaves), []
    for _ in range(int(rng.integers(1, 7))):
        i = int(rng.integers(len(ours)))
        a, ta = ours[i], theirs[i]
        if rng.random() < 0.45:
            op = UNARY[rng.integers(len(UNARY))]
            if op == "pow_const":
                n = float(EXPONENTS[rng.integers(len(EXPONENTS))])
                out, tout, op = a**n, ta**n, f"**{n}"
            elif op == "neg":
                out, tout = -a, -ta
            else:
                out, tout = getattr(a, op)(), getattr(torch, op)(ta)
        else:
            op = BINARY[rng.integers(len(BINARY))]
            j = int(rng.integers(len(ours)))
            b, tb = ours[j], theirs[j]
            const = rng.random() < 0.3
            if const:  # a plain number on one side
                c = special_or_normal(rng)
                b, tb = c, torch.tensor(c, dtype=torch.float64)
            left = const and rng.random() < 0.5
            x, y, tx, ty = (b, a, tb, ta) if left else (a, b, ta, tb)
            if op == "add":
                out, tout = x + y, tx + ty
            elif op == "sub":
                out, tout = x - y, tx - ty
            elif op == "mul":
                out, tout = x * y, tx * ty
            elif op == "div":
                out, tout = x / y, torch.div(tx, ty)
            elif op == "pow":
                out = x**y
                tout = torch.pow(float(x), ty) if isinstance(x, float) else torch.pow(tx, ty)
            else:
                if isinstance(x, float):
                    x, y, tx, ty = y, x, ty, tx  # Value.max(number)
                out, tout = x.max(y), torch.maximum(tx, ty)
            op = f"{op}({'const, ' if left else ''}{j}{', const' if const and not left else ''})"
        ours.append(out)
        theirs.append(tout)
        steps.append(f"n{len(ours) - 1} = {op} of n{i}")
    root, troot = ours[-1], theirs[-1]
    desc = f"leaves {starts}; " + "; ".join(steps)
    if not isinstance(root, Value) or not root._prev:
        return desc, [], 1.0
    root.backward()
    troot.backward()
    checks = [("value", root.data, troot.item())]
    for k, (leaf, tleaf) in enumerate(zip(leaves, tleaves)):
        tgrad = 0.0 if tleaf.grad is None else tleaf.grad.item()
        checks.append((f"grad of leaf {k}", leaf.grad, tgrad))
    return desc, checks, magnitude(root)


def test_scalar_graphs_agree_with_pytorch(torch):
    rng = np.random.default_rng(SEED)
    wrong = []
    for case in range(2000):
        desc, checks, scale = scalar_graph(rng, torch)
        for what, a, b in checks:
            if not same(a, b, scale):
                wrong.append(f"case {case}: {what}: ours {a!r}, PyTorch {b!r} ({desc})")
    assert not wrong, f"{len(wrong)} disagreement(s):\n" + "\n".join(wrong[:15])


# ----- tensor expressions ---------------------------------------------------------------------------
T_UNARY = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "pow_const", "exp_base",
           "sum", "mean", "max", "transpose", "reshape", "softmax", "log_softmax", "getitem"]
T_BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "matmul"]
SHAPES = [(3,), (2, 3), (2, 1, 3), (4, 2, 3), (1,), ()]


def leaf_array(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return np.array([special_or_normal(rng) for _ in range(int(np.prod(shape)))]).reshape(shape)


def a_broadcastable_shape(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts against `shape`: some leading axes dropped, some axes set to 1."""
    drop = int(rng.integers(0, len(shape) + 1)) if shape else 0
    return tuple(1 if rng.random() < 0.3 else n for n in shape[drop:])


def random_axis(rng: np.random.Generator, ndim: int) -> int | tuple[int, ...] | None:
    """None, one axis or two, written with negative numbers half of the time."""
    if ndim == 0 or rng.random() < 0.2:
        return None
    axes = rng.permutation(ndim)[: int(rng.integers(1, min(ndim, 2) + 1))]
    axes = [int(a) - ndim if rng.random() < 0.5 else int(a) for a in axes]
    return axes[0] if len(axes) == 1 else tuple(axes)


def tensor_unary(op: str, a: Tensor, ta, rng: np.random.Generator, torch):
    nd = a.ndim
    if op == "pow_const":
        n = float(EXPONENTS[rng.integers(len(EXPONENTS))])
        return a**n, ta**n, f"**{n}"
    if op == "exp_base":
        c = float([0.0, 2.0, 0.5, 10.0, 1.0][rng.integers(5)])
        return c**a, torch.pow(c, ta), f"{c}**"
    if op == "neg":
        return -a, -ta, op
    if op in ("sum", "mean", "max"):
        axis = random_axis(rng, nd)
        keep = bool(rng.random() < 0.5)
        dim = tuple(range(nd)) if axis is None else axis
        theirs = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}[op]
        ours = getattr(a, op)(axis=axis, keepdims=keep)
        if nd == 0 or (axis is None and not keep):
            return ours, theirs(ta), f"{op}(axis={axis}, keepdims={keep})"
        return ours, theirs(ta, dim=dim, keepdim=keep), f"{op}(axis={axis}, keepdims={keep})"
    if op == "transpose":
        if nd < 2:
            return None
        perm = [int(p) - nd if rng.random() < 0.5 else int(p) for p in rng.permutation(nd)]
        return a.transpose(*perm), ta.permute(*perm), f"transpose{tuple(perm)}"
    if op == "reshape":
        return a.reshape(-1), ta.reshape(-1), "reshape(-1)"
    if op in ("softmax", "log_softmax"):
        if nd == 0:
            return None
        axis = int(rng.integers(-nd, nd))
        return getattr(a, op)(axis=axis), getattr(torch, op)(ta, dim=axis), f"{op}({axis})"
    if op == "getitem":
        if nd == 0:
            return None
        return a[..., :1], ta[..., :1], "[..., :1]"
    return getattr(a, op)(), getattr(torch, op)(ta), op


def tensor_binary(op: str, a: Tensor, ta, b: Tensor | float, tb, torch):
    if op == "matmul":
        if a.ndim != 2 or not isinstance(b, Tensor) or b.ndim != 2 or a.shape[1] != b.shape[0]:
            return None
        return a @ b, ta @ tb
    if isinstance(b, Tensor):
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            return None
    ops = {
        "add": (lambda x, y: x + y, lambda x, y: x + y),
        "sub": (lambda x, y: x - y, lambda x, y: x - y),
        "mul": (lambda x, y: x * y, lambda x, y: x * y),
        "div": (lambda x, y: x / y, torch.div),
        "pow": (lambda x, y: x**y, torch.pow),
        "maximum": (lambda x, y: x.maximum(y), torch.maximum),
    }
    ours, theirs = ops[op]
    return ours(a, b), theirs(ta, tb)


def tensor_expression(rng: np.random.Generator, torch) -> tuple[str, list[tuple[str, object, object]], float]:
    shape = SHAPES[rng.integers(len(SHAPES))]
    n_leaves = int(rng.integers(1, 4))
    shapes = [shape] + [a_broadcastable_shape(rng, shape) for _ in range(n_leaves - 1)]
    if rng.random() < 0.2 and len(shape) == 2:
        shapes.append((shape[1], 2))  # a weight matrix for @
    starts = [leaf_array(rng, s) for s in shapes]
    leaves = [Tensor(x) for x in starts]
    tleaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in starts]
    ours, theirs, steps = list(leaves), list(tleaves), []
    for _ in range(int(rng.integers(1, 6))):
        i = int(rng.integers(len(ours)))
        a, ta = ours[i], theirs[i]
        if rng.random() < 0.5:
            op = T_UNARY[rng.integers(len(T_UNARY))]
            made = tensor_unary(op, a, ta, rng, torch)
            if made is None:
                continue
            out, tout, op = made
        else:
            op = T_BINARY[rng.integers(len(T_BINARY))]
            j = int(rng.integers(len(ours)))
            b, tb = ours[j], theirs[j]
            if op != "matmul" and rng.random() < 0.25:
                c = special_or_normal(rng)
                b, tb = c, (torch.tensor(c, dtype=torch.float64) if op == "maximum" else c)
            made = tensor_binary(op, a, ta, b, tb, torch)
            if made is None:
                continue
            out, tout = made
            op = f"{op}(n{i}, {'const' if isinstance(b, float) else f'n{j}'})"
        ours.append(out)
        theirs.append(tout)
        steps.append(f"n{len(ours) - 1} = {op} of n{i}")
    root, troot = ours[-1], theirs[-1]
    desc = f"leaves {[s.tolist() for s in starts]}; " + "; ".join(steps)
    if not root._prev:
        return desc, [], 1.0
    checks: list[tuple[str, object, object]] = [("value", root.data, troot.detach().numpy())]
    total = root.sum()
    total.backward()
    troot.sum().backward()
    for k, (leaf, tleaf) in enumerate(zip(leaves, tleaves)):
        tgrad = np.zeros(leaf.shape) if tleaf.grad is None else tleaf.grad.numpy()
        checks.append((f"grad of leaf {k}", leaf.grad, tgrad))
    return desc, checks, magnitude(total)


REDUCING = ("sum", "mean", "matmul", "softmax", "log_softmax")


def summation_order(desc: str, ours: object, theirs: object) -> bool:
    """The one documented difference: a sum whose running total overflows.

    1e308 + 1e308 + (-inf) is nan added left to right but -inf if the -inf comes first; numpy and
    PyTorch add the terms of a reduction in different orders (both pairwise, in blocks of different
    sizes), so where a partial sum overflows to inf one can say nan where the other says +-inf. Only
    for an expression with a reduction and numbers near the float64 limit, where the two disagree
    only on which non-finite result.
    """
    if "e+308" not in desc or not any(op in desc for op in REDUCING):
        return False
    a, b = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    with np.errstate(all="ignore"):
        differ = ~np.isclose(a, b, equal_nan=True)
    return bool(np.all(~np.isfinite(a[differ])) and np.all(~np.isfinite(b[differ])))


def test_tensor_expressions_agree_with_pytorch(torch):
    rng = np.random.default_rng(SEED + 1)
    wrong, order = [], 0
    with np.errstate(all="raise"):  # the tensor engine must not even warn at inf and nan
        for case in range(1000):
            desc, checks, scale = tensor_expression(rng, torch)
            for what, a, b in checks:
                if same(a, b, scale):
                    continue
                if summation_order(desc, a, b):
                    order += 1
                    continue
                wrong.append(f"case {case}: {what}: ours {a!r}, PyTorch {b!r} ({desc})")
    assert not wrong, f"{len(wrong)} disagreement(s):\n" + "\n".join(wrong[:15])
    assert order <= 10, f"{order} overflowing sums differ: more than the summation order explains"


# ----- the cases issue 11 named, one by one ---------------------------------------------------------
def _scalar_pair(torch, build, *starts):
    ours = [Value(x) for x in starts]
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in starts]
    out, tout = build(*ours), build(*theirs)
    out.backward()
    tout.backward()
    got = [out.data] + [v.grad for v in ours]
    want = [tout.item()] + [0.0 if t.grad is None else t.grad.item() for t in theirs]
    return got, want


SCALAR_ISSUE_CASES = {
    "relu(nan)": (lambda x: x.relu(), (NAN,)),
    "max(1, nan)": (lambda a, b: a.max(b) if isinstance(a, Value) else a.maximum(b), (1.0, NAN)),
    "max(nan, 1)": (lambda a, b: a.max(b) if isinstance(a, Value) else a.maximum(b), (NAN, 1.0)),
    "0 ** 0": (lambda a, b: a**b, (0.0, 0.0)),
    "relu(-2) ** 0.5": (lambda x: x.relu() ** 0.5, (-2.0,)),
    "(2 - x) / relu(x) at -0.867": (lambda x: (2 - x) / x.relu(), (-0.867,)),
    "(-10) ** 400.5": (lambda x: x**400.5, (-10.0,)),
    "0.0 ** x at 2": (lambda x: 0.0**x, (2.0,)),
}


@pytest.mark.parametrize("name", list(SCALAR_ISSUE_CASES))
def test_issue_scalar_case_agrees_with_pytorch(name, torch):
    build, starts = SCALAR_ISSUE_CASES[name]
    got, want = _scalar_pair(torch, build, *starts)
    assert all(same(g, w) for g, w in zip(got, want)), (name, got, want)


TENSOR_ISSUE_CASES = {
    "transpose(-1, 0)": (lambda t: t.transpose(-1, 0) * np.arange(12.0).reshape(4, 3), [(3, 4)]),
    "a (1, 4) leaf through transpose(-1, 0)": (lambda t: t.transpose(-1, 0) * np.ones((4, 4)), [(1, 4)]),
    "transpose(-2, 0, 2)": (lambda t: t.transpose(-2, 0, 2) * np.arange(24.0).reshape(3, 2, 4), [(2, 3, 4)]),
    "relu of nan": (lambda t: t.relu(), [(3,)]),
    "maximum with nan": (lambda a, b: a.maximum(b), [(3,), (3,)]),
    "0 ** 0": (lambda a, b: a**b, [(2,), (2,)]),
    "0.0 ** [2, 0]": (lambda t: 0.0**t, [(2,)]),
}
TENSOR_ISSUE_DATA = {
    "relu of nan": [[NAN, -1.0, 2.0]],
    "maximum with nan": [[NAN, 1.0, 2.0], [1.0, NAN, 2.0]],
    "0 ** 0": [[0.0, 0.0], [0.0, 2.0]],
    "0.0 ** [2, 0]": [[2.0, 0.0]],
}


@pytest.mark.parametrize("name", list(TENSOR_ISSUE_CASES))
def test_issue_tensor_case_agrees_with_pytorch(name, torch):
    build, shapes = TENSOR_ISSUE_CASES[name]
    rng = np.random.default_rng(0)
    data = TENSOR_ISSUE_DATA.get(name) or [rng.normal(size=s) for s in shapes]
    ours = [Tensor(np.asarray(x, dtype=np.float64)) for x in data]
    theirs = [torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True) for x in data]

    def on_torch(*ts):
        perm = (1, 0) if ts[0].ndim == 2 else (1, 0, 2)  # what transpose(-1, 0) / (-2, 0, 2) mean
        if name == "transpose(-1, 0)":
            return ts[0].permute(*perm) * torch.from_numpy(np.arange(12.0).reshape(4, 3))
        if name == "a (1, 4) leaf through transpose(-1, 0)":
            return ts[0].permute(*perm) * torch.ones((4, 4), dtype=torch.float64)
        if name == "transpose(-2, 0, 2)":
            return ts[0].permute(*perm) * torch.from_numpy(np.arange(24.0).reshape(3, 2, 4))
        if name == "relu of nan":
            return torch.relu(ts[0])
        if name == "maximum with nan":
            return torch.maximum(*ts)
        if name == "0 ** 0":
            return torch.pow(*ts)
        return torch.pow(0.0, ts[0])

    with np.errstate(all="raise"):
        out = build(*ours)
        out.sum().backward()
    tout = on_torch(*theirs)
    tout.sum().backward()
    assert same(out.data, tout.detach().numpy()), (name, out.data, tout)
    for leaf, t in zip(ours, theirs):
        assert same(leaf.grad, t.grad.numpy()), (name, leaf.grad, t.grad)
