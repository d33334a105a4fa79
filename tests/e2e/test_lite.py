"""The JupyterLite site in headless Chromium, offline: no server, no request beyond 127.0.0.1.

The site is built fresh (scripts/build_lite.py) into a temporary folder and served by a static file
server on 127.0.0.1. Every request the page and its workers make is logged; anything not for 127.0.0.1
is aborted. Every notebook that needs no numpy (00-05) runs top to bottom in the Pyodide kernel, its
first stepper steps (drawn by viz.js, Graphviz in wasm), and an exercise is answered in the page (a wrong
answer in 00 first) and its feedback read. The notebooks that need numpy or matplotlib (06-09) show,
offline, the site's own message (scripts/lite/backprop_lab_lite.py): what could not be fetched from
Pyodide's CDN and what to do. Screenshots go to tests/e2e/artifacts/lite-*.png.
Needs the `lite` extra (pip install -e '.[lite]') and npm; skips with the reason otherwise.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse

import pytest
from e2e.harness import (
    ARTIFACTS,
    JS_CELL_ERRORS,
    JS_KERNEL_IDLE,
    JS_PANEL,
    JS_RUN_ALL,
    JS_RUN_FINISHED,
    REPO,
    VIEWPORT,
    NotebookRun,
    check_stepper_basics,
    record_timing,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NO_NUMPY = ["00_start_here", "01_circuits_and_gradients", "02_function_to_graph", "03_staged_computation",
            "04_forward_builds_the_graph", "05_backward_and_topological_sort"]
# What the first import cell of a numpy notebook fails on offline: 06 for matplotlib (07 and 09 start with
# the same `import matplotlib.pyplot as plt`), 08 for numpy. Each page load boots a Pyodide kernel (~20 s).
NEEDS_NUMPY = {"06_gradient_descent": "matplotlib", "08_tensors": "numpy"}


def _fill_module():
    spec = importlib.util.spec_from_file_location("fill", REPO / "notebooks" / "solutions" / "fill.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fill = _fill_module()

# Replace one cell's source and run it (JupyterLab's own command, as a student's Shift+Enter would).
JS_RUN_CELL = "async (args) => {" + JS_PANEL + """
  const [path, index, source] = args;
  const w = panelOf(path);
  const cell = w.content.widgets[index];
  cell.model.sharedModel.setSource(source);
  w.content.activeCellIndex = index;
  await window.jupyterapp.commands.execute('notebook:run-cell');
}"""

# The text a student reads in one cell's outputs (plain text of displays and streams, tracebacks).
JS_CELL_TEXT = "(args) => {" + JS_PANEL + """
  const [path, index] = args;
  const cell = panelOf(path).content.widgets[index];
  return cell.model.outputs.toJSON().map((o) => o.output_type === 'error' ? o.traceback.join('\\n')
    : o.output_type === 'stream' ? o.text : ((o.data || {})['text/plain'] || '')).join('\\n');
}"""


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json"}

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    # bash scripts/dev.sh test builds the site with a venv of its own (BACKPROP_LAB_LITE_PYTHON), so that
    # jupyterlite's JupyterLab extension never loads into the JupyterLab the other browser tests drive
    python = os.environ.get("BACKPROP_LAB_LITE_PYTHON") or sys.executable
    has_lite = subprocess.run([python, "-c", "import jupyterlite_core"], capture_output=True).returncode == 0
    if not has_lite or shutil.which("npm") is None:
        pytest.skip("the lite extra (pip install '.[lite]', or BACKPROP_LAB_LITE_PYTHON) and npm are needed")
    out = tmp_path_factory.mktemp("lite") / "_site"
    t0 = time.monotonic()
    subprocess.run([python, str(REPO / "scripts" / "build_lite.py"), "--output", str(out)],
                   check=True, cwd=REPO)
    record_timing("lite site build", time.monotonic() - t0)
    manifest = json.loads((out / "backprop-lab-site.json").read_text())
    print(f"[lite] site size {manifest['size_mb']} MB")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=out))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def offline_page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname
                  == "127.0.0.1" else route.abort())
    page = context.new_page()
    page.requests = requests
    yield page
    context.close()


def open_and_run(page, site: str, notebook: str) -> float:
    """Open a notebook, wait for the Pyodide kernel, run all; seconds from page load to the first stepper."""
    path = f"notebooks/{notebook}"
    t0 = time.monotonic()
    page.goto(f"{site}/lab/index.html?path={path}")
    page.wait_for_function(JS_KERNEL_IDLE, arg=path, timeout=180_000, polling=250)
    record_timing(f"lite: {notebook} kernel idle after page load", time.monotonic() - t0)
    page.evaluate(JS_RUN_ALL, path)
    page.wait_for_function(JS_RUN_FINISHED, arg=path, timeout=240_000, polling=250)
    record_timing(f"lite: {notebook} page load to all cells run", time.monotonic() - t0)
    first = -1.0
    if page.locator(".bp-stepper .bp-view svg").count():
        first = time.monotonic() - t0
    return first


def answer(page, notebook: str, index: int, source: str, expect: str) -> str:
    """Type `source` into cell `index`, run it, and return its feedback once it contains `expect`."""
    path = f"notebooks/{notebook}"
    before = page.evaluate(JS_CELL_TEXT, [path, index])
    page.evaluate(JS_RUN_CELL, [path, index, source])
    page.wait_for_function(f"(args) => ({JS_CELL_TEXT})(args).includes({json.dumps(expect)})",
                           arg=[path, index], timeout=60_000, polling=100)
    text = page.evaluate(JS_CELL_TEXT, [path, index])
    assert text != before, f"{notebook} cell {index}: the feedback did not change"
    return text


@pytest.mark.parametrize("name", NO_NUMPY)
def test_notebook_runs_offline_in_jupyterlite(site, offline_page, name):
    page = offline_page
    notebook = f"{name}.ipynb"
    first = open_and_run(page, site, notebook)
    assert page.evaluate(JS_CELL_ERRORS, f"notebooks/{notebook}") == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if name == "00_start_here":
        assert first > 0, "no stepper was drawn"
        record_timing("lite: 00_start_here page load to first stepper drawn (upper bound: after run-all)",
                      first)
    if page.locator(".bp-stepper").count():
        check_stepper_basics(page, NotebookRun(page, notebook), f"lite {name}")  # drawn, Next steps it
        page.set_viewport_size({"width": VIEWPORT["width"], "height": 1600})  # a tall stepper, whole
        page.locator(".bp-stepper").first.screenshot(path=str(ARTIFACTS / f"lite-{name}-stepper.png"))
        page.set_viewport_size(VIEWPORT)

    # An exercise answered in the page: as committed it says "not answered yet"; the solution is correct.
    nb = json.loads((REPO / "notebooks" / notebook).read_text())
    cell = fill.exercise_cells(nb)[-1 if name == "00_start_here" else 0]
    index = nb["cells"].index(cell)
    solutions = fill.load_solutions(fill.solution_file(REPO / "notebooks" / notebook))
    solution = solutions[cell["metadata"]["exercise"]]
    assert "not answered yet" in page.evaluate(JS_CELL_TEXT, [f"notebooks/{notebook}", index])
    if name == "00_start_here":  # df/da of f = a*b + c is b = -3: a wrong answer gets a hint, not the value
        wrong = answer(page, notebook, index, solution.replace("df_da = -3", "df_da = 3"), "\u2718")
        assert "not quite" in wrong and "Hint:" in wrong, wrong
        shot = ARTIFACTS / f"lite-{name}-exercise-wrong.png"
        page.locator(".jp-Cell").nth(index).screenshot(path=str(shot))
    right = answer(page, notebook, index, solution, "correct")
    assert "\u2714" in right and "\u2718" not in right, right
    page.locator(".jp-Cell").nth(index).screenshot(path=str(ARTIFACTS / f"lite-{name}-exercise.png"))

    outside = [u for u in page.requests if urlparse(u).hostname != "127.0.0.1"]
    assert outside == [], f"requests left 127.0.0.1: {outside[:10]}"


@pytest.mark.parametrize("name", NEEDS_NUMPY)
def test_a_numpy_notebook_offline_says_what_to_do(site, offline_page, name):
    page = offline_page
    notebook = f"{name}.ipynb"
    open_and_run(page, site, notebook)
    errors = page.evaluate(JS_CELL_ERRORS, f"notebooks/{notebook}")
    assert errors, f"{name} ran offline although it needs {NEEDS_NUMPY[name]}"
    package = NEEDS_NUMPY[name]
    message = f"{package} could not be fetched from Pyodide's package CDN (cdn.jsdelivr.net)"
    assert message in errors[0], errors
    nb = json.loads((REPO / "notebooks" / notebook).read_text())
    index = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    shown = page.evaluate(JS_CELL_TEXT, [f"notebooks/{notebook}", index])
    assert "What to do" in shown and "Restart Kernel" in shown and "00-05" in shown, shown
    assert "Traceback" not in shown and "No module named" not in shown, shown  # not the bare error
    page.locator(".jp-Cell").nth(index).screenshot(path=str(ARTIFACTS / f"lite-{name}-offline.png"))
    outside = {urlparse(u).hostname for u in page.requests} - {"127.0.0.1"}
    assert outside <= {"cdn.jsdelivr.net"}, outside  # only Pyodide's package CDN, and it was aborted
