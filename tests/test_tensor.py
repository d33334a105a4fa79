"""The Tensor node: its graph bookkeeping, the shared backward pass and its steps, and clear errors."""

import numpy as np
import pytest

from autograd_core import Tensor, Value, stage, tensor_gate
from autograd_core.graph import (
    backward_steps,
    clone,
    evaluate,
    forward_steps,
    topo_sort_steps,
    topological_order,
)


def small_graph():
    """loss = mean(relu(x @ w + b) * 2) with x a constant input, as in a layer of a network."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    w = Tensor(rng.normal(size=(3, 2)), label="w")
    b = Tensor(rng.normal(size=(2,)), label="b")
    h = x @ w
    z = h + b
    r = z.relu()
    loss = (r * 2.0).mean()
    return x, w, b, h, z, r, loss


def test_nodes_record_inputs_gate_and_shape():
    x, w, b, h, z, r, loss = small_graph()
    assert h._op == "@" and h._prev[1] is w and h._prev[0]._const
    np.testing.assert_array_equal(h._prev[0].data, x)
    assert z._op == "+" and z._prev == (h, b)
    assert r._op == "relu" and loss._op == "mean"
    assert (w**2)._op == "**2" and (2**w)._op == "2**"
    assert loss.shape == () and z.shape == (4, 2)
    assert w.data.dtype == np.float64 and Tensor([1, 2]).data.dtype == np.float64


def test_backward_matches_the_hand_derived_gradients():
    x, w, b, h, z, r, loss = small_graph()
    loss.backward()
    dz = (z.data > 0) * 2.0 / z.data.size  # d mean(2 relu(z)) / dz
    np.testing.assert_allclose(b.grad, dz.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(w.grad, x.T @ dz, rtol=1e-12)
    np.testing.assert_allclose(z.grad, dz, rtol=1e-12)
    np.testing.assert_allclose(h.grad, dz, rtol=1e-12)


def test_leaves_accumulate_and_intermediates_start_fresh():
    x, w, b, h, z, r, loss = small_graph()
    loss.backward()
    first_w, first_z = w.grad.copy(), z.grad.copy()
    loss.backward()
    np.testing.assert_allclose(w.grad, 2 * first_w, rtol=1e-12)  # leaves accumulate, as in PyTorch
    np.testing.assert_allclose(z.grad, first_z, rtol=1e-12)  # intermediates are recomputed


def test_zero_grad_resets_the_whole_graph():
    x, w, b, h, z, r, loss = small_graph()
    loss.backward()
    loss.zero_grad()
    for node in topological_order(loss):
        assert node.grad.shape == node.data.shape and not node.grad.any()


def test_constants_and_inputs_without_requires_grad_get_no_gradient():
    x = Tensor(np.ones((2, 2)), requires_grad=False)
    w = Tensor(np.full((2, 2), 3.0))
    out = (x * w).sum()
    assert out.requires_grad
    assert not (x * 2.0).requires_grad  # nothing in it needs a gradient
    out.backward()
    assert not x.grad.any()
    np.testing.assert_array_equal(w.grad, np.ones((2, 2)))


def test_backward_on_more_than_one_element_needs_an_explicit_gradient():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    y = t * t
    with pytest.raises(ValueError, match=r"shape \(2, 3\) needs an explicit gradient"):
        y.backward()
    seed = np.arange(6.0).reshape(2, 3) - 2.0
    y.backward(seed)
    np.testing.assert_allclose(t.grad, 2 * t.data * seed)
    with pytest.raises(ValueError, match=r"the gradient has shape \(3,\) but the tensor has shape \(2, 3\)"):
        y.backward(np.ones(3))
    with pytest.raises(ValueError, match="does not depend on any tensor with requires_grad=True"):
        (Tensor(1.0, requires_grad=False) * 2.0).backward()


def test_one_element_tensors_of_any_shape_seed_with_one():
    t = Tensor([[2.0]])
    (t * t).backward()
    np.testing.assert_array_equal(t.grad, [[4.0]])


# ----- the graph module's steps work on Tensor graphs ---------------------------------------------
def test_backward_steps_replay_is_the_real_pass():
    x, w, b, h, z, r, loss = small_graph()
    steps = list(backward_steps(loss))
    assert [s.node for s in steps] == list(reversed(topological_order(loss)))
    recorded = {id(s.node): s.upstream for s in steps}
    # a fresh, unrecorded backward on an identical graph gives the same gradients
    x2, w2, b2, h2, z2, r2, loss2 = small_graph()
    loss2.backward()
    for node, twin in [(w, w2), (b, b2), (h, h2), (z, z2), (r, r2)]:
        np.testing.assert_array_equal(node.grad, twin.grad)
        np.testing.assert_array_equal(recorded[id(node)], node.grad)


def test_backward_steps_record_contributions_with_shapes_and_locals():
    x, w, b, h, z, r, loss = small_graph()
    steps = {id(s.node): s for s in backward_steps(loss)}
    add_step = steps[id(z)]
    (to_h, to_b) = add_step.contributions
    assert to_h.parent is h and to_h.local == 1.0
    assert to_b.parent is b and to_b.value.shape == (2,)  # summed back over the broadcast rows
    np.testing.assert_allclose(to_b.value, add_step.upstream.sum(axis=0))
    np.testing.assert_array_equal(to_b.after, to_b.before + to_b.value)
    relu_step = steps[id(r)]
    (to_z,) = relu_step.contributions
    np.testing.assert_array_equal(to_z.local, z.data > 0)  # elementwise: the Jacobian's diagonal
    np.testing.assert_allclose(to_z.value, relu_step.upstream * to_z.local)
    (to_w,) = steps[id(h)].contributions  # the constant x gets no contribution
    assert to_w.parent is w and to_w.local is None  # a matmul's Jacobian is not shown
    np.testing.assert_allclose(to_w.value, x.T @ steps[id(h)].upstream)


def test_forward_steps_topo_sort_clone_and_evaluate():
    x, w, b, h, z, r, loss = small_graph()
    forward = list(forward_steps(loss))
    assert forward[-1].node is loss and forward[-1].value is loss.data
    step_z = next(s for s in forward if s.node is z)
    assert step_z.inputs[0] is h.data and step_z.inputs[1] is b.data
    appended = [e.node for e in topo_sort_steps(loss) if e.kind == "append"]
    assert appended == topological_order(loss)

    copy, copies = clone(loss)
    copy.backward()
    assert not w.grad.any()  # the original is untouched
    loss.backward()
    np.testing.assert_array_equal(copies[id(w)].grad, w.grad)

    np.testing.assert_allclose(evaluate(loss), loss.data)
    nudged = w.data + 1e-3
    direct = ((x @ nudged + b.data).clip(min=0) * 2).mean()
    np.testing.assert_allclose(evaluate(loss, {id(w): nudged}), direct, rtol=1e-12)


def test_stages_mark_tensor_nodes():
    t = Tensor(np.ones(3))
    with stage("softmax by hand") as s:
        e = t.exp()
        out = e / e.sum()
    assert e._stage is s and out._stage is s and t._stage is None


def test_a_custom_tensor_gate_is_declared_in_one_place():
    @tensor_gate("cube")
    def cube(a):
        """f(a) = a^3: df/da = 3a^2."""
        return a**3, (3 * a**2,)

    t = Tensor([1.0, -2.0, 0.5])
    out = cube(t)
    assert out._op == "cube"
    out.sum().backward()
    np.testing.assert_allclose(t.grad, 3 * t.data**2)


def test_a_long_chain_needs_no_recursion():
    t = Tensor(np.ones(2))
    out = t
    for _ in range(5000):
        out = out * 1.0 + 0.0
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [1.0, 1.0])


# ----- bad input: clear errors -------------------------------------------------------------------
def test_shape_mismatch_names_the_gate_and_both_shapes():
    a, b = Tensor(np.ones((3, 2))), Tensor(np.ones(4))
    for op, name in [(lambda: a + b, r"\+"), (lambda: a * b, r"\*"), (lambda: a - b, "-"),
                     (lambda: a / b, "/"), (lambda: a.maximum(b), "maximum")]:
        with pytest.raises(ValueError, match=rf"gate '{name}' got shapes \(3, 2\) and \(4,\).*broadcast"):
            op()
    with pytest.raises(ValueError, match=r"gate '@' got shapes \(3, 2\) and \(3, 2\).*last dimension"):
        a @ a
    with pytest.raises(ValueError, match=r"gate 'reshape' got shape \(3, 2\), shape=\(4, 2\)"):
        a.reshape(4, 2)
    with pytest.raises(ValueError, match=r"gate 'sum' got shape \(3, 2\), axis=2"):
        a.sum(axis=2)
    with pytest.raises(IndexError, match=r"gate '\[\]' got shape \(3, 2\), index=5"):
        a[5]
    with pytest.raises(ValueError, match=r"gate '\[\]' got shape \(3, 2\), index=5"):
        a[5]  # a bad shape is a ValueError too, whichever numpy raised


def test_a_custom_rule_must_give_one_local_gradient_per_input():
    @tensor_gate("half_done")
    def half_done(a, b):
        return a * b, (b,)

    with pytest.raises(ValueError, match=r"gate 'half_done'.*one local gradient per input \(2\), got 1"):
        half_done(Tensor([1.0]), Tensor([2.0]))

    @tensor_gate("bare")
    def bare(a):
        return 2 * a, 2.0  # one input: a bare local gradient is accepted

    t = Tensor([1.0, 3.0])
    bare(t).sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 2.0])


def test_wrong_types_say_what_to_do():
    t = Tensor(np.ones(2))
    with pytest.raises(TypeError, match="cannot combine a Tensor with a Value"):
        t + Value(1.0)
    with pytest.raises(TypeError, match="cannot combine a Tensor with str"):
        t * "2"
    with pytest.raises(TypeError, match="holds numbers, got the string 'a'"):
        Tensor(["a", "b"])
    with pytest.raises(TypeError, match="complex numbers are not supported"):
        Tensor([1 + 2j])
    with pytest.raises(TypeError, match="no truth value"):
        bool(t)
    with pytest.raises(TypeError, match="label"):
        Tensor(1.0, label=3)
    with pytest.raises(TypeError, match="Tensor"):
        Value(np.ones(2))


def test_overflow_gives_inf_without_a_warning():
    with np.errstate(all="raise"):  # a warning would raise here
        big = Tensor([1000.0]).exp()
        assert np.isinf(big.data).all()
        assert np.isneginf(Tensor([0.0]).log().data).all()


def test_repr_shows_numbers_gate_and_label():
    w = Tensor([[1.0, 2.0]], label="w")
    assert repr(w) == "Tensor([[1., 2.]], label='w')"
    assert "op='sum'" in repr(w.sum())
