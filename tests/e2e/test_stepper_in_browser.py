"""The stepper as a student uses it: real JupyterLab and Notebook 7 pages in headless Chromium.

A notebook written by this test (the article's MSE example and its 2-D neuron, in known settings)
checks every interaction against numbers computed here; then the real notebooks are opened, run top
to bottom, and the same interactions are checked on the steppers they show.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from e2e.harness import (
    check_play_pause,
    check_stage_toggle,
    check_stepper_basics,
    copy_notebooks,
    go_to_start,
    jupyter_server,
    next_round_trip,
    open_and_run,
    settle,
    slider_index,
    steppers_where,
    text_of,
    wait_until,
)

from autograd_core import Value, stage  # noqa: F401 (used by the exec'd definitions)

pytestmark = pytest.mark.browser

# The article's numbers (ARTICLE.md rows 3 and 5), written out here, not computed by the code under test.
MSE_LOSS, MSE_DW, MSE_DX, MSE_DY = 196.0, 112.0, -84.0, 28.0

MSE_SOURCE = '''
def mse():
    """The article's MSE example with every node named: loss = (w*x - y)**2, w=3, x=-4, y=2."""
    w, x, y = Value(3.0, label="w"), Value(-4.0, label="x"), Value(2.0, label="y")
    wx = w * x
    wx.label = "wx"
    neg_y = -y
    neg_y.label = "neg_y"
    diff = wx + neg_y
    diff.label = "diff"
    loss = diff**2
    loss.label = "loss"
    return loss


def neuron():
    """The article's 2-D neuron, with the sigmoid as a stage: f = sigmoid(w0*x0 + w1*x1 + w2)."""
    w0, w1, w2 = Value(2.0, label="w0"), Value(-3.0, label="w1"), Value(-3.0, label="w2")
    x0, x1 = Value(-1.0, label="x0"), Value(-2.0, label="x1")
    z = w0 * x0 + w1 * x1 + w2
    with stage("sigmoid"):
        f = 1 / (1 + (-z).exp())
    f.label = "f"
    return f
