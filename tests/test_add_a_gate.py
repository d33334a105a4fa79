"""docs/architecture.md's recipe "How to add a gate", followed here: a gate declared in this test module
draws, steps forward and backward, narrates its why and passes a gradient check."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from autograd_core import Value, define_gate, gate, gradcheck
from autograd_core.node import gate_of, symbol_of, why_of
from widgets import GraphStepper, draw


# The recipe's step 1: a rule (forward beside local gradient), its symbol and its why.
@gate("softplus", symbol="ln(1+eᵃ)", why="∂softplus(a)/∂a = σ(a): the sigmoid of its input")
def softplus(a: float) -> tuple[float, tuple[float]]:
    """f(a) = ln(1 + e^a): a smooth relu."""
    return math.log1p(math.exp(a)), (1.0 / (1.0 + math.exp(-a)),)


# A why can depend on the input's position, and name the inputs as the reader sees them.
@gate("hypot", why=lambda i, a, b: f"∂hypot/∂{(a, b)[i]} = {(a, b)[i]} / hypot")
def hypot(a: float, b: float) -> tuple[float, tuple[float, float]]:
    h = math.hypot(a, b)
    return h, (a / h, b / h)


def svg_texts(svg: str) -> set[str]:
    return {"".join(t.itertext()).strip() for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")}


def graph() -> tuple[Value, Value, Value]:
    """out = hypot(softplus(w * x), 4) at w = 3, x = 0.5, and its inputs."""
    w, x = Value(3.0, label="w"), Value(0.5, label="x")
    s = softplus(w * x)
    s.label = "s"
    out = hypot(s, Value(4.0, label="c"))
    out.label = "out"
    return out, w, x


def expected() -> dict[str, float]:
    """The same numbers by hand (softplus' = sigmoid, hypot' = input / hypot), not by the engine."""
    z = 1.5
    s = math.log1p(math.exp(z))
    out = math.hypot(s, 4.0)
    d_s = s / out
    sig = 1 / (1 + math.exp(-z))
    return {"s": s, "out": out, "w": d_s * sig * 0.5, "x": d_s * sig * 3.0}


def test_the_gate_describes_itself():
    out, _, _ = graph()
    s = out._prev[0]
    assert gate_of(s) is softplus and symbol_of(s) == "ln(1+eᵃ)"
    assert why_of(s, 0) == "∂softplus(a)/∂a = σ(a): the sigmoid of its input"
    assert why_of(out, 1) == "∂hypot/∂b = b / hypot"  # the rule's own names by default
    assert why_of(out, 0, "s", "c") == "∂hypot/∂s = s / hypot"  # or the reader's


def test_it_draws_with_its_symbol_and_its_numbers():
    out, _, _ = graph()
    out.backward()
    texts = svg_texts(draw(out).pipe(format="svg", encoding="utf-8"))
    assert "ln(1+eᵃ)" in texts and "hypot" in texts
    numbers = expected()
    assert f"{numbers['s']:.4f}" in texts and f"{numbers['out']:.4f}" in texts
    assert f"{numbers['w']:.4f}" in texts and f"{numbers['x']:.4f}" in texts


def test_it_steps_forward_and_backward_and_narrates_its_why():
    out, w, x = graph()
    stepper = GraphStepper(out)
    numbers = expected()
    while stepper.phase != "backward":
        stepper.next()
    assert stepper.values["s"] == pytest.approx(numbers["s"], rel=1e-15)
    assert stepper.values["out"] == pytest.approx(numbers["out"], rel=1e-15)
    narrated = []
    while stepper.phase != "done":
        narrated.append(stepper.steps[stepper.index].narration.text)
        stepper.next()
    assert stepper.grads["w"] == pytest.approx(numbers["w"], rel=1e-14)
    assert stepper.grads["x"] == pytest.approx(numbers["x"], rel=1e-14)
    text = "\n".join(narrated)
    assert "(∂softplus(a)/∂a = σ(a): the sigmoid of its input)" in text
    assert "(∂hypot/∂s = s / hypot)" in text  # named as the drawing names the input
    assert w.grad == 0.0 and x.grad == 0.0  # the stepper worked on a copy


def test_it_passes_a_gradient_check():
    out, _, _ = graph()
    assert all(check.ok for check in gradcheck.check_graph(out))
    assert gradcheck.first_wrong_gate(out) is None


def test_a_gate_without_a_why_says_its_docstrings_first_sentence():
    @gate("cube")
    def cube(a):
        """f(a) = a³: the local gradient is 3a². The rest of the docstring is not narrated."""
        return a**3, (3 * a * a,)

    square = define_gate("square", lambda a: a * a, lambda a, out: 2 * a, why="∂(a²)/∂a = 2a")
    y = cube(square(Value(2.0, label="x")))
    assert why_of(y, 0) == "f(a) = a³: the local gradient is 3a²."
    assert why_of(y._prev[0], 0) == "∂(a²)/∂a = 2a"
    stepper = GraphStepper(y)
    text = "\n".join(frame.narration.text for frame in stepper.steps)
    assert "(f(a) = a³: the local gradient is 3a².)" in text and "(∂(a²)/∂a = 2a)" in text
    assert "The rest" not in text


def test_a_why_that_is_not_text_is_refused():
    with pytest.raises(TypeError, match="why must be a str or a function"):
        gate("bad", why=3)(lambda a: (a, (1.0,)))
