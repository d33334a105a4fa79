"""The stepper in classic Notebook 6.5 + widgetsnbextension 3.6 + ipywidgets 7.7.1: Colab's widget stack.

Colab itself cannot run here; this is the closest stack that does. The server runs from the venv of
tests/colab_env.py (shared with tests/test_ipywidgets7.py) on 127.0.0.1 with a token and its own
config folders; Debian's Chromium opens 00_start_here, runs every cell, and the checks are the ones
the JupyterLab tests make: the stepper's own parts are on the page (not its repr text), Next changes the
drawn SVG and the narration, Play advances and Pause stops. Screenshot: artifacts/notebook6-00-stepper.png.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time

import colab_env
import pytest
from e2e.harness import (
    ARTIFACTS,
    NotebookRun,
    check_stepper_basics,
    copy_notebooks,
    free_port,
    go_to_start,
    isolated_jupyter_env,
    record_timing,
    settle,
    slider_index,
    stop_process_group,
    wait_http,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "notebooks/00_start_here.ipynb"

# Classic Notebook's page API (window.Jupyter), not JupyterLab's.
JS_KERNEL_IDLE = """() => {
  const nb = window.Jupyter && Jupyter.notebook;
  const icon = document.querySelector('#kernel_indicator_icon');
  return !!(nb && nb._fully_loaded && nb.kernel && nb.kernel.is_connected() && icon
            && icon.classList.contains('kernel_idle_icon'));
}"""

JS_RUN_FINISHED = """() => {
  const nb = Jupyter.notebook;
  const icon = document.querySelector('#kernel_indicator_icon');
  if (!icon || !icon.classList.contains('kernel_idle_icon')) return false;
  let pending = 0, failed = false;
  for (const cell of nb.get_cells()) {
    if (cell.cell_type !== 'code' || !cell.get_text().trim()) continue;
    if (typeof cell.input_prompt_number !== 'number') pending += 1;
    if (cell.output_area.outputs.some((o) => o.output_type === 'error')) failed = true;
  }
  return pending === 0 || failed;
}"""

JS_CELL_ERRORS = """() => {
  const errors = [];
  Jupyter.notebook.get_cells().forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    for (const o of cell.output_area.outputs)
      if (o.output_type === 'error') errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
  });
  return errors;
}"""


def play_then_pause(stepper) -> None:
    """Play advances the frames; Pause stops them. ipywidgets 7 draws play and pause as two buttons
    (8 toggles one): the pause button is the one showing the pause icon, in both."""
    go_to_start(stepper)
    stepper.locator(".bp-play button:has(.fa-play)").first.click()
    wait_until(lambda: slider_index(stepper) >= 2, 30, "Play to advance two frames")
    stepper.locator(".bp-play button:has(.fa-pause)").first.click()
    settle(stepper, quiet_ms=500)  # a tick already on its way to the kernel may still land
    paused_at = slider_index(stepper)
    time.sleep(1.5)
    assert slider_index(stepper) == paused_at, "frames still advance after Pause"


@pytest.fixture(scope="module")
def notebook6(tmp_path_factory):
    """(url, token) of Notebook 6.5 served from the ipywidgets 7 venv over a copy of notebooks/."""
    python, built = colab_env.ensure_venv()
    record_timing("ipywidgets 7 venv " + ("built" if built else "reused"), built)
    tmp = tmp_path_factory.mktemp("nb6")
    copy_notebooks(tmp)
    port, token = free_port(), secrets.token_hex(16)
    env = isolated_jupyter_env(tmp / "home")
    env.update({k: v for k, v in colab_env.env_for(python).items() if k in ("PATH", "PYTHONPATH")})
    cmd = [str(python), "-m", "notebook", "--no-browser", "--NotebookApp.ip=127.0.0.1",
           f"--NotebookApp.port={port}", "--NotebookApp.port_retries=0", f"--NotebookApp.token={token}",
           f"--NotebookApp.notebook_dir={tmp}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp / "notebook6.log"
    t0 = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/api/status?token={token}", 120, proc, log)
        record_timing("notebook 6.5 server start", time.monotonic() - t0)
        yield url, token, log
    finally:
        stop_process_group(proc)


def test_stepper_in_classic_notebook_6(notebook6, page):
    url, token, log = notebook6
    t0 = time.monotonic()
    page.goto(f"{url}/notebooks/{NOTEBOOK}?token={token}")
    page.wait_for_function(JS_KERNEL_IDLE, timeout=90_000, polling=100)
    record_timing("notebook 6.5: 00_start_here visible, kernel idle", time.monotonic() - t0)
    version, widgets_loaded = page.evaluate(
        "() => [Jupyter.version, require.defined('nbextensions/jupyter-js-widgets/extension')]")
    # Notebook 6.5 serves the classic page from nbclassic (its own version number, 1.x)
    assert "Jupyter Notebook 6.5." in log.read_text(errors="replace"), log.read_text()[-2000:]
    assert widgets_loaded, f"widgetsnbextension's front end is not loaded (classic page {version})"
    print(f"[notebook 6.5] classic page (nbclassic) {version}, widgetsnbextension loaded")
    t1 = time.monotonic()
    page.evaluate("() => Jupyter.notebook.execute_all_cells()")
    page.wait_for_function(JS_RUN_FINISHED, timeout=180_000, polling=250)
    record_timing("notebook 6.5: 00_start_here all cells run", time.monotonic() - t1)
    errors = page.evaluate(JS_CELL_ERRORS)
    assert not errors, "cells failed in Notebook 6.5:\n" + "\n".join(errors)
    body = page.locator("body").inner_text()
    for bad in ("Error displaying widget", "Failed to load model class", "model not found",
                "GraphStepper(children="):
        assert bad not in body, f"the page says {bad!r}: a widget did not render"

    run = NotebookRun(page, NOTEBOOK)
    check_stepper_basics(page, run, "notebook 6.5 00_start_here")  # its parts, a drawn graph, Next
    first = run.steppers().first
    play_then_pause(first)  # Play is what widgets/compat.py adapts
    first.locator(".bp-next").first.click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    first.scroll_into_view_if_needed()
    first.screenshot(path=str(ARTIFACTS / "notebook6-00-stepper.png"))
    page.screenshot(path=str(ARTIFACTS / "notebook6-00-page.png"))
    if page.console_errors:
        print("[notebook 6.5] console errors:", page.console_errors[:10])
