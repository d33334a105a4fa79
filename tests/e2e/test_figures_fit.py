"""Every figure fits the cell it is taught in: JupyterLab at 1280x800 with the file browser open, and 1280x720
with the projector theme (issue "The classroom", item 1).

For every notebook of the series (the widest: 02's staged function, 03's neuron, 08's tensor graphs, 09's
sigmoid chain and its gradient check), 09 in Notebook 7, the projector staged function and 05's projector
sort player, the test steps every frame
and measures in the DOM: the current node's box lies inside the visible output area (the picture either
fits, or is laid out top to bottom, or pans to the node), every static figure lies inside it whole, and
no visible text is drawn below 13 px (18 px for the projector).
"""

from __future__ import annotations

import nbformat
import pytest
from e2e.harness import copy_notebooks, jupyter_server, open_and_run, record_timing, settle, wait_until

pytestmark = pytest.mark.browser

FLOOR_PX, PROJECTOR_FLOOR_PX = 13.0, 18.0
SLACK_PX = 1.0  # sub-pixel rounding of boxes

# What each picture of `root` (a stepper, a static drawing or a gradient check view) shows now: its
# visible area (the output area clipped by every scrolling or clipping box around the picture and by the
# window), where the picture and the current node are, and its smallest visible text. It measures every
# visible graphviz SVG, whatever holds it: a `.bp-fit` container or none.
JS_MEASURE = """(root) => {
  const out = [];
  const clip = (r, el) => ({left: Math.max(r.left, el.left), right: Math.min(r.right, el.right)});
  for (const svg of root.querySelectorAll('svg')) {
    if (!svg.getClientRects().length || !svg.querySelector('g.node, g.graph, text')) continue;
    const whole = svg.getBoundingClientRect();
    if (whole.width < 2) continue;
    let area = {left: 0, right: window.innerWidth};
    for (let el = svg.parentElement; el && el !== document.documentElement; el = el.parentElement) {
      const s = getComputedStyle(el);
      const clips = s.overflowX !== 'visible' || el.classList.contains('jp-OutputArea-output');
      if (clips) area = clip(area, el.getBoundingClientRect());
    }
    let least = Infinity, smallest = '';
    for (const t of svg.querySelectorAll('text')) {
      if (!t.getClientRects().length || !t.textContent.trim()) continue;  // hidden (a later frame's)
      const size = parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize);
      const px = size * t.getScreenCTM().a;
      if (px < least) { least = px; smallest = t.textContent.trim(); }
    }
    let current = null;
    const prefix = svg.id ? svg.id.replace(/-svg$/, '') : null;
    for (const style of root.querySelectorAll('.bp-style, style')) {
      if (current || !prefix) break;
      const m = style.textContent.match(new RegExp('#' + prefix + '-n(\\\\d+) >'));
      if (!m) continue;
      const rects = ['n', 'g'].map(k => svg.querySelector('#' + prefix + '-' + k + m[1]))
        .filter(Boolean).map(el => el.getBoundingClientRect()).filter(r => r.width > 0);
      if (rects.length) current = {node: m[1], left: Math.min(...rects.map(r => r.left)),
                                   right: Math.max(...rects.map(r => r.right))};
    }
    const holder = svg.closest('.bp-side');
    out.push({side: holder ? holder.className : 'one layout', area, least, smallest, current,
              whole: {left: whole.left, right: whole.right}});
  }
  return out;
}"""


def problems(measures: list[dict], floor: float, label: str, whole: bool) -> list[str]:
    """What a student would miss in these pictures: text below the floor, the current node (or, for a
    static figure, any part of it) outside the visible area."""
    found = [] if measures else [f"{label}: no picture found to measure"]
    for m in measures:
        area = m["area"]
        if m["least"] < floor - 0.05:
            found.append(f"{label}: text {m['smallest']!r} drawn at {m['least']:.1f} px (< {floor:g} px)")
        box = m["whole"] if whole or m["current"] is None else m["current"]
        if whole or m["current"] is not None:
            if box["left"] < area["left"] - SLACK_PX or box["right"] > area["right"] + SLACK_PX:
                what = "the figure" if whole or m["current"] is None else f"node n{m['current']['node']}"
                found.append(f"{label}: {what} spans {box['left']:.0f}..{box['right']:.0f} px, "
                             f"the visible area {area['left']:.0f}..{area['right']:.0f} px ({m['side']})")
    return found


