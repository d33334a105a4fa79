"""The JupyterLite site in headless Chromium, offline: no server, no request beyond 127.0.0.1.

The site is built fresh (scripts/build_lite.py) into a temporary folder and served by a static file
server on 127.0.0.1. Every request the page and its workers make is logged; anything not for 127.0.0.1
is aborted. Notebook 00 runs top to bottom in the Pyodide kernel, its stepper steps (drawn by viz.js,
Graphviz in wasm), an exercise is answered; notebook 08 (numpy) shows that numpy cannot load offline.
Needs the `lite` extra (pip install -e '.[lite]') and npm; skips with the reason otherwise.
"""

from __future__ import annotations

import functools
import http.server
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
    JS_RUN_ALL,
    JS_RUN_FINISHED,
    REPO,
    VIEWPORT,
    NotebookRun,
    check_stepper_basics,
    record_timing,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
    first = -1.0
    if page.locator(".bp-stepper .bp-view svg").count():
        first = time.monotonic() - t0
    return first


def test_start_here_runs_offline_in_jupyterlite(site, offline_page):
    page = offline_page
    first = open_and_run(page, site, "00_start_here.ipynb")
    assert first > 0, "no stepper was drawn"
    record_timing("lite: 00_start_here page load to first stepper drawn (upper bound: after run-all)", first)
    assert page.evaluate(JS_CELL_ERRORS, "notebooks/00_start_here.ipynb") == []
    check_stepper_basics(page, NotebookRun(page, "00_start_here.ipynb"), "lite 00_start_here")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".bp-stepper").first.screenshot(path=str(ARTIFACTS / "lite-00-first-stepper.png"))
    outside = [u for u in page.requests if urlparse(u).hostname != "127.0.0.1"]
    assert outside == [], f"requests left 127.0.0.1: {outside[:10]}"


def test_a_numpy_notebook_offline_says_numpy_is_missing(site, offline_page):
    page = offline_page
    open_and_run(page, site, "08_tensors.ipynb")
    errors = page.evaluate(JS_CELL_ERRORS, "notebooks/08_tensors.ipynb")
    assert errors and "No module named 'numpy'" in errors[0], errors
    outside = {urlparse(u).hostname for u in page.requests} - {"127.0.0.1"}
    assert outside <= {"cdn.jsdelivr.net"}, outside  # only Pyodide's package CDN, and it was aborted
