"""Steps -> frames: every narration has the engine's numbers, and the layout never moves between frames."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_core import Value
from autograd_core.graph import topological_order
from widgets import GraphStepper
from widgets.exercises.examples import circuit, staged_function

# ARTICLE.md rows 1 and 2, written out (not computed by the code under test).
CIRCUIT = {"q": 3.0, "f": -12.0, "dz": 3.0, "dq": -4.0, "dx": -4.0, "dy": -4.0}
STAGED_F, STAGED_DX, STAGED_DY = 1.5456448841066441, 2.0595697955721652, 1.5922327514838093

CHAIN = re.compile(
    r"^\u2202(?P<loss>\S+)/\u2202(?P<parent>\S+) \+= "
    r"(?:\u2202\S+/\u2202(?P<node>\S+) \u00d7 \u2202\S+/\u2202\S+ = "
    r"|upstream (?=\S+ \u00d7 local ))"  # at the output itself: `+= upstream 1 × local 2 = 2`
    r"(?P<up>\S+) \u00d7 (?:local )?\(?(?P<local>[^ )]+)\)? = (?P<value>\S+)"
)
FORK = re.compile(
    r"at the fork: \u2202\S+/\u2202(?P<parent>\S+) = (?P<before>\S+) "
    r"\+ \(?(?P<value>[^ )]+)\)? = (?P<after>\S+)"
    r"  \(path (?P<path>\d+) of (?P<paths>\d+)"
)


def staged():
    """The article's strange function, with both sigmoids as stages."""
    return staged_function(fused=False)


def engine_view(root):
    """The engine's own backward pass on a separate graph: {name: node} with grads filled."""
    root.backward()
    nodes = {}
    for n in topological_order(root):
        nodes.setdefault(n.label or f"id{id(n)}", n)
    return nodes


def backward_lines(stepper):
    for i, frame in enumerate(stepper.steps):
        if frame.phase in ("backward", "done"):
            stepper.goto(i)
            yield frame, stepper.narration


def check_backward_narrations(stepper, root):
    """Every `+=` line has the engine's upstream, local and product; every fork line adds up."""
    order = topological_order(root)  # the stepper's graph is a copy: same order, same names
    root.backward()
    by_name = dict(zip(stepper.names, order))
    chains = forks = 0
    for frame, text in backward_lines(stepper):
        node = order[frame.node]
        for line in text.split("\n"):
            m = CHAIN.match(line)
            if m:
                chains += 1
                assert m["node"] is None and node is root or by_name[m["node"]] is node
                parent = by_name[m["parent"]]
                pos = [p is parent for p in node._prev].index(True)
                assert float(m["up"]) == node.grad
                assert float(m["local"]) == node._local[pos]
                assert float(m["value"]) == node.grad * node._local[pos]
            m = FORK.search(line)
            if m:
                forks += 1
                assert float(m["before"]) + float(m["value"]) == pytest.approx(float(m["after"]), abs=0)
                if m["path"] == m["paths"]:  # the last path: the running sum is the whole gradient
                    assert float(m["after"]) == by_name[m["parent"]].grad
    return chains, forks


def test_circuit_every_backward_narration_has_the_engines_numbers():
    f = circuit()
    stepper = GraphStepper(f)
    chains, forks = check_backward_narrations(stepper, circuit())
    assert chains == 4 and forks == 0  # f -> q, z; q -> x, y
    stepper.last()
    assert stepper.grads == pytest.approx(
        {"x": CIRCUIT["dx"], "y": CIRCUIT["dy"], "z": CIRCUIT["dz"], "q": CIRCUIT["dq"], "f": 1.0}
    )


def test_circuit_narrations_read_like_the_article():
    stepper = GraphStepper(circuit())
    texts = []
    for i in range(len(stepper.steps)):
        stepper.goto(i)
        texts.append(stepper.narration)
    assert "q = x + y = -2 + 5 = 3" in texts
    assert "f = q \u00d7 z = 3 \u00d7 (-4) = -12" in texts
    joined = "\n".join(texts)
    # at the output the upstream gradient is named, not written ∂f/∂f × ∂f/∂q (circular)
    assert "\u2202f/\u2202q += upstream 1 \u00d7 local (-4) = -4" in joined
    assert "\u2202f/\u2202x += \u2202f/\u2202q \u00d7 \u2202q/\u2202x = -4 \u00d7 1 = -4" in joined


def test_staged_function_narrations_and_forks_match_the_engine():
    stepper = GraphStepper(staged())
    chains, forks = check_backward_narrations(stepper, staged())
    # x feeds three gates and y two: every contribution to them is shown as a running sum
    assert forks == 5
    assert chains > 10
    stepper.last()
    assert stepper.grads["x"] == pytest.approx(STAGED_DX, rel=1e-14)
    assert stepper.grads["y"] == pytest.approx(STAGED_DY, rel=1e-14)
    assert stepper.values["f"] == pytest.approx(STAGED_F, rel=1e-15)


