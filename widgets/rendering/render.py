"""Running graphviz: DOT text in, SVG text out, cached; `dot` where it runs, Graphviz-in-wasm in a browser.

Two layout back ends, chosen automatically (`layout_backend()`):
- "dot": the graphviz program, run as a subprocess (a normal Python: laptop, JupyterHub, Binder, Colab);
- "wasm": Graphviz compiled to WebAssembly (viz.js, see wasm_layout.py), when the kernel itself runs in
  the browser (Pyodide, as in JupyterLite), where no program can be started.
Where neither works, GraphvizNotFound says what to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import OrderedDict

import graphviz

from . import wasm_layout

INSTALL_HELP_NATIVE = (
    "Graphviz (the `dot` program) is not installed, so the graph cannot be drawn.\n"
    "Install it, then restart the kernel:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install -c conda-forge graphviz\n"
    "  Windows:        winget install graphviz  (or https://graphviz.org/download/), then add it to PATH\n"
    "(pip install graphviz installs only the Python bindings, not the program.)"
)

BROWSER_HELP = (
    "This Python runs inside the browser (Pyodide, as in JupyterLite), where the `dot` program cannot "
    "run, and Graphviz for the browser (viz.js) could not be loaded, so the graph cannot be drawn.\n"
    "A Backprop Lab JupyterLite site ships it at static/viz/viz.js (bash scripts/dev.sh lite builds one); "
    f"elsewhere set the environment variable {wasm_layout.URL_VARIABLE} to the URL of @viz-js/viz's "
    "dist/viz.js, then run the cell again.\n"
    "Or open the series where Python runs on a computer: Binder, JupyterHub, Colab or your own laptop."
)

NO_PROCESSES_HELP = (
    "This Python cannot start programs ({error}), so graphviz's `dot` cannot lay out the graph.\n"
    "Run the notebook in a Python that can (your laptop, JupyterHub, Binder, Colab), or in JupyterLite "
    "(Pyodide), where Backprop Lab draws with Graphviz for the browser instead."
)

BACKENDS = ("dot", "wasm")
BACKEND_VARIABLE = "BACKPROP_LAB_LAYOUT"  # "dot" or "wasm" forces a back end; unset: chosen automatically


def in_browser() -> bool:
    """True when this Python is Pyodide (a kernel in the browser: JupyterLite)."""
    return sys.platform == "emscripten"


def layout_backend() -> str:
    """The back end that lays out graphs here: "wasm" in the browser, "dot" elsewhere (or the forced one)."""
    forced = os.environ.get(BACKEND_VARIABLE, "").strip().lower()
    if forced:
        if forced not in BACKENDS:
            raise ValueError(f"{BACKEND_VARIABLE}={forced!r}: use one of {', '.join(BACKENDS)}, or unset it "
                             "to choose automatically")
        return forced
    return "wasm" if in_browser() else "dot"


# The message a widget shows when no graph can be drawn here (chosen once: the platform does not change).
INSTALL_HELP = BROWSER_HELP if in_browser() else INSTALL_HELP_NATIVE


class GraphvizNotFound(RuntimeError):
    """Graphviz cannot lay out graphs here (the message says why, and how to fix it)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or INSTALL_HELP)


_CACHE: OrderedDict[tuple[str, str], str] = OrderedDict()
_CACHE_SIZE = 16


# A layout that takes longer than this is stopped (and the graph drawn folded): the budget judges a
# graph by its shape before graphviz runs, but some shapes still take graphviz far longer.
# (viz.js cannot be stopped: in the browser the budget alone keeps layouts short.)
LAYOUT_TIMEOUT_S = 2.0


def svg_from_dot(source: str, engine: str = "dot") -> str:
    """The SVG graphviz draws for `source`; the same DOT text is laid out only once per process.

    `dot` gets LAYOUT_TIMEOUT_S seconds; past that it is stopped and GraphTooLarge says what to do.
    """
    key = (engine, source)
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached
    if layout_backend() == "wasm":
        try:
            svg = wasm_layout.svg_from_dot(source, engine)
        except wasm_layout.Unavailable as problem:
            raise GraphvizNotFound(f"{BROWSER_HELP}\n(viz.js: {problem})") from None
    else:
        svg = _svg_from_program(source, engine)
    _CACHE[key] = svg
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return svg


def _svg_from_program(source: str, engine: str) -> str:
    try:
        done = subprocess.run([engine, "-Tsvg"], input=source.encode("utf-8"), capture_output=True,
                              timeout=LAYOUT_TIMEOUT_S)
    except FileNotFoundError:
        raise GraphvizNotFound(INSTALL_HELP_NATIVE) from None
    except subprocess.TimeoutExpired:
        from ..planning.budget import OPTIONS, GraphTooLarge

        raise GraphTooLarge(
            f"graphviz did not finish laying out this graph in {LAYOUT_TIMEOUT_S:g} s (it was stopped). "
            f"{OPTIONS}"
        ) from None
    except OSError as problem:  # Pyodide: errno 138 "emscripten does not support processes"
        raise GraphvizNotFound(NO_PROCESSES_HELP.format(error=problem)) from None
    if done.returncode != 0:
        raise graphviz.CalledProcessError(done.returncode, [engine, "-Tsvg"], output=done.stdout,
                                          stderr=done.stderr)
    return done.stdout.decode("utf-8")


def clear_cache() -> None:
    _CACHE.clear()


if in_browser():
    wasm_layout.start_loading()  # viz.js loads while the student reads; the first drawing waits for it
