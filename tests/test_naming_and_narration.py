"""One name per node everywhere (stepper, narration, exercise feedback, exports); narration that reads
cleanly (no gate restated as itself, one notation) and, on the projector, with few digits."""

from __future__ import annotations

import random
import re

import pytest

from autograd_core import Value
from autograd_core.graph import topological_order
from widgets import GraphStepper, TopoSortPlayer, draw
from widgets import exercises as ex
from widgets.exercises import examples
from widgets.names import node_names


@pytest.fixture(autouse=True)
def fresh_tries():
    ex.forget_tries()


def notebook00_e():
    """Notebook 00's expression, as the notebook writes it (a * b unlabelled)."""
    return examples.expression()


def notebook03_neuron():
    """Notebook 03's decomposed neuron, as the notebook writes it."""
    return examples.neuron(fused=False)


def names_by_structure(root) -> dict[str, str]:
    """{a key that says what a node computes: its name} (the key does not depend on the names)."""
    order = topological_order(root)
    keys: dict[int, str] = {}
    for n in order:
        if n.label:
            keys[id(n)] = n.label
        elif n._prev:
            keys[id(n)] = f"{n._op}({','.join(keys[id(p)] for p in n._prev)})"
        else:
            keys[id(n)] = repr(n.data)
    return {keys[id(n)]: name for n, name in zip(order, node_names(order))}


def test_exercise_0_2_feedback_names_a_times_b_as_the_stepper_does():
    stepper = GraphStepper(notebook00_e())
    product = stepper.names[2]
    assert product == "n2"  # a, b, then a*b: the third value computed
    fb = ex.first_gradient(5)  # wrong twice: the hint names the multiply gate's output
    fb = ex.first_gradient(5)
    text = fb.text()
    # the feedback graph is drawn with the same names (draw() labels nodes by names.node_names)
    svg = fb.graph_svg()
    assert ">n2<" in svg and ">e<" not in svg
    narrated = "\n".join(stepper.steps[i].narration.text for i in range(len(stepper.steps)))
    assert "\u2202f/\u2202n2" in narrated
    assert "expected -3" in text


def test_the_neuron_has_the_same_generated_names_expanded_fused_and_in_exercises():
    """Constants do not take a number: the products are n2 and n5, their sum n6, in every graph of the
    neuron (the stepper's expanded view, its fused view, the exercise checkers' fused graph)."""
    expanded = GraphStepper(notebook03_neuron())
    keys = names_by_structure(notebook03_neuron())
    assert keys["*(w0,x0)"] == "n2" and keys["*(w1,x1)"] == "n5" and keys["+(*(w0,x0),*(w1,x1))"] == "n6"
    checker = names_by_structure(ex.neuron())
    for key in ("*(w0,x0)", "*(w1,x1)", "+(*(w0,x0),*(w1,x1))", "dot", "f"):
        assert checker[key] == keys[key]
    assert {"n2", "n5", "n6"} <= set(expanded.names)
    expanded.collapsed = True
    assert {"n2", "n5", "n6"} <= set(expanded.names)
    # and the checker's feedback speaks of them by those names
    fb = ex.neuron_gradients(dx0=0, dx1=0, dw0=0, dw1=0, dw2=0)
    fb = ex.neuron_gradients(dx0=0, dx1=0, dw0=0, dw1=0, dw2=0)
    assert "the other input" in fb.text()
    assert "'*' node" not in fb.text()


def test_stepper_narration_predict_and_exports_use_one_name(tmp_path):
    w, x, y = Value(3.0, label="w"), Value(-4.0, label="x"), Value(2.0, label="y")
    loss = (w * x - y) ** 2
    s = GraphStepper(loss, predict=True)
    names = node_names(topological_order(loss))
    assert s.names == names
    # the narration names exactly these nodes, and the drawing shows them
    words = set()
    for f in s.steps:
        for line in f.narration.text.split("\n"):
            words |= set(re.findall(r"\u2202(\S+?)/\u2202(\S+?)(?=[ ,.:]|$)", line.split("  (")[0]))
    mentioned = {n for pair in words for n in pair}
    assert mentioned <= set(names) and {"w", "x", "n2", "-y", "n5", "L"} <= mentioned
    svg = s._scene().live_svg()
    for n in names:
        assert f">{n}<" in svg
    # predict mode asks by the same names; the HTML export carries the same narration
    asked = [t.name for f in s.steps for t in f.targets]
    assert set(asked) <= set(names)
    s.save_frames(tmp_path / "frames")
    notes = (tmp_path / "frames" / "narration.txt").read_text(encoding="utf-8")
    assert "\u2202L/\u2202n2" in notes
    # the sort player and draw() name nodes the same way
    assert TopoSortPlayer(loss).names == names
    assert ">n2<" in draw(loss).pipe(format="svg", encoding="utf-8")


# ----- no tautologies over many graphs --------------------------------------------------------------
def random_graph(rng: random.Random):
    leaves = [Value(rng.choice([-3.0, -2.0, -1.0, 0.5, 1.0, 2.0, 3.0]), label=f"v{k}") for k in range(3)]
    nodes = list(leaves)
    for _ in range(rng.randint(2, 8)):
        a, b = rng.choice(nodes), rng.choice(nodes)
        op = rng.choice(["+", "*", "-", "neg", "exp", "tanh", "sigmoid", "**2", "/", "+1", "relu"])
        if op == "+":
            n = a + b
        elif op == "*":
            n = a * b
        elif op == "-":
            n = a - b
        elif op == "neg":
            n = -a
        elif op == "exp":
            n = (a * 0.1).exp()
        elif op == "tanh":
            n = a.tanh()
        elif op == "sigmoid":
            n = a.sigmoid()
        elif op == "**2":
            n = a**2
        elif op == "/":
            n = a / (b * b + 1)
        elif op == "relu":
            n = a.relu()
        else:
            n = a + 1
        nodes.append(n)
    return nodes[-1] + nodes[-2]


