"""Every Tensor gate against PyTorch (a test-only oracle) on random inputs, to 1e-9 relative.

Each case builds the same expression in both engines, reduces it with random weights
(L = sum(out * w), so every output entry carries a different upstream gradient), and compares
the forward values and the gradient of every input.
"""

import numpy as np
import pytest

from autograd_core import Tensor, nn

pytestmark = pytest.mark.torch

RTOL, ATOL = 1e-9, 1e-12


def run_both(torch, expr, arrays, torch_expr=None, seed=0):
    """(our output, their output, our grads, their grads) for expr applied to the arrays."""
    ours_in = [Tensor(a) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = expr(*ours_in)
    out_t = (torch_expr or expr)(*theirs_in)
    w = np.random.default_rng(seed).normal(size=out.shape)
    (out * w).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    return out.data, out_t.detach().numpy(), [t.grad for t in ours_in], [t.grad.numpy() for t in theirs_in]


def assert_agrees(torch, expr, arrays, torch_expr=None):
    out, out_t, grads, grads_t = run_both(torch, expr, arrays, torch_expr)
    assert out.shape == out_t.shape
    np.testing.assert_allclose(out, out_t, rtol=RTOL, atol=ATOL)
    for i, (g, gt) in enumerate(zip(grads, grads_t)):
        assert g.shape == arrays[i].shape, f"input {i}: gradient shape {g.shape}, input {arrays[i].shape}"
        np.testing.assert_allclose(g, gt, rtol=RTOL, atol=ATOL, err_msg=f"gradient of input {i}")


def normal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def positive(shape, seed=0):
    return np.random.default_rng(seed).uniform(0.3, 2.5, size=shape)


# Shape pairs that exercise NumPy broadcasting in every way a binary gate meets it.
BROADCAST_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (3, 1)),
    ((), (3, 4)),
    ((5,), (1,)),
    ((2, 1, 4), (2, 3, 1)),
]

BINARY = {
    "+": (lambda a, b: a + b, normal),
    "-": (lambda a, b: a - b, normal),
    "*": (lambda a, b: a * b, normal),
    "/": (lambda a, b: a / b, positive),
    "**": (lambda a, b: a**b, positive),
}


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=[f"{a}x{b}" for a, b in BROADCAST_PAIRS])
@pytest.mark.parametrize("op", list(BINARY))
def test_binary_gate_with_broadcasting(op, shapes, torch):
    expr, sample = BINARY[op]
    assert_agrees(torch, expr, [sample(shapes[0], 1), sample(shapes[1], 2)])


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=[f"{a}x{b}" for a, b in BROADCAST_PAIRS])
def test_maximum_with_broadcasting(shapes, torch):
    assert_agrees(torch, lambda a, b: a.maximum(b), [normal(shapes[0], 1), normal(shapes[1], 2)],
                  lambda a, b: torch.maximum(a, b))


def test_maximum_splits_ties_like_pytorch(torch):
    a = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]])
    b = np.array([[1.0, 0.0, 3.0], [0.0, 2.0, 4.0]])  # three ties
    assert_agrees(torch, lambda x, y: x.maximum(y), [a, b], lambda x, y: torch.maximum(x, y))


NUMBERS_AND_ARRAYS = {
    "number + t": (lambda t: 2.5 + t, normal),
    "t - number": (lambda t: t - 1.5, normal),
    "number - t": (lambda t: 1.5 - t, normal),
    "number * t": (lambda t: -3.0 * t, normal),
    "number / t": (lambda t: 2.0 / t, positive),
    "t / number": (lambda t: t / 4.0, normal),
    "neg": (lambda t: -t, normal),
    "t ** 2": (lambda t: t**2, normal),
    "t ** 3": (lambda t: t**3, normal),
    "t ** -1.5": (lambda t: t**-1.5, positive),
    "t ** 0.5": (lambda t: t**0.5, positive),
    "2 ** t": (lambda t: 2**t, normal),
    "exp": (lambda t: t.exp(), normal),
    "log": (lambda t: t.log(), positive),
    "tanh": (lambda t: t.tanh(), normal),
    "sigmoid": (lambda t: t.sigmoid(), normal),
    "relu": (lambda t: t.relu(), normal),
}