def test_running_sum_at_a_fork_shows_each_path_in_turn():
    x = Value(2.0, label="x")
    f = x * x + x  # x is used three times
    f.label = "f"
    stepper = GraphStepper(f)
    sums = []
    for _frame, text in backward_lines(stepper):
        sums += [m.groupdict() for m in FORK.finditer(text) if m["parent"] == "x"]
    assert [s["path"] for s in sums] == ["1", "2", "3"]
    assert float(sums[0]["before"]) == 0
    assert all(float(a["after"]) == float(b["before"]) for a, b in zip(sums, sums[1:]))
    assert float(sums[-1]["after"]) == 2 * 2.0 + 1  # d(x^2 + x)/dx at 2


def test_frames_are_start_then_one_per_forward_then_one_per_backward_step():
    f = circuit()
    stepper = GraphStepper(f)
    n = len(topological_order(f))
    phases = [fr.phase for fr in stepper.steps]
    assert phases == ["start"] + ["forward"] * n + ["backward"] * (n - 1) + ["done"]
    forward_nodes = [fr.node for fr in stepper.steps[1 : n + 1]]
    backward_nodes = [fr.node for fr in stepper.steps[n + 1 :]]
    assert forward_nodes == list(range(n)) and backward_nodes == list(reversed(range(n)))


def node_geometry(svg: str) -> dict[str, list]:
    """Every drawn shape's coordinates, by the id of the node/edge/cluster group it belongs to."""
    root = ET.fromstring(svg)
    geometry = {}
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        ident = group.get("id")
        if not ident or group.get("class") not in ("node", "edge", "cluster"):
            continue
        shapes = []
        for el in group.iter():
            for attr in ("cx", "cy", "rx", "points", "d", "x", "y"):
                if el.get(attr) is not None:
                    shapes.append((el.tag.split("}")[1], attr, el.get(attr)))
        geometry[ident] = shapes
    return geometry


def cell_positions(svg: str) -> list[tuple[str, str]]:
    root = ET.fromstring(svg)
    return [(r.get("x"), r.get("y")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]


@pytest.mark.parametrize("style", ["circuit", "nodes"])
def test_no_node_moves_between_frames(style):
    stepper = GraphStepper(staged(), style=style)
    stepper.last()
    final_geometry = node_geometry(stepper.svg)
    final_cells = cell_positions(stepper.svg)
    assert len(final_geometry) > 20
    for i in range(len(stepper.steps)):
        stepper.goto(i)
        svg = stepper.svg
        assert node_geometry(svg) == final_geometry, f"frame {i} moved a node"
        cells = cell_positions(svg)
        assert cells == final_cells[: len(cells)], f"frame {i} put a number elsewhere"


def test_the_same_layout_and_steps_in_fresh_processes():
    here = str(Path(__file__).parent)
    script = textwrap.dedent(
        f"""
        import hashlib, sys
        sys.path.insert(0, {here!r})
        from test_frames import staged
        from widgets import GraphStepper
        s = GraphStepper(staged())
        h = hashlib.sha256()
        prefix = "bp" + s._id  # random per kernel (two notebooks may share a page): set aside
        for i in range(len(s.steps)):
            s.goto(i)
            h.update(s.svg.replace(prefix, "bp").encode()); h.update(s.narration.encode())
        s.collapsed = True
        h.update(s.svg.replace(prefix, "bp").encode())
        print(h.hexdigest(), len(s.steps), prefix)
        """
    )
    outputs = []
    for _ in range(2):
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout.split())
    (digest_a, steps_a, prefix_a), (digest_b, steps_b, prefix_b) = outputs
    assert (digest_a, steps_a) == (digest_b, steps_b) and len(digest_a) == 64
    assert prefix_a != prefix_b  # two kernels' steppers on one page never share ids


def test_each_frame_is_a_small_stylesheet_over_one_fixed_svg():
    stepper = GraphStepper(staged())
    live = stepper.view.value
    for i in range(len(stepper.steps)):
        stepper.goto(i)
        assert stepper.view.value == live  # the SVG never changes
        css = stepper.style_html.value
        frame = stepper.steps[i]
        if frame.values_shown:
            assert f".bp-values>g:nth-child(-n+{frame.values_shown})" in css
        if frame.grads_shown:
            assert f".bp-grads>g:nth-child(-n+{frame.grads_shown})" in css
    assert len(stepper.style_html.value) < 3000