def step_through(page, stepper, floor: float, label: str) -> tuple[list[str], int]:
    """Every frame of one stepper, from the first to the last, measured; returns problems and frames."""
    stepper.scroll_into_view_if_needed()
    predict = stepper.locator(".bp-predict input[type=checkbox]")
    if predict.count() and predict.first.is_checked():  # a predict-mode stepper waits for guesses
        predict.first.uncheck()
        settle(stepper, quiet_ms=150)
    first = stepper.locator(".bp-first").first
    if first.is_enabled():
        first.click()
    settle(stepper, quiet_ms=150)
    measures = stepper.evaluate(JS_MEASURE)
    found, frames, located = problems(measures, floor, f"{label} frame 0", whole=False), 1, 0
    next_button, style = stepper.locator(".bp-next").first, stepper.locator(".bp-style").first
    while next_button.is_enabled():
        before = style.inner_html()
        next_button.click()
        wait_until(lambda b=before: style.inner_html() != b, 10, f"{label}: a step")
        measures = stepper.evaluate(JS_MEASURE)
        found += problems(measures, floor, f"{label} frame {frames}", whole=False)
        located += any(m["current"] for m in measures)
        frames += 1
    if frames > 2 and located < (frames - 2) // 2:
        found.append(f"{label}: the current node was found in only {located} of {frames} frames")
    return found, frames


def first_backward(stepper) -> None:
    """Go to the first frame whose phase is the backward pass (where the highlighted gate used to hide)."""
    stepper.locator(".bp-first").first.click() if stepper.locator(".bp-first").first.is_enabled() else None
    for _ in range(400):
        if "backward" in stepper.locator(".bp-phase").first.inner_text().lower():
            break
        stepper.locator(".bp-next").first.click()
        settle(stepper, quiet_ms=80)
    settle(stepper, quiet_ms=400)


# The article's staged function (ARTICLE.md, "staged computation") and 05's loss, in the projector theme.
PROJECTOR_CELLS = [
    "from autograd_core import Value\nfrom widgets import GraphStepper, TopoSortPlayer\n"
    "def staged(x, y):\n"
    "    x, y = Value(x, label='x'), Value(y, label='y')\n"
    "    num = x + 1 / (1 + (-y).exp())\n"
    "    den = 1 / (1 + (-x).exp()) + (x + y) ** 2\n"
    "    f = num / den\n"
    "    f.label = 'f'\n"
    "    return f\n",
    'GraphStepper(staged(3.0, -4.0), theme="projector")',
    "w, x, y = Value(3.0, label='w'), Value(-4.0, label='x'), Value(2.0, label='y')\n"
    "wx = w * x\nwx.label = 'wx'\ndiff = wx - y\ndiff.label = 'diff'\nloss = diff ** 2\nloss.label = 'loss'\n"
    'TopoSortPlayer(loss, theme="projector")',
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("fit")
    copy_notebooks(root)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in PROJECTOR_CELLS]
    (root / "generated").mkdir()
    nbformat.write(nb, root / "generated" / "projector_fit.ipynb")
    with jupyter_server("lab", root, tmp_path_factory.mktemp("fit-home")) as server:
        yield server


def open_page(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def file_browser_width(page) -> float:
    """How wide JupyterLab's left panel (the file browser) is; 0 if it is closed."""
    return page.evaluate("""() => {
      const panel = document.querySelector('#jp-left-stack');
      return panel && panel.offsetParent !== null ? panel.getBoundingClientRect().width : 0;
    }""")


def notebook_width(page) -> float:
    return page.evaluate("() => document.querySelector('.jp-NotebookPanel').getBoundingClientRect().width")


def widen_file_browser(page, notebook_px: float = 848.0) -> float:
    """Drag the file browser's edge until the notebook is `notebook_px` wide, as Binder's JupyterLab opens
    at 1280 px (its file browser is wider than a fresh JupyterLab's). Returns the notebook's width."""
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    for _ in range(3):
        extra = notebook_width(page) - notebook_px
        if abs(extra) < 2:
            break
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + extra, y, steps=5)
        page.mouse.up()
        page.wait_for_timeout(300)
    return notebook_width(page)


# every notebook of the series (the issue names 02, 03, 08 and 09: the widest)
SERIES = ["00_start_here", "01_circuits_and_gradients", "02_function_to_graph", "03_staged_computation",
          "04_forward_builds_the_graph", "05_backward_and_topological_sort", "06_gradient_descent",
          "07_mini_framework", "08_tensors", "09_debugging_gradients"]


