"""Drive a real Jupyter server (JupyterLab or Notebook 7) in headless Chromium and look at the widgets."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI") == "true"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "e2e" / "artifacts"
CHROMIUM = os.environ.get("BACKPROP_LAB_CHROMIUM", "/usr/bin/chromium")
# The flags verified for Debian's Chromium as root in a container (see docs/testing.md).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 720}
NEXT_TARGET_S = 0.25

# (what, seconds) for every timing measured in this run; printed in pytest's terminal summary.
TIMINGS: list[tuple[str, float]] = []


def record_timing(what: str, seconds: float, note: str = "") -> None:
    """Remember a timing for the end-of-run summary (and print it, for `pytest -s`)."""
    TIMINGS.append((what if not note else f"{what} ({note})", seconds))
    print(f"[e2e timing] {what}: {seconds:.3f} s {note}")


def need_chromium() -> str:
    """The Chromium executable, or a skip with the reason (in CI a failure: CI must run these tests)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    why = f"Chromium not found at {CHROMIUM} (Debian/Ubuntu: apt-get install chromium chromium-driver)"
    if IN_CI:
        pytest.fail(f"{why}; CI=true, so browser tests must run, not skip")
    pytest.skip(why)


def need_playwright():
    """The Playwright sync API, or a skip with the reason (in CI a failure)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is not installed but CI=true: pip install -e '.[test]'")
        pytest.skip("playwright is not installed (pip install -e '.[test]'); never `playwright install`")
    return sync_playwright


_SHARED: dict[str, object] = {}


@pytest.fixture(scope="session")
def browser(request):
    """One headless Chromium (Debian's, never a downloaded one) for the whole session.

    Modules outside tests/e2e import this fixture; they all get the same browser, because Playwright's
    sync API cannot run a second instance in the same thread while one is open.
    """
    if "browser" not in _SHARED:
        executable = need_chromium()
        sync_playwright = need_playwright()
        t0 = time.monotonic()
        pw = sync_playwright().start()
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        record_timing("chromium launch", time.monotonic() - t0)
        _SHARED.update(browser=b, playwright=pw)

        def close() -> None:
            _SHARED.pop("browser").close()
            _SHARED.pop("playwright").stop()

        request.config.add_cleanup(close)
    return _SHARED["browser"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quiet_lab_settings(settings_dir: Path) -> None:
    """Silence the news toast and render every cell (no virtual scrolling), so pages are deterministic."""
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for rel, value in settings.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def isolated_jupyter_env(home: Path) -> dict[str, str]:
    """Environment variables that keep a server's settings, workspaces and runtime files inside `home`."""
    dirs = {
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab-workspaces",
        "IPYTHONDIR": home / "ipython",
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    quiet_lab_settings(dirs["JUPYTERLAB_SETTINGS_DIR"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update({k: str(v) for k, v in dirs.items()})
    env["BROWSER"] = "true"  # if anything tries to open a browser, it runs `true` instead
    env["PYTHONUNBUFFERED"] = "1"
    return env


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None,
              log: Path | None = None) -> None:
    """Wait until `url` answers 200; fail early (with the server's log) if the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-4000:] if log and log.exists() else ""
            raise AssertionError(f"the server exited with code {proc.returncode} before answering:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    tail = log.read_text()[-4000:] if log and log.exists() else ""
    raise AssertionError(f"no answer from {url} after {timeout:.0f} s:\n{tail}")


def stop_process_group(proc: subprocess.Popen, grace: float = 10) -> None:
    """Stop a process started with start_new_session=True and everything it started (kernels too)."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        if sig == signal.SIGINT:  # jupyter asks "Shutdown this Jupyter server (y/[n])?" on one ^C
            time.sleep(0.2)
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass
class JupyterServer:
    """A running `jupyter lab` or `jupyter notebook` serving `root` on 127.0.0.1 with a token."""

    app: str
    url: str
    token: str
    root: Path
    proc: subprocess.Popen
    log: Path
    name: str = ""  # how timings name this server, e.g. "binder lab"; the app by default

    def __post_init__(self) -> None:
        self.name = self.name or self.app

    def page_url(self, notebook: str) -> str:
        if self.app == "lab":  # a new workspace per page: no tab restored from an earlier test
            return f"{self.url}/lab/workspaces/t{secrets.token_hex(4)}/tree/{notebook}?token={self.token}"
        return f"{self.url}/notebooks/{notebook}?token={self.token}"

    def log_tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


@contextmanager
def jupyter_server(app: str, root: Path, home: Path, python: str = sys.executable,
                   timeout: float = 120, name: str = "") -> Iterator[JupyterServer]:
    """Start JupyterLab (app="lab") or Notebook 7 (app="notebook") from `python`'s environment."""
    assert app in ("lab", "notebook"), app
    home.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    module = "jupyterlab" if app == "lab" else "notebook"
    cmd = [python, "-m", module, "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--expose-app-in-browser"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = home / f"{app}-server.log"
    t0 = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=isolated_jupyter_env(home), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    server = JupyterServer(app, f"http://127.0.0.1:{port}", token, root, proc, log, name)
    try:
        wait_http(f"{server.url}/api/status?token={token}", timeout, proc, log)
        record_timing(f"{server.name} server start", time.monotonic() - t0)
        yield server
    finally:
        stop_process_group(proc)


def copy_worktree(dest: Path) -> Path:
    """Copy what a clone of this work tree would hold (tracked and unignored files) into `dest`.

    Like a fresh clone, but it includes changes not yet committed, so a developer tests what they have;
    CI runs in a fresh clone, where the two are the same.
    """
    listing = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                             capture_output=True, check=True).stdout.decode()
    for rel in filter(None, listing.split("\0")):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def copy_notebooks(dest: Path, names: list[str] | None = None) -> Path:
    """Copy the repo's notebooks/ into `dest` (the server's root), so runs never write into the repo."""
    src = REPO / "notebooks"
    target = dest / "notebooks"
    shutil.copytree(src, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target


# ---- in-page JavaScript --------------------------------------------------------------------------

# What a student sees of one stepper's drawing: the text of the SVG and the computed style of every
# drawn element. It changes when a frame restyles the SVG, whatever mechanism the frame uses.
JS_DRAWING = """
(root) => {
  const view = root.querySelector('.bp-view');
  const svg = view && view.querySelector('svg');
  if (!svg) return null;
  const parts = [];
  for (const el of svg.querySelectorAll('text, path, polygon, ellipse, polyline, rect')) {
    const cs = getComputedStyle(el);
    parts.push([el.tagName, el.textContent, cs.display, cs.visibility, cs.opacity, cs.fill, cs.stroke,
                cs.strokeWidth, cs.fontWeight].join('|'));
  }
  return parts.join('\\n');
}
"""

JS_TEXT = "(root, sel) => { const e = root.querySelector(sel); return e ? e.innerText : null; }"

# Click the root's Next button and resolve with the milliseconds until both the drawing and the
# narration have changed in the page (the full round trip: browser -> kernel -> browser).
JS_NEXT_ROUND_TRIP = """
async ([root, drawingSrc]) => {
  const drawing = eval(drawingSrc);
  const narration = () => { const e = root.querySelector('.bp-narration'); return e ? e.innerText : ''; };
  const d0 = drawing(root), n0 = narration();
  const t0 = performance.now();
  root.querySelector('.bp-next').click();
  return await new Promise((resolve) => {
    const check = () => {
      if (drawing(root) !== d0 && narration() !== n0) { resolve(performance.now() - t0); return true; }
      return false;
    };
    const obs = new MutationObserver(() => { if (check()) obs.disconnect(); });
    obs.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => { obs.disconnect(); resolve(-1); }, 10000);
  });
}
"""

# The notebook panel showing `path` (found by path, not by focus: a restored tab may take the focus).
JS_PANEL = """
const panelOf = (path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const w of app.shell.widgets('main')) if (w.context && w.context.path === path && w.content) return w;
  return null;
};
const kernelOf = (w) => w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
"""

JS_KERNEL_IDLE = "(path) => {" + JS_PANEL + """
  const w = panelOf(path), kernel = kernelOf(w);
  return !!(kernel && kernel.status === 'idle' && w.content.widgets.length > 0);
}"""

JS_RUN_ALL = "(path) => {" + JS_PANEL + """
  const w = panelOf(path);
  window.jupyterapp.shell.activateById(w.id);
  window.jupyterapp.commands.execute('notebook:run-all-cells');
}"""

# All code cells have run, or one stopped with an error (the rest are then not run).
JS_RUN_FINISHED = "(path) => {" + JS_PANEL + """
  const w = panelOf(path), kernel = kernelOf(w);
  if (!kernel) return false;  // e.g. while a kernel restarts
  if (kernel.status === 'dead') return true;
  let pending = 0, failed = false;
  for (const cell of w.content.widgets) {
    if (cell.model.type !== 'code') continue;
    if (cell.model.executionCount === null && cell.model.sharedModel.getSource().trim()) pending += 1;
    for (const o of cell.model.outputs.toJSON()) if (o.output_type === 'error') failed = true;
  }
  return kernel.status === 'idle' && (pending === 0 || failed);
}"""

JS_FIRST_STEPPER_OR_DONE = "(path) => !!document.querySelector('.bp-stepper .bp-view svg') || (" \
    + JS_RUN_FINISHED + ")(path)"

JS_CELL_ERRORS = "(path) => {" + JS_PANEL + """
  const w = panelOf(path), kernel = kernelOf(w);
  const errors = [];
  if (kernel && kernel.status === 'dead') errors.push('the kernel died');
  w.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    for (const o of cell.model.outputs.toJSON()) {
      if (o.output_type === 'error') errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
    }
    if (cell.model.executionCount === null && cell.model.sharedModel.getSource().trim())
      errors.push(`cell ${i}: not run`);
  });
  return errors;
}"""


@dataclass
class NotebookRun:
    """One notebook opened in the browser and run top to bottom."""

    page: object
    name: str
    timings: dict[str, float] = field(default_factory=dict)

    def steppers(self):
        return self.page.locator(".bp-stepper")


def fail_on_dialog(page) -> None:
    """A modal dialog (e.g. "Select Kernel") means the notebook cannot run: say which."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        raise AssertionError(f"a dialog blocks the notebook: {dialog.first.inner_text()[:500]!r}")


def open_and_run(page, server: JupyterServer, notebook: str, timeout_s: float = 180) -> NotebookRun:
    """Open `notebook` (path relative to the server root), wait for its kernel, run all cells."""
    run = NotebookRun(page, notebook)
    t0 = time.monotonic()
    page.goto(server.page_url(notebook))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=60_000)
    try:
        page.wait_for_function(JS_KERNEL_IDLE, arg=notebook, timeout=60_000, polling=100)
    except Exception:
        fail_on_dialog(page)
        raise
    run.timings["notebook visible"] = time.monotonic() - t0
    record_timing(f"{server.name}: {notebook} visible, kernel idle", run.timings["notebook visible"])
    t1 = time.monotonic()
    page.evaluate(JS_RUN_ALL, notebook)
    # The first stepper can be drawn before the run ends: time it when there is one.
    page.wait_for_function(JS_FIRST_STEPPER_OR_DONE, arg=notebook, timeout=timeout_s * 1000, polling=50)
    if page.locator(".bp-stepper .bp-view svg").count():
        run.timings["first widget rendered"] = time.monotonic() - t1
        record_timing(f"{server.name}: {notebook} first stepper drawn (after run-all)",
                      run.timings["first widget rendered"])
    page.wait_for_function(JS_RUN_FINISHED, arg=notebook, timeout=timeout_s * 1000, polling=250)
    run.timings["all cells run"] = time.monotonic() - t1
    record_timing(f"{server.name}: {notebook} all cells run", run.timings["all cells run"])
    fail_on_dialog(page)
    errors = page.evaluate(JS_CELL_ERRORS, notebook)
    assert not errors, f"{notebook}: cells failed in {server.name}:\n" + "\n".join(errors)
    broken = page.locator(".jupyter-widgets-error-widget").count()
    assert not broken, f"{notebook}: {broken} widget(s) show the widget error icon instead of rendering"
    body = page.locator("body").inner_text()
    for bad in ("Error displaying widget", "Failed to load model class", "model not found"):
        assert bad not in body, f"{notebook}: the page says {bad!r}: a widget did not render"
    return run


# ---- checks on one stepper (the widgets contract's CSS classes) --------------------------------------

STEPPER_PARTS = (".bp-view svg", ".bp-narration", ".bp-next", ".bp-prev", ".bp-first", ".bp-last",
                 ".bp-play", ".bp-slider", ".bp-phase")


def missing_parts(stepper) -> list[str]:
    """The contract's parts that a rendered stepper lacks (empty when it rendered as a widget)."""
    return [sel for sel in STEPPER_PARTS if stepper.locator(sel).count() == 0]


def drawing(stepper) -> str | None:
    return stepper.evaluate(JS_DRAWING)


def text_of(stepper, selector: str) -> str:
    return stepper.locator(selector).first.inner_text()


def slider_index(stepper) -> int:
    """The frame index shown by the stepper's slider readout."""
    return int(text_of(stepper, ".bp-slider .widget-readout").strip())


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


JS_SETTLE = """
async (root, [quietMs, timeoutMs]) => await new Promise((resolve) => {
  let timer = setTimeout(() => { obs.disconnect(); resolve(true); }, quietMs);
  const obs = new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(() => { obs.disconnect(); resolve(true); }, quietMs);
  });
  obs.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
  setTimeout(() => { obs.disconnect(); resolve(false); }, timeoutMs);
})
"""


def settle(stepper, quiet_ms: int = 300, timeout_ms: int = 5000) -> None:
    """Wait until the stepper's page elements stop changing: one step arrives as several widget updates."""
    stepper.evaluate(JS_SETTLE, [quiet_ms, timeout_ms])


def next_round_trip(page, stepper, label: str) -> float:
    """Click Next; assert the drawing and the narration both change; return the round trip in seconds."""
    ms = page.evaluate(JS_NEXT_ROUND_TRIP, [stepper.element_handle(), JS_DRAWING])
    assert ms >= 0, f"{label}: clicking Next did not change both the drawn SVG and the narration"
    record_timing(f"Next round trip, {label}", ms / 1000)
    return ms / 1000


def go_to_start(stepper) -> None:
    first = stepper.locator(".bp-first").first
    if first.is_enabled():  # disabled when already at frame 0
        first.click()
    wait_until(lambda: slider_index(stepper) == 0, 10, "the First button to show frame 0")
    settle(stepper)


def check_play_pause(page, stepper, label: str) -> None:
    """Play advances the frames by itself; Pause stops them where they are."""
    go_to_start(stepper)
    play_pause = stepper.locator(".bp-play button").first
    play_pause.click()
    wait_until(lambda: slider_index(stepper) >= 2, 30, f"{label}: Play to advance two frames")
    play_pause.click()  # the same button pauses
    settle(stepper, quiet_ms=500)  # a tick already on its way to the kernel may still land
    paused_at = slider_index(stepper)
    time.sleep(1.5)
    assert slider_index(stepper) == paused_at, f"{label}: frames still advance after Pause"
    assert stepper.locator(".bp-play button .fa-play").count() == 1, f"{label}: Play button not back to play"


def check_stage_toggle(page, stepper, label: str) -> None:
    """The stage toggle redraws: the collapsed view has fewer drawn nodes, and toggling back restores it."""
    toggle = stepper.locator(".bp-stage-toggle").first
    target = toggle.locator("input") if toggle.locator("input").count() else toggle

    def nodes() -> int:
        return stepper.locator(".bp-view svg g.node").count()

    before_nodes, before_svg = nodes(), stepper.locator(".bp-view svg").first.inner_html()
    target.click()
    wait_until(lambda: stepper.locator(".bp-view svg").first.inner_html() != before_svg, 10,
               f"{label}: the stage toggle to redraw the graph")
    collapsed_nodes = nodes()
    assert collapsed_nodes != before_nodes, f"{label}: toggling stages kept {before_nodes} nodes"
    target.click()
    wait_until(lambda: nodes() == before_nodes, 10, f"{label}: toggling back to restore the expanded graph")


def steppers_where(page, selector: str):
    """The notebook's steppers that have a visible, enabled `selector` part."""
    found = []
    for i in range(page.locator(".bp-stepper").count()):
        stepper = page.locator(".bp-stepper").nth(i)
        part = stepper.locator(selector)
        if part.count() and part.first.is_visible() and part.first.is_enabled():
            found.append(stepper)
    return found


def check_stepper_basics(page, run: NotebookRun, label: str) -> None:
    """The notebook shows steppers as widgets (their own parts, a drawn graph), and Next steps the first."""
    steppers = run.steppers()
    assert steppers.count() > 0, f"{label}: no .bp-stepper on the page (a widget shown as text, or none)"
    for i in range(steppers.count()):
        # a VBox is on the page before its children have rendered: give them a moment
        try:
            wait_until(lambda i=i: not missing_parts(steppers.nth(i)), 30, "the stepper's parts")
        except AssertionError:
            pass
        missing = missing_parts(steppers.nth(i))
        assert not missing, f"{label}: stepper {i} lacks {missing}"
        drawn = steppers.nth(i).locator(".bp-view svg g.node").count()
        assert drawn > 0, f"{label}: stepper {i} draws no node"
    first = steppers.first
    first.scroll_into_view_if_needed()
    go_to_start(first)  # a notebook may have moved it to its last frame already
    next_round_trip(page, first, label)