def all_lines(stepper) -> list[str]:
    return [line for f in stepper.steps for line in f.narration.text.split("\n")]


@pytest.mark.parametrize("seed", range(40))
def test_no_narration_line_restates_a_gate_as_itself(seed):
    root = random_graph(random.Random(seed))
    stepper = GraphStepper(root)
    for line in all_lines(stepper) + [t.explanation for f in stepper.steps for t in f.targets]:
        parts = re.split(r" = |\+=", line.split("  (")[0])
        norm = [p.strip().replace("\u2212", "-").replace(" ", "") for p in parts]
        for left, right in zip(norm, norm[1:]):
            assert left != right, f"seed {seed}: {line!r} says {left} = {right}"
        assert "*" not in line.split("  (")[0] and "**" not in line, f"one notation (\u00d7): {line!r}"
        assert not re.search(r"(?<![\w\u2202])d\w*/d", line), f"one notation (\u2202): {line!r}"


def test_the_issues_tautologies_are_gone():
    dot = Value(1.0, label="dot")
    s = GraphStepper((-dot).exp())
    text = "\n".join(all_lines(s))
    assert "-dot = \u2212dot" not in text and "-dot = \u2212(1) = -1" in text
    assert "exp(-dot) = exp(-dot)" not in text and "exp(-dot) = exp(-1)" in text
    y = Value(2.0, label="y")
    text = "\n".join(all_lines(GraphStepper(-y * 3)))
    assert "-y = \u2212y" not in text and "-y = \u2212(2) = -2" in text


def test_the_outputs_gradient_is_named_upstream():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b + c
    e.label = "e"
    text = "\n".join(all_lines(GraphStepper(e)))
    assert "\u2202e/\u2202n2 += upstream 1 \u00d7 local 1 = 1" in text
    assert "\u2202e/\u2202e \u00d7" not in text


def test_why_notes_use_one_notation():
    x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    f = (x + y.sigmoid()) / (x.sigmoid() + (x + y) ** 2) + x.tanh() + (x * 0.1).exp().log()
    text = "\n".join(all_lines(GraphStepper(f)))
    assert "\u2202(a/b)/\u2202b = \u2212a/b\u00b2" in text and "\u2202(a\u00b2)/\u2202a = 2 \u00d7 a" in text
    assert "\u2202tanh(a)/\u2202a = 1 \u2212 tanh(a)\u00b2" in text and "\u2202\u03c3(a)/\u2202a" in text
    assert "^2" not in text and "**" not in text and " * " not in text


# ----- the projector narrates with few digits -------------------------------------------------------
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?")


def test_projector_narration_numbers_are_short_and_full_precision_on_request():
    f = notebook03_neuron()
    projector = GraphStepper(f, theme="projector")
    numbers = [m for line in all_lines(projector) for m in NUMBER.findall(line)]
    assert numbers
    for m in numbers:
        digits = m.lstrip("-").replace(".", "").lstrip("0")
        assert len(digits) <= 4, f"{m} is too long for the back of a hall"
    assert "0.73" in "\n".join(all_lines(projector))  # f = 0.7310585786300049, drawn as 0.73
    precise = GraphStepper(f, theme="projector", full_precision=True)
    assert "0.7310585786300049" in "\n".join(all_lines(precise))
    assert "0.7310585786300049" in "\n".join(all_lines(GraphStepper(f)))  # light: full precision


def test_the_sort_player_narrates_with_few_digits_on_the_projector_too():
    from widgets import TopoSortPlayer

    x, w = Value(0.3, label="x"), Value(-1.7, label="w")
    f = (x * w).sigmoid() + x  # x is used twice: the naive recursion narrates incomplete gradients
    f.label = "f"
    exact = repr(x.grad if x.grad else f.backward() or x.grad)
    for naive in (False, True):
        player = TopoSortPlayer(f, theme="projector", naive=naive)
        text = "\n".join(frame.narration.text for frame in player.steps)
        numbers = NUMBER.findall(text)
        assert numbers, "the sort player narrates numbers"
        for m in numbers:
            digits = m.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
            assert len(digits) <= 4, f"{m} is too long for the back of a hall (naive={naive})"
        precise = TopoSortPlayer(f, theme="projector", naive=naive, full_precision=True)
        assert exact in "\n".join(frame.narration.text for frame in precise.steps)
        assert exact in "\n".join(frame.narration.text for frame in TopoSortPlayer(f, naive=naive).steps)


def test_projector_narration_is_as_large_as_the_drawing():
    from widgets.player import narration_css
    from widgets.themes import PROJECTOR

    css = narration_css(PROJECTOR, "x")
    size = float(re.search(r"\.bp-narr\{font-size:(\d+)px", css).group(1))
    assert size >= PROJECTOR.font_size * 4 / 3  # the drawing's text, pt -> px
    assert "0.8em" not in css  # fractions and why notes at full size


def test_start_counts_the_nodes_drawn():
    """06's stepper: loss = (w * -4 - 2)**2 with numbers for x and y: 4 nodes drawn, not 6."""
    w = Value(3.0, label="w")
    loss = (w * -4.0 - 2.0) ** 2
    loss.label = "loss"
    s = GraphStepper(loss)
    svg = s._scene().live_svg()
    assert s.narration.startswith("Nothing computed yet: 4 nodes drawn, from the inputs to loss.")
    assert len(re.findall(r'<g id="[^"]*-n\d+" class="node"', svg)) == 4  # one value cell per node drawn
