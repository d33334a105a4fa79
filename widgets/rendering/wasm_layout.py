"""Graphviz in the browser: lay out DOT with viz.js (Graphviz compiled to WebAssembly) from a Pyodide kernel.

viz.js (npm `@viz-js/viz`, MIT) is one ES module. Creating its instance is asynchronous (the wasm is
compiled); after that `renderString(dot, {format: "svg"})` is a plain synchronous call, which Python in
the kernel makes through Pyodide's `js` module. So the module is imported as soon as widgets load
(`start_loading`), and the first layout, if it comes before the instance is ready, waits for it with
`pyodide.ffi.run_sync` (stack switching, JSPI) where the browser has it.
"""

from __future__ import annotations

import json
import os
from typing import Any

URL_VARIABLE = "BACKPROP_LAB_VIZ_URL"
SITE_PATH = "static/viz/viz.js"  # where a Backprop Lab JupyterLite site ships viz.js

_GLOBAL = "__backpropLabViz"  # JS globals the loader fills: the promise, the instance, the error


class Unavailable(RuntimeError):
    """viz.js cannot be used here (not in a browser, not shipped, failed to load, or still loading)."""


def viz_url() -> str:
    """Where viz.js is: $BACKPROP_LAB_VIZ_URL, else static/viz/viz.js at the root of this JupyterLite site."""
    configured = os.environ.get(URL_VARIABLE, "").strip()
    if configured:
        return configured
    import js  # Pyodide's view of the page's (here: the kernel worker's) global scope

    here = str(js.location.href)
    # The kernel runs in a worker whose script lives under <site>/extensions/...; the site root is before it.
    root = here.split("/extensions/")[0] + "/" if "/extensions/" in here else here.rsplit("/", 1)[0] + "/"
    return root + SITE_PATH


def _js() -> Any:
    try:
        import js
    except ImportError:
        raise Unavailable("this Python is not running in a browser (no Pyodide `js` module)") from None
    return js


def start_loading() -> None:
    """Begin importing viz.js and creating its instance (asynchronous); safe to call more than once."""
    js = _js()
    if getattr(js, _GLOBAL + "Promise", None) is not None:
        return
    url = viz_url()
    js.eval(
        f"globalThis.{_GLOBAL}Promise = import({json.dumps(url)})"
        f".then(m => m.instance())"
        f".then(v => {{ globalThis.{_GLOBAL}Instance = v; return v; }},"
        f" e => {{ globalThis.{_GLOBAL}Error = 'could not load ' + {json.dumps(url)} + ': ' + e; }});"
    )


def _instance() -> Any:
    js = _js()
    start_loading()
    viz = getattr(js, _GLOBAL + "Instance", None)
    if viz is not None:
        return viz
    error = getattr(js, _GLOBAL + "Error", None)
    if error is None:
        try:
            from pyodide.ffi import can_run_sync, run_sync
        except ImportError:  # an older Pyodide
            can_run_sync = None
        if can_run_sync is not None and can_run_sync():
            run_sync(getattr(js, _GLOBAL + "Promise"))
            viz = getattr(js, _GLOBAL + "Instance", None)
            if viz is not None:
                return viz
            error = getattr(js, _GLOBAL + "Error", None)
        else:
            raise Unavailable("Graphviz for the browser is still loading: run this cell again in a moment")
    raise Unavailable(str(error))


def svg_from_dot(source: str, engine: str = "dot") -> str:
    """The SVG viz.js draws for `source` (same DOT, same SVG structure as the `dot` program's)."""
    viz = _instance()
    js = _js()
    from pyodide.ffi import JsException, to_js

    options = to_js({"format": "svg", "engine": engine}, dict_converter=js.Object.fromEntries)
    try:
        return str(viz.renderString(source, options))
    except JsException as problem:
        raise RuntimeError(f"viz.js could not lay out this graph: {problem}") from None