@pytest.mark.parametrize("notebook", SERIES)
def test_every_figure_fits_the_laptop_with_the_file_browser_open(lab, browser, artifacts, notebook):
    context, page = open_page(browser, 1280, 800)
    try:
        run = open_and_run(page, lab, f"notebooks/{notebook}.ipynb", timeout_s=300)
        page.add_style_tag(content="* { transition: none !important }")  # measure where a pan ends
        assert file_browser_width(page) > 150, "the file browser should be open, as Binder opens it"
        width = widen_file_browser(page)
        assert abs(width - 848) < 10, f"the notebook is {width:.0f} px wide, not 848 px as on Binder"
        found: list[str] = []
        statics = page.locator(".bp-drawing, .bp-gradcheck")
        for k in range(statics.count()):
            figure = statics.nth(k)
            figure.scroll_into_view_if_needed()
            found += problems(figure.evaluate(JS_MEASURE), FLOOR_PX, f"{notebook} figure {k}", whole=True)
        steppers = run.steppers()
        frames = 0
        for k in range(steppers.count()):
            more, n = step_through(page, steppers.nth(k), FLOOR_PX, f"{notebook} stepper {k}")
            found += more
            frames += n
        record_timing(f"fit: {notebook}: {steppers.count()} steppers, {frames} frames, {statics.count()} "
                      f"figures measured in a {width:.0f} px notebook", 0.0)
        widest = max(range(steppers.count()), key=lambda k: steppers.nth(k).locator("svg").first.evaluate(
            "s => s.viewBox.baseVal.width"), default=None)
        if widest is not None:
            first_backward(steppers.nth(widest))
            page.screenshot(path=str(artifacts / f"fit-{notebook[:2]}-first-backward-page.png"))
        assert not found, f"{len(found)} problems:\n" + "\n".join(found[:40])
    finally:
        context.close()


def test_the_projector_figures_fit_a_1280x720_screen(lab, browser, artifacts):
    context, page = open_page(browser, 1280, 720)
    try:
        run = open_and_run(page, lab, "generated/projector_fit.ipynb", timeout_s=120)
        page.add_style_tag(content="* { transition: none !important }")
        steppers = run.steppers()
        assert steppers.count() == 2, "the staged function's stepper and the sort player"
        found: list[str] = []
        for k, label in enumerate(["projector staged function", "projector sort player"]):
            more, _ = step_through(page, steppers.nth(k), PROJECTOR_FLOOR_PX, label)
            found += more
        for k, name in enumerate(["staged", "sort"]):
            first_backward(steppers.nth(k))
            steppers.nth(k).screenshot(path=str(artifacts / f"fit-projector-{name}-first-backward.png"))
        assert not found, f"{len(found)} problems:\n" + "\n".join(found[:40])
    finally:
        context.close()


def test_09s_figures_fit_notebook_7(browser, artifacts, tmp_path_factory):
    """Notebook 7 (no side panel, its own margins): 09's sigmoid chain and gradient checks fit too."""
    root = tmp_path_factory.mktemp("fit-nb7")
    copy_notebooks(root)
    with jupyter_server("notebook", root, tmp_path_factory.mktemp("fit-nb7-home")) as server:
        context, page = open_page(browser, 1280, 800)
        try:
            run = open_and_run(page, server, "notebooks/09_debugging_gradients.ipynb", timeout_s=300)
            page.add_style_tag(content="* { transition: none !important }")
            found: list[str] = []
            statics = page.locator(".bp-drawing, .bp-gradcheck")
            for k in range(statics.count()):
                statics.nth(k).scroll_into_view_if_needed()
                measures = statics.nth(k).evaluate(JS_MEASURE)
                found += problems(measures, FLOOR_PX, f"nb7 09 figure {k}", whole=True)
            steppers = run.steppers()
            for k in range(steppers.count()):
                found += step_through(page, steppers.nth(k), FLOOR_PX, f"nb7 09 stepper {k}")[0]
            assert statics.count() and steppers.count(), "09 shows figures and steppers"
            first_backward(steppers.nth(0))
            page.screenshot(path=str(artifacts / "fit-nb7-09-first-backward-page.png"))
            assert not found, f"{len(found)} problems:\n" + "\n".join(found[:40])
        finally:
            context.close()
