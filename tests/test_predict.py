"""Predict mode asks for every gradient a step reveals, one at a time, with a hint before the answer."""

from __future__ import annotations

import pytest

from autograd_core import Value
from autograd_core.graph import backward_steps, clone, topological_order
from widgets import GraphStepper
from widgets.exercises.examples import expression, mse


def e_graph():
    return expression(label="e")


def mse_graph():
    return mse(named_steps=False)


def fork_graph():
    """a feeds three gates (a fork): it is asked for after each path, as its running sum."""
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    q = a * b
    q.label = "q"
    f = q + a.tanh() * 2 + a * a
    f.label = "f"
    return f


GRAPHS = {"e = a*b + c": e_graph, "MSE": mse_graph, "fork": fork_graph}


def expected_questions(stepper, root) -> list[tuple[str, float]]:
    """(name, gradient after the step) of every input a backward step updates, read from the engine's
    own record on a fresh copy: each non-constant input once per step (an input used twice by one gate,
    as in a * a, once, for the sum it ends the step with)."""
    graph, _ = clone(root)
    where = {id(n): k for k, n in enumerate(topological_order(graph))}  # the stepper's order too
    out = []
    for step in backward_steps(graph):
        seen: dict[int, float] = {}
        for c in step.contributions:
            if not getattr(c.parent, "_const", False):
                seen[where[id(c.parent)]] = float(c.after)
        out += [(stepper.names[k], v) for k, v in seen.items()]
    return out


def drive(stepper, answer) -> list[str]:
    """Press Next to the end, answering each prompt with answer(stepper, target); the prompts asked."""
    asked = []
    for _ in range(10 * len(stepper.steps)):
        if stepper.index == len(stepper.steps) - 1:
            return asked
        if stepper.guess_row.layout.display == "flex":
            asked.append(stepper.guess_label.value)
            answer(stepper, stepper._asking(stepper.index + 1))
        else:
            stepper.next()
    raise AssertionError("never reached the last frame")


@pytest.mark.parametrize("make", GRAPHS.values(), ids=GRAPHS.keys())
def test_predict_mode_asks_for_every_revealed_gradient(make):
    root = make()
    s = GraphStepper(root, predict=True)
    expected = expected_questions(s, root)
    guessed = []

    def answer(stepper, target):
        guessed.append((target.name, float(target.value)))
        assert stepper.guess(target.value) is True

    asked = drive(s, answer)
    assert guessed == expected  # every gradient after the seed, in the backward pass's order
    assert len(asked) == len(expected)
    for prompt, (name, _) in zip(asked, expected):
        assert f"/\u2202{name} after the next step" in prompt
    # the leaves' last guesses are the engine's gradients
    root.backward()
    leaves = {n.label: n.grad for n in topological_order(root) if not n._prev and n.label}
    last = dict(guessed)
    assert {k: last[k] for k in leaves} == pytest.approx(leaves)


def test_e_graph_asks_four_times_two_per_step():
    s = GraphStepper(e_graph(), predict=True)
    asked = drive(s, lambda st, t: st.guess(t.value))
    assert len(asked) == 4  # a*b and c (the + gate's step), then a and b (the * gate's step)
    assert "1 of the 2" in asked[0] and "2 of the 2" in asked[1]


@pytest.mark.parametrize("make", GRAPHS.values(), ids=GRAPHS.keys())
def test_next_blocks_once_per_gradient_and_never_repeats_the_prompt(make):
    s = GraphStepper(make(), predict=True)
    blocks = 0
    for _ in range(10 * len(s.steps)):
        if s.index == len(s.steps) - 1:
            break
        before = s.index
        s.next()
        if s.index == before:  # blocked: the prompt shows once (in its row), not again below it
            blocks += 1
            assert "Predict" in s.guess_label.value and "Predict" not in s.feedback.value
            s.next()  # pressing Next again while waiting changes nothing
            assert s.index == before and "Predict" not in s.feedback.value
            s._reveal()  # "Show me"
    assert blocks == len(expected_questions(s, make()))


def test_a_wrong_guess_gets_a_hint_first_then_the_number():
    s = GraphStepper(mse_graph(), predict=True)
    drive_to = None
    while drive_to is None:  # the * gate's step: d loss/d w = upstream -28 times local x = -4
        if s.guess_row.layout.display == "flex" and s._asking(s.index + 1).name == "w":
            drive_to = s.index
        elif s.guess_row.layout.display == "flex":
            s.guess(s._asking(s.index + 1).value)
        else:
            s.next()
    assert s.guess(999) is False
    hint = s.feedback.value
    assert "Hint" in hint and "999" in hint
    assert '<span class="bp-g">-28</span>' in hint and '<span class="bp-g">-4</span>' in hint  # to multiply
    assert "112" not in hint  # not the product
    assert s.index == drive_to and s._asking(s.index + 1).name == "w"  # still asking for the same one
    assert s.guess(998) is False  # second wrong try: the number, and go on
    assert '<span class="bp-g">112</span>' in s.feedback.value
    assert s._asking(s.index + 1).name == "x"  # the same step's next gradient
    assert s.guess(7) is False and "Hint" in s.feedback.value and "-84</span>" not in s.feedback.value
    s._reveal()  # "Show me": the number at once
    assert '<span class="bp-g">-84</span>' in s.feedback.value
    assert s.index == drive_to + 1  # both of the step's gradients answered: the step is shown


def test_a_hint_at_a_fork_says_what_to_add():
    s = GraphStepper(fork_graph(), predict=True)
    hints = []
    for _ in range(10 * len(s.steps)):
        if s.index == len(s.steps) - 1:
            break
        if s.guess_row.layout.display == "flex":
            s.guess(12345)
            hints.append(s.feedback.value)
            s._reveal()
        else:
            s.next()
    assert any("already had" in h for h in hints)
    assert all("Hint" in h and "12345" in h for h in hints)
