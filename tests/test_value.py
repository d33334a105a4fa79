"""Value: gates, numerics, repeated backward, custom gates, stages and error messages."""

import math
import warnings

import numpy as np
import pytest

from autograd_core import Gate, Value, define_gate, gate, stage
from autograd_core.gradcheck import numeric_gradient

# ----- every gate, both sides, against central differences -------------------------------------
BINARY = {
    "add": lambda a, b: a + b,
    "radd": lambda a, b: 2.5 + b * a,
    "sub": lambda a, b: a - b,
    "rsub": lambda a, b: 1 - a * b,
    "mul": lambda a, b: a * b,
    "rmul": lambda a, b: 3 * a + b,
    "div": lambda a, b: a / b,
    "rdiv": lambda a, b: 2 / a + b,
    "pow_value": lambda a, b: a**b,
    "rpow": lambda a, b: 2**a * b,
    "max": lambda a, b: a.max(b),
}
UNARY = {
    "neg": lambda a: -a,
    "pow_const": lambda a: a**3,
    "pow_frac": lambda a: a**0.5,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
}


def value_fn(f):
    return lambda *xs: f(*[Value(x) for x in xs]).data


@pytest.mark.parametrize("name", BINARY)
def test_binary_gates_match_central_differences(name):
    f = BINARY[name]
    a, b = Value(1.7), Value(0.6)
    out = f(a, b)
    out.backward()
    num = numeric_gradient(value_fn(f), [1.7, 0.6])
    assert [a.grad, b.grad] == pytest.approx(num, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", UNARY)
def test_unary_gates_match_central_differences(name):
    f = UNARY[name]
    a = Value(0.8)
    f(a).backward()
    assert a.grad == pytest.approx(numeric_gradient(value_fn(f), [0.8])[0], rel=1e-6)


def test_a_node_used_twice_appears_twice_and_gets_both_gradients():
    a = Value(1.0)
    b = a + a
    c = b + b
    assert b._prev == (a, a)
    c.backward()
    assert a.grad == 4.0
    sq = a * a
    a.grad = 0.0
    sq.backward()
    assert a.grad == 2.0


def test_max_routes_the_gradient_to_the_larger_input():
    a, b = Value(2.0), Value(5.0)
    m = a.max(b)
    m.backward()
    assert (m.data, a.grad, b.grad) == (5.0, 0.0, 1.0)
    t1, t2 = Value(3.0), Value(3.0)
    t1.max(t2).backward()
    assert (t1.grad, t2.grad) == (0.5, 0.5)  # ties share it, as torch.maximum does


def test_relu_at_zero_has_gradient_zero():
    a = Value(0.0)
    r = a.relu()
    r.backward()
    assert (r.data, a.grad) == (0.0, 0.0)


# ----- numerics like numpy's -------------------------------------------------------------------
def test_exp_overflows_to_inf_without_raising():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = Value(1000.0).exp()
        assert e.data == math.inf
        assert Value(1000.0).tanh().data == 1.0
        assert Value(-1000.0).tanh().data == -1.0
        assert Value(-1000.0).sigmoid().data == 0.0
        assert Value(1000.0).sigmoid().data == 1.0
        assert (Value(10.0) ** 400).data == math.inf
        assert (Value(-10.0) ** 401).data == -math.inf


@pytest.mark.parametrize(
    "expr, expected",
    [
        (lambda: Value(0.0).log(), lambda: np.log(np.float64(0.0))),
        (lambda: Value(-1.0).log(), lambda: np.log(np.float64(-1.0))),
        (lambda: Value(1.0) / 0, lambda: np.float64(1.0) / np.float64(0.0)),
        (lambda: Value(-1.0) / 0, lambda: np.float64(-1.0) / np.float64(0.0)),
        (lambda: Value(0.0) / 0, lambda: np.float64(0.0) / np.float64(0.0)),
        (lambda: Value(0.0) ** -1, lambda: np.float64(0.0) ** -1.0),
        (lambda: Value(-8.0) ** (1 / 3), lambda: np.float64(-8.0) ** (1 / 3)),
        (lambda: 2 ** Value(5000.0), lambda: np.float64(2.0) ** 5000.0),
    ],
    ids=["log0", "log-1", "1/0", "-1/0", "0/0", "0**-1", "neg**frac", "2**5000"],
)
def test_undefined_results_are_inf_or_nan_like_numpy(expr, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the engine itself warns about nothing
        got = expr().data
    with np.errstate(all="ignore"):
        expected = expected()
    assert got == expected or (math.isnan(got) and math.isnan(expected))


def test_sigmoid_of_very_negative_input_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = Value(-1000.0).sigmoid()
        s.backward()
    assert s.data == 0.0


# ----- repeated backward ------------------------------------------------------------------------
def test_leaf_gradients_accumulate_across_backward_calls_like_pytorch():
    x = Value(2.0)
    y = (x * 3) * 4
    y.backward()
    assert x.grad == 12.0
    y.backward()
    assert x.grad == 24.0  # micrograd gives 36 here: it compounds through the stale x*3 gradient
    y.backward()
    assert x.grad == 36.0


def test_zero_grad_clears_every_gradient_in_the_graph():
    from autograd_core.graph import topological_order

    x = Value(2.0)
    y = (x * 3).tanh() * 4
    y.backward()
    y.zero_grad()
    assert all(n.grad == 0.0 for n in topological_order(y))
    y.backward()
    assert x.grad == pytest.approx(12 * (1 - math.tanh(6.0) ** 2))


# ----- custom gates -----------------------------------------------------------------------------
def test_a_student_gate_declared_in_one_place():
    @gate("my_sigmoid")
    def my_sigmoid(x):
        s = 1 / (1 + math.exp(-x))
        return s, ((1 - s) * s,)

    assert isinstance(my_sigmoid, Gate)
    z = Value(0.5)
    out = my_sigmoid(z)
    out.backward()
    assert out._op == "my_sigmoid"
    ref = Value(0.5)
    ref.sigmoid().backward()
    assert (out.data, z.grad) == (pytest.approx(1 / (1 + math.exp(-0.5))), pytest.approx(ref.grad))


def test_define_gate_from_forward_and_local_functions():
    square = define_gate("square", lambda x: x * x, lambda x, out: 2 * x)
    hyp = define_gate("hyp", lambda a, b: math.hypot(a, b), lambda a, b, out: (a / out, b / out))
    a, b = Value(3.0), Value(4.0)
    h = hyp(a, b)
    s = square(h)
    s.backward()
    assert (h.data, s.data) == (5.0, 25.0)
    assert (a.grad, b.grad) == (pytest.approx(6.0), pytest.approx(8.0))
    assert square(2).data == 4.0  # numbers are accepted as inputs too


def test_a_gate_with_the_wrong_number_of_local_gradients_says_so():
    @gate("bad")
    def bad(x, y):
        return x * y, (y,)

    with pytest.raises(ValueError, match=r"gate 'bad'.*1 local gradient.*2 input"):
        bad(Value(1.0), Value(2.0))
    with pytest.raises(TypeError, match=r"gate 'bad' takes 2 input"):
        bad(Value(1.0))


def test_a_gate_returning_a_non_number_says_which_gate():
    @gate("oops")
    def oops(x):
        return "1", (1.0,)

    with pytest.raises(TypeError, match=r"gate 'oops'.*output.*str"):
        oops(Value(1.0))


# ----- stages -----------------------------------------------------------------------------------
def test_stage_marks_the_nodes_created_inside_it():
    z = Value(0.3)
    with stage("sigmoid") as s:
        out = 1 / (1 + (-z).exp())
    after = out * 2
    assert out._stage is s and out._prev[1]._stage is s
    assert z._stage is None and after._stage is None
    with stage("outer") as outer:
        with stage("inner") as inner:
            v = z * 3
    assert v._stage is inner and inner.parent is outer and inner.outermost() is outer


def test_stage_ends_even_when_the_block_raises():
    with pytest.raises(RuntimeError):
        with stage("broken"):
            raise RuntimeError("boom")
    assert (Value(1.0) + 1)._stage is None


# ----- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Value("3"), r"Value\(\).*got str '3'.*float\('3'\)"),
        (lambda: Value([1, 2]), r"Value\(\).*got list.*Tensor"),
        (lambda: Value(None), r"Value\(\).*got NoneType"),
        (lambda: Value(1 + 2j), r"Value\(\).*complex"),
        (lambda: Value(1.0) + "a", r"gate '\+'.*str 'a'"),
        (lambda: "a" * Value(1.0), r"gate '\*'.*str 'a'"),
        (lambda: Value(1.0) ** "2", r"'\*\*'.*exponent.*str"),
        (lambda: Value(1.0, label=3), r"label.*str.*int"),
        (lambda: Value(Value(2.0)), r"Value\(\).*already a Value.*v.data"),
        (lambda: Value(np.array([1.0, 2.0])), r"Value\(\).*ndarray.*Tensor"),
    ],
)
def test_bad_input_gets_a_clear_type_error(make, match):
    with pytest.raises(TypeError, match=match):
        make()


def test_a_value_refuses_to_be_used_as_a_condition():
    with pytest.raises(TypeError, match="truth value.*v.data"):
        bool(Value(1.0))


def test_float_and_repr():
    v = Value(3, label="w")
    assert float(v) == 3.0 and isinstance(v.data, float)
    assert repr(v) == "Value(3, grad=0, label='w')"
    assert repr(v * 2) == "Value(6, grad=0, op='*')"
    assert Value(np.float64(2.5)).data == 2.5 and type(Value(np.int64(2)).data) is float
    assert Value(np.array(1.5)).data == 1.5 and Value(True).data == 1.0


def test_subtracting_a_number_adds_its_negative_constant():
    x = Value(3.0, "x")
    y = x - 2
    assert y._op == "+" and y._prev[0] is x and y._prev[1]._const and y._prev[1].data == -2.0
    w = Value(2.0)
    z = x - w  # a Value is negated by a gate, as the article teaches
    assert z._prev[1]._op == "neg" and z._prev[1]._prev == (w,)
    (y * z).backward()
    assert (x.grad, w.grad) == (y.data + z.data, -y.data)