'''
exec(MSE_SOURCE)  # the same definitions here, as the oracle for the predicted gradients

GENERATED_CELLS = [
    "from autograd_core import Value, stage\nfrom widgets import GraphStepper\n" + MSE_SOURCE,
    "GraphStepper(mse(), speed=300)",  # stepper 0: Next, Play/Pause, the numbers at the end
    "GraphStepper(mse(), predict=True)",  # stepper 1: predict mode
    "GraphStepper(neuron())",  # stepper 2: the stage toggle
    'GraphStepper(mse(), theme="projector")',  # stepper 3: the projector screenshot
]
REAL_NOTEBOOKS = ["00_start_here.ipynb", "04_forward_builds_the_graph.ipynb"]


def oracle_grads() -> dict[str, float]:
    """d loss / d node for every named node of mse(), from the engine's backward pass (checked below)."""
    loss = mse()  # noqa: F821 (defined by exec above)
    loss.backward()
    grads, stack, seen = {}, [loss], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        grads[node.label] = node.grad
        stack.extend(node._prev)
    assert (grads["w"], grads["x"], grads["y"]) == (MSE_DW, MSE_DX, MSE_DY)  # the article's numbers
    return grads


def write_generated_notebook(folder) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in GENERATED_CELLS]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "stepper_checks.ipynb")
    return "generated/stepper_checks.ipynb"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A copy of notebooks/ plus the generated notebook, in a temporary root (runs never touch the repo)."""
    root = tmp_path_factory.mktemp("served")
    copy_notebooks(root)
    write_generated_notebook(root / "generated")
    return root


@pytest.fixture(scope="module")
def lab(served, tmp_path_factory):
    with jupyter_server("lab", served, tmp_path_factory.mktemp("lab-home")) as server:
        yield server


def visible_numbers(stepper) -> list[float]:
    """Every number in the drawn SVG's text that a student can see (hidden '?'/value twins excluded)."""
    texts = stepper.evaluate("""(root) => {
        const out = [];
        for (const t of root.querySelectorAll('.bp-view svg text')) {
          let el = t, shown = true;
          while (el && el !== root) {
            const cs = getComputedStyle(el);
            if (cs.display === 'none' || cs.visibility === 'hidden' || cs.opacity === '0') shown = false;
            el = el.parentElement;
          }
          if (shown) out.push(t.textContent);
        }
        return out; }""")
    return [float(m) for t in texts for m in re.findall(r"[-\u2212]?\d+(?:\.\d+)?", t.replace("\u2212", "-"))]


def predict_prompt(stepper, label: str) -> str:
    """Press Next until the stepper asks for a gradient; return the node it asks about."""
    for _ in range(40):
        settle(stepper)  # the guess box is shown or hidden by an update that follows the step's own
        row = stepper.locator(".bp-guess")
        if row.count() and row.first.is_visible():
            asked = re.search(r"Predict \u2202\S+/\u2202(\S+) after", stepper.inner_text())
            assert asked, f"{label}: the guess box shows without saying which gradient to predict"
            return asked.group(1)
        before = slider_index(stepper)
        stepper.locator(".bp-next").first.click()
        wait_until(lambda b=before: slider_index(stepper) != b, 10, f"{label}: Next to move on")
    raise AssertionError(f"{label}: predict mode never asked for a gradient")


def type_guess(stepper, guess: str) -> str:
    """Type a guess and press Check; return the feedback shown (a right guess, or a second wrong one,
    moves on: to the step, or to the next gradient the same step reveals; a first wrong one gets a hint)."""
    before = text_of(stepper, ".bp-feedback").strip()
    stepper.locator(".bp-guess input").first.fill(guess)
    stepper.locator(".bp-guess-button").first.click()
    settle(stepper)
    return wait_until(lambda: (t := text_of(stepper, ".bp-feedback").strip()) and t != before and t, 10,
                      "feedback on the guess")


def check_predict_wrong_guess(stepper, label: str) -> None:
    """A typed wrong guess is read and answered 'not quite' with a hint (the numbers to multiply), not the
    answer; "Show me" then gives the arithmetic and moves on."""
    predict_prompt(stepper, label)
    index = slider_index(stepper)
    feedback = type_guess(stepper, "123456.5")
    assert "Not quite" in feedback and "123456.5" in feedback, f"{label}: feedback {feedback!r}"
    assert "Hint" in feedback and "+=" not in feedback, f"{label}: no hint first: {feedback!r}"
    assert slider_index(stepper) == index, f"{label}: a first wrong guess must not reveal the step"
    before = feedback
    stepper.locator(".bp-reveal").first.click()
    shown = wait_until(lambda: (t := text_of(stepper, ".bp-feedback").strip()) != before and t, 10,
                       "Show me to answer")
    assert "=" in shown, f"{label}: Show me does not show the arithmetic: {shown!r}"


def screenshot(page, stepper, path_stem, artifacts) -> None:
    stepper.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{path_stem}-page.png"))
    stepper.screenshot(path=str(artifacts / f"{path_stem}-stepper.png"))


def test_generated_notebook_in_jupyterlab(lab, page, artifacts):
    """Every interaction on steppers in known settings, checked against the article's numbers."""
    run = open_and_run(page, lab, "generated/stepper_checks.ipynb")
    check_stepper_basics(page, run, "lab generated")
    steppers = run.steppers()
    assert steppers.count() == 4
    light, predicting, staged, projector = (steppers.nth(i) for i in range(4))

    # Next: the drawing and the narration change each time (three more round trips for the timing log).
    for _ in range(3):
        next_round_trip(page, light, "lab generated MSE")
    screenshot(page, light, "lab-generated-light-step4", artifacts)
    check_play_pause(page, light, "lab generated MSE")

    # The last frame shows the article's numbers in the drawing itself.
    light.locator(".bp-last").first.click()
    wait_until(lambda: "done" in text_of(light, ".bp-phase"), 10, "the last frame")
    shown = wait_until(lambda: (n := visible_numbers(light)) and MSE_DW in n and n, 10, "112 to be drawn")
    for number in (MSE_LOSS, MSE_DW, MSE_DX, MSE_DY):
        assert number in shown, f"{number} is not visible in the drawn SVG at the last frame: {shown}"
    go_to_start(light)
    assert MSE_DW not in visible_numbers(light), "a gradient is visible before anything was computed"

    # Predict mode: a right guess is accepted, a wrong one is answered with the right arithmetic.
    expected = oracle_grads()
    asked = predict_prompt(predicting, "lab predict")
    right = expected[asked]
    feedback = type_guess(predicting, f"{right:g}")
    assert feedback.startswith("Right"), f"guessing d loss/d {asked} = {right:g} got {feedback!r}"
    check_predict_wrong_guess(predicting, "lab predict")

    # The stage toggle: the sigmoid stage drawn as one gate, then expanded again.
    check_stage_toggle(page, staged, "lab neuron")
    screenshot(page, staged, "lab-generated-neuron-expanded", artifacts)

    projector.locator(".bp-last").first.click()
    wait_until(lambda: "done" in text_of(projector, ".bp-phase"), 10, "the projector stepper's last frame")
    screenshot(page, projector, "lab-generated-projector-done", artifacts)
    assert not page.console_errors or all("favicon" in e for e in page.console_errors), page.console_errors


def check_real_notebook(page, server, notebook: str, artifacts, label: str) -> None:
    run = open_and_run(page, server, f"notebooks/{notebook}")
    check_stepper_basics(page, run, label)
    stem = f"{server.app}-{notebook.removesuffix('.ipynb')}"
    first = run.steppers().first
    screenshot(page, first, f"{stem}-first-stepper", artifacts)

    not_predicting = [s for s in steppers_where(page, ".bp-play")
                      if not s.locator(".bp-predict input").first.is_checked()]
    assert not_predicting, f"{label}: every stepper is in predict mode; none to play"
    check_play_pause(page, not_predicting[0], label)

    predicting = [s for s in steppers_where(page, ".bp-predict input")
                  if s.locator(".bp-predict input").first.is_checked()]
    if predicting:
        go_to_start(predicting[0])
        check_predict_wrong_guess(predicting[0], f"{label} (predict stepper)")
    else:  # a student can switch predict mode on: do that on the first stepper
        first.locator(".bp-predict input").first.check()
        go_to_start(first)
        check_predict_wrong_guess(first, f"{label} (predict switched on)")

    staged = steppers_where(page, ".bp-stage-toggle")
    if staged:
        check_stage_toggle(page, staged[0], label)
    last = run.steppers().nth(run.steppers().count() - 1)
    last.locator(".bp-last").first.click()
    screenshot(page, last, f"{stem}-last-stepper-done", artifacts)


@pytest.mark.parametrize("notebook", REAL_NOTEBOOKS)
def test_real_notebook_in_jupyterlab(lab, page, artifacts, notebook):
    check_real_notebook(page, lab, notebook, artifacts, f"lab {notebook}")


def test_start_here_in_notebook7(served, tmp_path_factory, page, artifacts):
    with jupyter_server("notebook", served, tmp_path_factory.mktemp("nb7-home")) as server:
        check_real_notebook(page, server, "00_start_here.ipynb", artifacts, "notebook7 00_start_here")