@pytest.mark.parametrize("name", list(NUMBERS_AND_ARRAYS))
def test_elementwise_gate(name, torch):
    expr, sample = NUMBERS_AND_ARRAYS[name]
    assert_agrees(torch, expr, [sample((3, 5), 7)])


def test_constant_arrays_broadcast_and_get_no_gradient(torch):
    c = normal((4,), 9)
    assert_agrees(torch, lambda t: (t * c + c) / (c * c + 1.0), [normal((3, 4), 1)],
                  lambda t: (t * torch.tensor(c) + torch.tensor(c)) / (torch.tensor(c) ** 2 + 1.0))
    # numpy on the left hands the operation to the Tensor (no elementwise object array)
    t = Tensor(normal((3, 4)))
    out = c * t
    assert isinstance(out, Tensor) and out._op == "*"
    assert not out._prev[0].requires_grad and out._prev[0]._const


MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((4,), (4,)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=[f"{a}@{b}" for a, b in MATMUL_SHAPES])
def test_matmul(shapes, torch):
    assert_agrees(torch, lambda a, b: a @ b, [normal(shapes[0], 1), normal(shapes[1], 2)])


AXES = [None, 0, 1, 2, -1, (0, 2), (0, 1, 2)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("reduction", ["sum", "mean", "max"])
def test_reduction(reduction, axis, keepdims, torch):
    x = normal((2, 3, 4), 3)

    def theirs(t):
        dim = tuple(range(t.ndim)) if axis is None else axis
        if reduction == "max":
            return torch.amax(t, dim=dim, keepdim=keepdims)
        return getattr(t, reduction)(dim=dim, keepdim=keepdims)

    assert_agrees(torch, lambda t: getattr(t, reduction)(axis=axis, keepdims=keepdims), [x], theirs)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)], ids=str)
def test_max_splits_the_gradient_evenly_among_ties(axis, torch):
    x = np.random.default_rng(5).integers(0, 3, size=(4, 6)).astype(np.float64)  # many ties
    dim = (0, 1) if axis is None else axis
    assert_agrees(torch, lambda t: t.max(axis=axis), [x], lambda t: torch.amax(t, dim=dim))
    t = Tensor(x)
    t.max().backward()
    top = x == x.max()
    np.testing.assert_array_equal(t.grad, top / top.sum())  # even shares, summing to 1


SHAPE_GATES = {
    ".T": (lambda t: t.T, lambda t: t.permute(*reversed(range(t.ndim))), (3, 4)),
    ".T of 3-d": (lambda t: t.T, lambda t: t.permute(2, 1, 0), (2, 3, 4)),
    "transpose(1, 0, 2)": (lambda t: t.transpose(1, 0, 2), lambda t: t.permute(1, 0, 2), (2, 3, 4)),
    "transpose((2, 0, 1))": (lambda t: t.transpose((2, 0, 1)), lambda t: t.permute(2, 0, 1), (2, 3, 4)),
    "reshape(4, 6)": (lambda t: t.reshape(4, 6), lambda t: t.reshape(4, 6), (2, 3, 4)),
    "reshape((-1,))": (lambda t: t.reshape((-1,)), lambda t: t.reshape(-1), (2, 3, 4)),
}


@pytest.mark.parametrize("name", list(SHAPE_GATES))
def test_shape_gate(name, torch):
    ours, theirs, shape = SHAPE_GATES[name]
    assert_agrees(torch, lambda t: ours(t) * 1.0, [normal(shape, 4)], lambda t: theirs(t) * 1.0)


LABELS = np.array([2, 0, 3, 3, 1])
INDICES = {
    "int": lambda t: t[1],
    "negative int": lambda t: t[-1],
    "slice": lambda t: t[1:4],
    "step slice": lambda t: t[::2, 1:],
    "column": lambda t: t[:, 2],
    "ellipsis": lambda t: t[..., 0],
    "labels (pick one per row)": lambda t: t[np.arange(5), LABELS],
    "repeated rows": lambda t: t[[0, 0, 3, 0]],
    "repeated pairs": lambda t: t[np.array([1, 1, 2]), np.array([0, 0, 3])],
    "rows and a slice": lambda t: t[np.array([4, 0, 4]), 1:3],
    "boolean mask": lambda t: t[MASK],
}
MASK = np.random.default_rng(2).random((5, 4)) > 0.5


