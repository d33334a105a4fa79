"""Property tests (hypothesis): every Tensor gate's backward pass agrees with central differences.

The referee is the gate's own forward rule: nudge one input entry by +-h, re-run the forward
pass, and compare (f(x + h) - f(x - h)) / 2h with the gradient that backward() computed.
"""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_core import Tensor, nn

H = 1e-6
SETTINGS = settings(max_examples=40, deadline=None)


def check(f, arrays, seed=0, rtol=1e-5, atol=1e-7):
    """Backward of L = sum(f(*inputs) * w) against central differences, for every input entry."""
    tensors = [Tensor(a) for a in arrays]
    out = f(*tensors)
    w = np.random.default_rng(seed).normal(size=out.shape)
    (out * w).sum().backward()

    def loss(xs):
        return float(np.sum(f(*[Tensor(x) for x in xs]).data * w))

    for i, a in enumerate(arrays):
        numeric = np.zeros(a.shape)
        for idx in np.ndindex(a.shape):
            up = [x.copy() for x in arrays]
            down = [x.copy() for x in arrays]
            up[i][idx] += H
            down[i][idx] -= H
            numeric[idx] = (loss(up) - loss(down)) / (2 * H)
        np.testing.assert_allclose(tensors[i].grad, numeric, rtol=rtol, atol=atol,
                                   err_msg=f"input {i} of shape {a.shape}")


shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


def values(shape, low=-2.0, high=2.0):
    floats = st.floats(low, high, allow_nan=False, allow_subnormal=False)
    return hnp.arrays(np.float64, shape, elements=floats)


@st.composite
def broadcast_pair(draw, low=-2.0, high=2.0):
    """Two arrays whose shapes broadcast: the second drops leading axes and squeezes some to 1."""
    full = draw(shapes)
    keep = draw(st.integers(0, len(full)))
    other = tuple(1 if draw(st.booleans()) else n for n in full[len(full) - keep:])
    a, b = draw(values(full, low, high)), draw(values(other, low, high))
    return (a, b) if draw(st.booleans()) else (b, a)


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


@SETTINGS
@given(op=st.sampled_from(list(BINARY)), pair=broadcast_pair(low=0.5, high=2.0))
def test_binary_gates_with_broadcasting(op, pair):
    check(BINARY[op], list(pair))


@SETTINGS
@given(pair=broadcast_pair())
def test_maximum_away_from_ties(pair):
    a, b = pair
    assume(np.abs(a - b).min() > 1e-3)
    check(lambda x, y: x.maximum(y), [a, b])


UNARY = {
    "exp": (lambda t: t.exp(), -2.0),
    "log": (lambda t: t.log(), 0.3),
    "tanh": (lambda t: t.tanh(), -2.0),
    "sigmoid": (lambda t: t.sigmoid(), -2.0),
    "relu": (lambda t: t.relu(), -2.0),
    "neg": (lambda t: -t, -2.0),
    "**3": (lambda t: t**3, -2.0),
    "**2": (lambda t: t**2, -2.0),
    "**-0.5": (lambda t: t**-0.5, 0.3),
    "3**": (lambda t: 3.0**t, -2.0),
}


@SETTINGS
@given(name=st.sampled_from(list(UNARY)), data=st.data())
def test_unary_gates(name, data):
    f, low = UNARY[name]
    x = data.draw(values(data.draw(shapes), low, 2.0))
    if name == "relu":
        assume(np.abs(x).min() > 1e-3)
    check(f, [x])


@SETTINGS
@given(data=st.data(), n=st.integers(1, 3), k=st.integers(1, 3), m=st.integers(1, 3),
       a_vec=st.booleans(), b_vec=st.booleans(), batch=st.sampled_from([(), (2,), (2, 1)]))
def test_matmul(data, n, k, m, a_vec, b_vec, batch):
    a_shape = (k,) if a_vec else (*batch, n, k)
    b_shape = (k,) if b_vec else (k, m)
    check(lambda a, b: a @ b, [data.draw(values(a_shape)), data.draw(values(b_shape))])


@st.composite
def reduction_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    axis = draw(st.one_of(
        st.none(),
        st.integers(-len(shape), len(shape) - 1),
        st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True).map(tuple),
    ))
    return draw(values(shape)), axis, draw(st.booleans())


@SETTINGS
@given(case=reduction_case(), reduction=st.sampled_from(["sum", "mean", "max"]))
def test_reductions(case, reduction):
    x, axis, keepdims = case
    if reduction == "max":  # away from ties: distinct entries
        assume(len(np.unique(np.round(x, 3))) == x.size)
    check(lambda t: getattr(t, reduction)(axis=axis, keepdims=keepdims), [x])


@SETTINGS
@given(x=values(st.just((2, 3, 2))), perm=st.permutations([0, 1, 2]),
       shape=st.sampled_from([(12,), (3, 4), (2, -1), (1, 2, 6)]))
def test_transpose_and_reshape(x, perm, shape):
    check(lambda t: t.transpose(*perm).reshape(*shape) * 1.0, [x])
    check(lambda t: t.T * 1.0, [x])


@SETTINGS
@given(x=values(st.just((4, 3))), rows=st.lists(st.integers(-4, 3), min_size=1, max_size=6),
       col=st.integers(0, 2), data=st.data())
def test_indexing_with_repeats(x, rows, col, data):
    cols = data.draw(st.lists(st.integers(0, 2), min_size=len(rows), max_size=len(rows)))
    check(lambda t: t[np.array(rows), np.array(cols)] * 1.0, [x])
    check(lambda t: t[np.array(rows)] * 1.0, [x])
    check(lambda t: t[1:, col] * 1.0, [x])


@SETTINGS
@given(x=values(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), -5.0, 5.0),
       gate=st.sampled_from(["softmax", "log_softmax"]), data=st.data())
def test_softmax(x, gate, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    check(lambda t: getattr(t, gate)(axis=axis), [x])


@SETTINGS
@given(logits=values(st.tuples(st.integers(1, 5), st.integers(2, 4)), -4.0, 4.0), data=st.data())
def test_cross_entropy(logits, data):
    labels = np.array(data.draw(st.lists(st.integers(0, logits.shape[1] - 1),
                                         min_size=len(logits), max_size=len(logits))))
    check(lambda t: nn.cross_entropy(t, labels), [logits])


@SETTINGS
@given(logits=values(st.tuples(st.integers(1, 6), st.just(1)), -4.0, 4.0), data=st.data())
def test_binary_cross_entropy_with_logits(logits, data):
    target = data.draw(values(st.just(logits.shape), 0.0, 1.0))
    check(lambda t: nn.binary_cross_entropy_with_logits(t, target), [logits])
