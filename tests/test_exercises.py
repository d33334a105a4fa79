"""The exercise checkers: right answers pass, wrong ones are named with the expected value and a hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_core import Tensor, Value, gate, gates, graph, nn
from autograd_core.graph import topological_order
from widgets import exercises as ex
from widgets.exercises.lesson07 import reference_steps, small_problem
from widgets.names import node_names


@pytest.fixture(autouse=True)
def fresh_tries():
    """Each test starts as a fresh notebook: no exercise answered wrongly yet."""
    ex.forget_tries()
    yield


def full(fb) -> str:
    """The feedback as a second wrong try shows it (with the expected values)."""
    from dataclasses import replace

    return replace(fb, revealed=True).text()

# The article's numbers (ARTICLE.md), typed in by hand: never computed by the code under test.
CIRCUIT = {"dq": -4.0, "dz": 3.0, "dx": -4.0, "dy": -4.0}
STAGED_DX, STAGED_DY, STAGED_F = 2.0595697955721652, 1.5922327514838093, 1.5456448841066441
NEURON = {
    "dx0": 0.3932238664829637, "dx1": -0.5898357997244456,
    "dw0": -0.19661193324148185, "dw1": -0.3932238664829637, "dw2": 0.19661193324148185,
}
MSE = {"dw": 112.0, "dx": -84.0, "dy": 28.0}


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# ----- the article's examples, as the checkers build them -----------------------------------------
def test_examples_have_the_article_values():
    assert ex.circuit().data == -12.0
    assert ex.staged_function().data == pytest.approx(STAGED_F, rel=1e-15)
    assert ex.neuron().data == pytest.approx(0.7310585786300049, rel=1e-15)
    assert ex.neuron(fused=False).data == pytest.approx(0.7310585786300049, rel=1e-15)
    assert ex.mse().data == 196.0


def test_the_other_examples_are_the_notebooks_graphs():
    assert ex.expression().data == 4.0 and ex.expression(c=5.0).data == -1.0  # notebook 00: f, then e
    assert ex.staged_function(fused=False).data == pytest.approx(STAGED_F, rel=1e-15)
    assert ex.mse(named_steps=False).data == 196.0
    assert set(ex.nodes_by_label(ex.mse())) == {"w", "x", "y", "wx", "diff", "loss"}
    assert set(ex.nodes_by_label(ex.mse(named_steps=False))) == {"w", "x", "y", "loss"}
    c = ex.fork()
    c.backward()
    assert ex.nodes_by_label(c)["a"].grad == 4.0


def test_the_reference_gates_are_the_engines():
    assert ex.multiply_gate(gates.mul).ok
    assert ex.sigmoid_gate(gates.sigmoid).ok
    assert ex.cube_gate(gates.power_const.bind(n=3.0)).ok
    # the wrong local gradient's hint is the engine gate's own description
    fb = ex.multiply_gate(gate("*")(lambda a, b: (a * b, (a, b))))
    (item,) = fb.items
    assert item.hint == gates.mul.doc.strip().split("\n")[0]


def test_feedback_names_every_node_as_the_drawing_beside_it_does():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    s = (a + b) * a  # the '+' node is unlabelled: the stepper and draw() call it n2
    plus = s._prev[0]
    assert node_names(topological_order(s))[2] == "n2"
    ex.naming.use_names(s)
    assert ex.node_name(plus) == "n2"
    # the gate's own why (as the stepper narrates it), with the other input named as the drawing names it
    assert ex.gate_hint(s, 1) == ("a multiply gate swaps its inputs: the local gradient is the other input, "
                                  "n2 = -1")
    ex.naming.forget_names()
    # outside the graph being checked a node is called as draw(node) calls it, never "the '+' node"
    assert ex.node_name(plus) == node_names(topological_order(plus))[-1] == "L"
    assert ex.node_name(a) == "a"


def test_a_sort_that_misses_a_node_names_it_as_the_stepper_does():
    def forgets_unlabelled(root):
        return [n for n in _dfs(root) if n.label]

    fb = ex.topological_sort(forgets_unlabelled)
    # the MSE graph (the first one tried): wx - y is wx + (-y), and the stepper calls the negation "-y"
    assert "on the graph of loss: -y is missing (1 node(s) in all)" in fb.text()
    assert "-y" in node_names(topological_order(ex.mse()))


def test_gradients_helper_matches_torch_and_leaves_the_graph_alone(torch):
    f = ex.staged_function()
    grads = ex.gradients(f)
    nodes = ex.nodes_by_label(f)
    assert all(n.grad == 0.0 for n in nodes.values())  # computed on a copy
    x = torch.tensor(3.0, requires_grad=True)
    y = torch.tensor(-4.0, requires_grad=True)
    ((x + torch.sigmoid(y)) / (torch.sigmoid(x) + (x + y) ** 2)).backward()
    assert grads[id(nodes["x"])] == pytest.approx(x.grad.item(), rel=1e-12)
    assert grads[id(nodes["y"])] == pytest.approx(y.grad.item(), rel=1e-12)


# ----- every checker: unanswered, right, wrong ---------------------------------------------------
UNANSWERED_CALLS = [
    (ex.first_expression, (...,)),
    (ex.first_gradient, (...,)),
    (ex.circuit_gradients, (..., ..., ..., ...)),
    (ex.nudge, (...,)),
    (ex.multiply_gate, (...,)),
    (ex.staged_backward, ()),
    (ex.fork_contributions, (..., ..., ...)),
    (ex.sigmoid_gate, (...,)),
    (ex.neuron_gradients, (..., ..., ..., ..., ...)),
    (ex.sigmoid_local, (...,)),
    (ex.prev_and_op, (..., ..., ...)),
    (ex.mse_gradients, (..., ..., ...)),
    (ex.cube_gate, (...,)),
    (ex.topological_sort, (...,)),
    (ex.naive_versus_sorted, (..., ...)),
    (ex.backward_twice, (..., ...)),
    (ex.descent_step, (...,)),
    (ex.one_step, (...,)),
    (ex.diverging_rate, (...,)),
    (ex.parameter_count, (...,)),
    (ex.train_step, (...,)),
    (ex.matmul_shapes, (..., ...)),
    (ex.matmul_backward, (...,)),
    (ex.sum_to_shape, (...,)),
    (ex.max_gradient, (...,)),
    (ex.softplus_gate, (...,)),
    (ex.vanishing_bound, (...,)),
]


@pytest.mark.parametrize("checker, args", UNANSWERED_CALLS, ids=[c.__name__ for c, _ in UNANSWERED_CALLS])
def test_unanswered_says_so_and_does_not_raise(checker, args, capsys):
    kwargs = dict.fromkeys(("dnum", "dden", "dsigx", "dxpysqr", "dxpy", "dsigy", "dx", "dy"), ...)
    fb = checker(**kwargs) if checker is ex.staged_backward else checker(*args)
    assert fb.status == "unanswered" and not fb.ok
    assert "not answered yet" in capsys.readouterr().out


def test_partly_answered_names_what_is_left_and_still_checks_the_rest():
    fb = ex.circuit_gradients(dq=-4, dz=..., dx=..., dy=...)
    assert fb.status == "unanswered"
    assert "df/dz, df/dx, df/dy" in fb.text()
    fb = ex.circuit_gradients(dq=4, dz=..., dx=..., dy=...)
    assert fb.status == "wrong"  # a wrong answer is reported even while others are missing


def test_circuit_right_answers_pass():
    fb = ex.circuit_gradients(**CIRCUIT)
    assert fb.ok and fb.text().startswith("\u2714")


def test_circuit_wrong_dz_names_the_input_the_expected_value_and_the_multiply_swap():
    fb = ex.circuit_gradients(dq=-4, dz=-4, dx=-4, dy=-4)
    assert fb.status == "wrong"
    wrong = [i for i in fb.items if i.status == "wrong"]
    assert [i.name for i in wrong] == ["df/dz"]
    assert "you wrote -4, expected 3" in wrong[0].message
    assert "multiply gate swaps its inputs" in wrong[0].hint
    assert "q = 3" in wrong[0].hint
    assert fb.highlight is ex.nodes_by_label(fb.root)["z"]


def test_wrong_sign_is_called_out_and_the_add_gate_hint_given():
    fb = ex.circuit_gradients(dq=-4, dz=3, dx=4, dy=-4)
    (item,) = [i for i in fb.items if i.status == "wrong"]
    assert "sign" in item.message
    assert "add gate passes its upstream gradient unchanged" in item.hint


def test_highlight_is_the_wrong_node_nearest_the_output():
    fb = ex.circuit_gradients(dq=1, dz=3, dx=1, dy=1)
    assert fb.highlight.label == "q"


def test_rounded_answers_are_accepted_and_the_exact_value_shown():
    fb = ex.staged_backward(dx=2.0596, dy=1.5922)
    assert fb.ok
    assert "exactly 2.0595697955721652" in fb.text()


def test_a_value_instead_of_a_number_gets_a_clear_message():
    fb = ex.first_gradient(Value(-3.0))
    assert fb.status == "wrong"
    assert "give its number instead" in fb.text()
    fb = ex.first_gradient("-3")
    assert "expected a number, got str" in fb.text()


def test_first_expression():
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    assert ex.first_expression(a * b + c).ok
    fb = ex.first_expression(a * (b + c))
    assert fb.status == "wrong" and "last gate of f is '*'" in fb.text()
    assert ex.first_expression(4.0).status == "wrong"
    assert ex.first_gradient(-3).ok


def test_nudge_is_first_order():
    assert ex.nudge(-12 + -4 * 0.01).ok
    fb = ex.nudge(-12.0)
    assert fb.status == "wrong" and "gradient \u00d7 step" in fb.text()


def test_staged_backward_article_numbers_and_each_intermediate():
    assert ex.staged_backward(dx=STAGED_DX, dy=STAGED_DY).ok
    # dnum = 1/den and dden = -num/den^2, from the forward values typed out here.
    sigy, sigx = _sigmoid(-4.0), _sigmoid(3.0)
    num, den = 3.0 + sigy, sigx + 1.0
    dden = -num / den**2
    fb = ex.staged_backward(dnum=1 / den, dden=dden, dsigx=dden, dxpysqr=dden, dxpy=2 * -1.0 * dden,
                            dsigy=1 / den, dx=STAGED_DX, dy=STAGED_DY)
    assert fb.ok
    fb = ex.staged_backward(dxpy=dden)  # forgot the square gate's local gradient 2a
    assert fb.status == "wrong" and "\u2202(a\u00b2)/\u2202a = 2 \u00d7 a" in fb.text()
    with pytest.raises(TypeError, match="unknown names"):
        ex.staged_backward(dz=1.0)


def test_fork_contributions_add_up_to_dx():
    sigx = _sigmoid(3.0)
    den = sigx + 1.0
    num = 3.0 + _sigmoid(-4.0)
    dden = -num / den**2
    via = {"via_num": 1 / den, "via_sigx": dden * (1 - sigx) * sigx, "via_xpy": 2 * -1.0 * dden}
    assert sum(via.values()) == pytest.approx(STAGED_DX, rel=1e-12)
    fb = ex.fork_contributions(**via)
    assert fb.ok and "2.0595697955721652" in fb.text()
    fb = ex.fork_contributions(via_num=via["via_num"], via_sigx=dden, via_xpy=via["via_xpy"])
    (item,) = [i for i in fb.items if i.status == "wrong"]
    assert item.name == "via sigx" and "(1 \u2212 s) \u00d7 s" in item.hint
    assert fb.highlight.label == "x"


def test_neuron_and_sigmoid_local():
    assert ex.neuron_gradients(**NEURON).ok
    swapped = dict(NEURON, dw0=NEURON["dx0"], dx0=NEURON["dw0"])
    fb = ex.neuron_gradients(**swapped)
    assert {i.name for i in fb.items if i.status == "wrong"} == {"df/dw0", "df/dx0"}
    assert "multiply gate swaps its inputs" in fb.text()
    s = 0.7310585786300049
    assert ex.sigmoid_local((1 - s) * s).ok
    assert ex.sigmoid_local(s).status == "wrong"


def test_prev_and_op():
    assert ex.prev_and_op("+", "*", 2).ok
    fb = ex.prev_and_op("+", "*", 1)
    assert fb.status == "wrong" and "listed twice" in fb.text()
    assert ex.prev_and_op("+", "+", 2).status == "wrong"


def test_mse_gradients():
    assert ex.mse_gradients(**MSE).ok
    fb = ex.mse_gradients(dw=-84, dx=-84, dy=28)
    assert fb.highlight.label == "w"
    assert "x = -4" in fb.text()


def test_backward_twice_and_naive_recursion():
    assert ex.backward_twice(w_grad=224, wx_grad=-28).ok
    fb = ex.backward_twice(w_grad=112, wx_grad=-28)
    assert fb.status == "wrong" and "accumulate" in fb.text()
    # a = 1; b = a + a; c = b + b: dc/da = 4; the naive recursion sends b's gradient twice: 1+1+2+2 = 6.
    assert ex.naive_versus_sorted(naive=6, correct=4).ok
    assert ex.naive_versus_sorted(naive=4, correct=4).status == "wrong"


def test_descent_step_and_one_step():
    def good(params, lr):
        for p in params:
            p.data -= lr * p.grad

    def uphill(params, lr):
        for p in params:
            p.data += lr * p.grad

    def raises(params, lr):
        raise ValueError("oops")

    def placeholder(params, lr):
        for p in params:
            p.data = ...

    assert ex.descent_step(good).ok
    fb = ex.descent_step(uphill)
    assert fb.status == "wrong" and "uphill" in fb.text() and fb.highlight.label == "w"
    assert "raised ValueError: oops" in ex.descent_step(raises).text()
    assert ex.descent_step(placeholder).status == "unanswered"
    assert ex.one_step(3 - 0.01 * 112).ok
    assert ex.one_step(3 + 0.01 * 112).status == "wrong"


def test_diverging_rate():
    # curvature of (w*x - y)^2 in w is 2x^2 = 32: rates above 2/32 diverge
    assert ex.diverging_rate(0.07).ok
    assert ex.diverging_rate(0.05).status == "wrong"
    assert ex.diverging_rate("fast").status == "wrong"


# ----- gates written by students ----------------------------------------------------------------
def test_gate_checker_right_wrong_unanswered_and_broken():
    @gate("*")
    def right(a, b):
        return a * b, (b, a)

    @gate("*")
    def unswapped(a, b):
        return a * b, (a, b)

    @gate("*")
    def placeholder(a, b):
        return a * b, (..., ...)

    @gate("*")
    def broken(a, b):
        return a * b, (b / 0.0, a)

    def plain(a, b):
        return a * b, (b, a)

    assert ex.multiply_gate(right).ok
    fb = ex.multiply_gate(unswapped)
    assert fb.status == "wrong"
    assert "input 0 at a = 3, b = -4: you return 3, expected -4" in full(fb)
    assert "swaps its inputs" in fb.text()
    assert fb.highlight and all(n._gate is unswapped for n in fb.highlight)
    assert ex.multiply_gate(placeholder).status == "unanswered"
    assert "raised ZeroDivisionError" in ex.multiply_gate(broken).text()
    assert "@gate" in ex.multiply_gate(plain).text()


def test_sigmoid_and_cube_gates():
    @gate("sigmoid")
    def sig(x):
        s = 1 / (1 + math.exp(-x))
        return s, ((1 - s) * s,)

    @gate("sigmoid")
    def sig_wrong(x):
        s = 1 / (1 + math.exp(-x))
        return s, (s,)

    @gate("sigmoid")
    def sig_todo(x):
        s = ...
        return s, (s,)

    @gate("cube")
    def cube(a):
        return a**3, (3 * a**2,)

    @gate("cube")
    def cube_forward_wrong(a):
        return a**2, (3 * a**2,)

    assert ex.sigmoid_gate(sig).ok
    fb = ex.sigmoid_gate(sig_wrong)
    assert "at x = 0: you return 0.5, expected 0.25" in full(fb)
    assert fb.root is not None and fb.root.label == "f"  # the neuron, built with the student's gate
    assert ex.sigmoid_gate(sig_todo).status == "unanswered"
    assert ex.cube_gate(cube).ok
    assert "forward at a = 2: you return 4, expected 8" in full(ex.cube_gate(cube_forward_wrong))


def test_arity_mismatch():
    @gate("sigmoid")
    def two(x, y):
        return x, (1.0, 1.0)

    assert "takes 2 input(s); it should take 1" in ex.sigmoid_gate(two).text()


# ----- the topological sort exercise ------------------------------------------------------------
def _dfs(root):
    order, visited = [], set()

    def visit(v):
        if v not in visited:
            visited.add(v)
            for p in v._prev:
                visit(p)
            order.append(v)

    visit(root)
    return order


def test_topological_sort_checker():
    assert ex.topological_sort(_dfs).ok

    def no_visited_set(root):
        order = []

        def visit(v):
            for p in v._prev:
                visit(p)
            order.append(v)

        visit(root)
        return order

    def reversed_order(root):
        return list(reversed(_dfs(root)))

    def only_root(root):
        return [root]

    def returns_nothing(root):
        _dfs(root)

    fb = ex.topological_sort(no_visited_set)
    assert fb.status == "wrong" and "appears twice" in fb.text() and fb.highlight is not None
    fb = ex.topological_sort(reversed_order)
    assert "comes before its input" in fb.text()
    assert "is missing" in ex.topological_sort(only_root).text()
    assert "expected a list of nodes, got NoneType" in ex.topological_sort(returns_nothing).text()


def test_unanswered_detection_reaches_nested_functions():
    def template(root):
        order = []

        def visit(v):
            order.append(...)

        visit(root)
        return order

    def finished(root):
        return [root]

    assert ex.is_unanswered(template)
    assert not ex.is_unanswered(finished)
    assert ex.is_unanswered([1.0, ...]) and not ex.is_unanswered([1.0, 2.0])


# ----- how feedback is shown --------------------------------------------------------------------
def test_feedback_prints_outside_ipython_and_renders_html(capsys):
    fb = ex.mse_gradients(dw=112, dx=84, dy=28)
    out = capsys.readouterr().out
    assert out.startswith("\u2718 Gradients of the MSE loss: not quite.")
    assert "you wrote 84, which is not it. The size is right, the sign is not." in out
    assert "-84" not in out  # a first wrong try: a hint, not the answer
    page = fb._repr_html_()
    assert "bp-exercise-feedback bp-wrong" in page and "which is not it" in page
    fb._ipython_display_()  # already shown once: shows nothing more
    assert capsys.readouterr().out == ""
    fb = ex.mse_gradients(dw=112, dx=84, dy=28)  # the second wrong try: the expected value
    assert "you wrote 84, expected -84" in capsys.readouterr().out
    assert "expected -84" in fb._repr_html_()


def test_a_first_wrong_answer_gets_a_hint_then_the_value():
    fb = ex.first_gradient(3)
    text = fb.text()
    assert "df/da: you wrote 3, which is not it" in text and "expected -3" not in text
    # the hint names the numbers to multiply (upstream 1, local b = -3) but not their product
    assert "multiply the upstream gradient 1 by the local gradient -3" in text
    assert "Try again" in text
    assert "expected -3" in ex.reveal().text()  # an explicit reveal
    fb = ex.first_gradient(4)  # a second wrong try of the same exercise: the value
    assert "expected -3" in fb.text() and "upstream \u00d7 local = 1 \u00d7 (-3) = -3" in fb.text()
    assert ex.first_gradient(-3).ok
    assert "expected -3" not in ex.first_gradient(5).text()  # after a right answer, hints first again
    assert "expected -4" not in ex.circuit_gradients(dq=1, dz=3, dx=-4, dy=-4).text()  # per exercise


def test_hints_at_a_fork_leave_the_sum_to_the_student():
    fb = ex.staged_backward(dx=1.0)
    assert "+=" in fb.text() and f"= {STAGED_DX!r}" not in fb.text()
    assert f"= {STAGED_DX!r}" in full(fb)


def test_titles_and_messages_are_escaped_in_html():
    fb = ex.Feedback("<b>x</b>", "wrong", [ex.Item("n", "wrong", "<script>alert(1)</script>")])
    page = fb._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


# ----- notebooks 07 to 09 -----------------------------------------------------------------------
def test_parameter_count():
    # (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1, counted by hand
    assert ex.parameter_count(337).ok
    fb = ex.parameter_count(2 * 16 + 16 * 16 + 16)  # forgot the biases
    assert fb.status == "wrong" and "bias" in fb.text()


def _good_step(model, X, y, optimizer):
    optimizer.zero_grad()
    loss = nn.hinge_loss(model(X), y)
    loss.backward()
    optimizer.step()
    return loss


def test_train_step_right_and_the_three_usual_mistakes():
    assert ex.train_step(_good_step).ok

    def no_zero_grad(model, X, y, optimizer):
        loss = nn.hinge_loss(model(X), y)
        loss.backward()
        optimizer.step()
        return loss

    def no_backward(model, X, y, optimizer):
        optimizer.zero_grad()
        loss = nn.hinge_loss(model(X), y)
        optimizer.step()
        return loss

    def no_return(model, X, y, optimizer):
        _good_step(model, X, y, optimizer)

    assert "zero_grad" in ex.train_step(no_zero_grad).text()
    assert "have not moved" in ex.train_step(no_backward).text()
    fb = ex.train_step(no_return)
    assert fb.status == "wrong" and "return the loss" in fb.text()


def test_train_step_matches_a_hand_written_sgd_update():
    # One step of plain SGD on a fresh copy of the checker's problem, written out with numpy here.
    model, X, y = small_problem()
    before = [p.data.copy() for p in model.parameters()]
    loss = nn.hinge_loss(model(X), y)
    loss.backward()
    grads = [p.grad.copy() for p in model.parameters()]
    params, _ = reference_steps(1)
    for b, g, p in zip(before, grads, params):
        np.testing.assert_allclose(p, b - 0.1 * g, rtol=1e-12)


def test_tensor_gradient_checkers_against_numpy_formulas():
    assert ex.matmul_shapes(dX=(4, 3), dW=(3, 2)).ok
    assert "expected (3, 2)" in full(ex.matmul_shapes(dX=(4, 3), dW=(2, 3)))
    assert ex.matmul_backward(lambda X, W, dY: (dY @ W.T, X.T @ dY)).ok
    fb = ex.matmul_backward(lambda X, W, dY: (dY @ W.T, dY.T @ X))
    assert "dW has shape (2, 3), expected (3, 2)" in fb.text() and "X.T @ dY" in fb.text()
    fb = ex.matmul_backward(lambda X, W, dY: (dY @ W.T, 2 * X.T @ dY))
    assert "right shape, wrong numbers" in fb.text()


def _sum_to_shape(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def test_sum_to_shape_checker():
    assert ex.sum_to_shape(_sum_to_shape).ok
    fb = ex.sum_to_shape(lambda g, shape: g.sum(axis=0))
    assert fb.status == "wrong" and "(1, 3)" in fb.text()
    assert ex.sum_to_shape(lambda g, shape: g).status == "wrong"


def test_max_gradient_ties_share():
    assert ex.max_gradient([0, 0.5, 0.5, 0]).ok
    fb = ex.max_gradient([0, 1, 0, 0])
    assert fb.status == "wrong" and "share it evenly" in fb.text()
    assert "has shape (3,), expected (4,)" in ex.max_gradient([0, 1, 0]).text()


def test_max_gradient_matches_torch(torch):
    t = torch.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    torch.amax(t).backward()
    assert ex.max_gradient(t.grad.numpy()).ok


def _buggy_graph():
    @gate("softplus")
    def softplus(x):
        return math.log1p(math.exp(x)), (math.exp(x),)  # the bug: e^x instead of the sigmoid

    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(-1.0, "b")
    return (softplus(w * x + b) - 1.0) ** 2


def test_wrong_gate():
    root = _buggy_graph()
    assert ex.wrong_gate(root, "softplus").ok
    fb = ex.wrong_gate(root, "**2")
    assert fb.status == "wrong" and "agree with its rule" in fb.text()
    assert all(n._op == "**2" for n in fb.highlight)
    assert "no 'tanh' gate" in ex.wrong_gate(root, "tanh").text()


def test_softplus_gate():
    @gate("softplus")
    def fixed(x):
        return math.log1p(math.exp(x)), (1 / (1 + math.exp(-x)),)

    @gate("softplus")
    def buggy(x):
        return math.log1p(math.exp(x)), (math.exp(x),)

    assert ex.softplus_gate(fixed).ok
    fb = ex.softplus_gate(buggy)
    assert "at x = 0: you return 1, expected 0.5" in full(fb)


def test_first_nonfinite_on_a_distance_at_zero():
    # sqrt at 0 has an infinite local gradient: the sum under the root gets inf first.
    x1, y1, x2, y2 = Value(1.0, "x1"), Value(2.0, "y1"), Value(1.0, "x2"), Value(2.0, "y2")
    dx, dy = x1 - x2, y1 - y2
    s = dx**2 + dy**2
    s.label = "s"
    dist = s**0.5
    assert ex.first_nonfinite(dist, "s").ok
    fb = ex.first_nonfinite(dist, "x1")
    assert fb.status == "wrong" and fb.highlight is s
    # forward: log of a negative number is nan where it is computed
    a = Value(-1.0, "a")
    lg = a.log()
    lg.label = "lg"
    out = lg * 2.0
    assert ex.first_nonfinite(out, "lg").ok


def test_vanishing_bound():
    assert ex.vanishing_bound(0.25**5).ok
    assert ex.vanishing_bound(0.25).status == "wrong"
    assert ex.vanishing_bound(0.25**3, depth=3).ok


def test_tensor_answers_are_read_as_arrays():
    t = Tensor(np.array([0.0, 0.5, 0.5, 0.0]))
    assert ex.max_gradient(t).ok


def test_feedback_graph_outlines_the_wrong_node_and_shows_gradients():
    from widgets import draw

    fb = ex.circuit_gradients(dq=-4, dz=-4, dx=-4, dy=-4)
    svg = fb.graph_svg()
    assert svg is not None and "<svg" in svg
    assert "3.0000" in svg  # dz's gradient, from a backward pass on a copy
    assert fb.root.grad == 0.0  # the checker's graph itself is untouched
    copy, _ = graph.clone(fb.root)
    copy.backward()
    plain = draw(copy).pipe(format="svg", encoding="utf-8")
    assert svg != plain  # the outline changes the drawing
    assert ex.circuit_gradients(**CIRCUIT).graph_svg() is None  # nothing to point at when correct