@pytest.mark.parametrize("name", list(INDICES))
def test_indexing(name, torch):
    pick = INDICES[name]
    torch_pick = pick
    if name == "boolean mask":
        def torch_pick(t):
            return t[torch.tensor(MASK)]
    elif name == "repeated pairs":
        def torch_pick(t):
            return t[torch.tensor([1, 1, 2]), torch.tensor([0, 0, 3])]
    elif name == "rows and a slice":
        def torch_pick(t):
            return t[torch.tensor([4, 0, 4]), 1:3]
    elif name == "labels (pick one per row)":
        def torch_pick(t):
            return t[torch.arange(5), torch.tensor(LABELS)]
    elif name == "repeated rows":
        def torch_pick(t):
            return t[torch.tensor([0, 0, 3, 0])]
    elif name == "step slice":
        def torch_pick(t):
            return t[0::2, 1:]
    assert_agrees(torch, lambda t: pick(t) * 1.0, [normal((5, 4), 6)], lambda t: torch_pick(t) * 1.0)


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("gate", ["softmax", "log_softmax"])
def test_softmax(gate, axis, torch):
    assert_agrees(torch, lambda t: getattr(t, gate)(axis=axis), [normal((3, 4, 5), 8) * 3],
                  lambda t: getattr(t, gate)(dim=axis))


@pytest.mark.parametrize("gate", ["softmax", "log_softmax"])
def test_softmax_is_stable_at_logits_of_1000(gate, torch):
    x = np.array([[1000.0, 999.0, 0.0], [-1000.0, 1000.0, 1000.0], [1000.0, 1000.0, 1000.0]])
    out, out_t, grads, grads_t = run_both(torch, lambda t: getattr(t, gate)(axis=1), [x],
                                          lambda t: getattr(t, gate)(dim=1))
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(grads[0]))
    np.testing.assert_allclose(out, out_t, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(grads[0], grads_t[0], rtol=RTOL, atol=ATOL)


def test_a_chain_of_gates_with_shared_inputs(torch):
    """A node used in several places adds up its gradients, in tensors as in Values."""
    def expr(x, w, b):
        h = (x @ w + b).tanh()
        return (h * h.sigmoid() + (h @ w.T).relu().sum(axis=1, keepdims=True) - x.exp().mean()).max(axis=0)

    assert_agrees(torch, expr, [normal((6, 3), 1), normal((3, 3), 2), normal((3,), 3)],
                  lambda x, w, b: _torch_chain(torch, x, w, b))


def _torch_chain(torch, x, w, b):
    h = (x @ w + b).tanh()
    return torch.amax(h * h.sigmoid() + (h @ w.T).relu().sum(dim=1, keepdim=True) - x.exp().mean(), dim=0)


# ----- losses -------------------------------------------------------------------------------------
def loss_grads(torch, ours, theirs, logits, target):
    x = Tensor(logits)
    loss = ours(x, target)
    loss.backward()
    xt = torch.tensor(logits, requires_grad=True)
    loss_t = theirs(xt)
    loss_t.backward()
    np.testing.assert_allclose(loss.item(), loss_t.item(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_cross_entropy(scale, torch):
    logits = normal((6, 4), 11) * scale
    labels = np.array([0, 3, 1, 1, 2, 3])
    loss_grads(torch, nn.cross_entropy, lambda t: torch.nn.functional.cross_entropy(t, torch.tensor(labels)),
               logits, labels)


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_binary_cross_entropy_with_logits(scale, torch):
    logits = normal((7, 1), 12) * scale
    target = (np.random.default_rng(3).random((7, 1)) > 0.5).astype(float)
    target[0] = 0.3  # a probability, not only a label
    loss_grads(torch, nn.binary_cross_entropy_with_logits,
               lambda t: torch.nn.functional.binary_cross_entropy_with_logits(t, torch.tensor(target)),
               logits, target)


def test_mse_loss(torch):
    target = normal((5, 2), 13)
    loss_grads(torch, nn.mse_loss, lambda t: torch.nn.functional.mse_loss(t, torch.tensor(target)),
               normal((5, 2), 14), target)


def test_hinge_loss(torch):
    target = np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0])
    scores = normal((6,), 15)
    loss_grads(torch, nn.hinge_loss, lambda t: (1 - torch.tensor(target) * t).clamp(min=0).mean(),
               scores, target)
