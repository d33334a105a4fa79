"""The layout back ends of widgets/render.py: `dot` where it runs, viz.js (wasm) in Pyodide, else a message.

Pyodide cannot be imported here, so these tests stand in for its `js` and `pyodide.ffi` modules: the fake
viz.js instance lays out with the real `dot` program, which is what viz.js is (Graphviz, compiled to wasm).
The real thing runs in Chromium in tests/e2e/test_lite.py.
"""

from __future__ import annotations

import subprocess
import sys
import types
import xml.etree.ElementTree as ET

import pytest
from article_graphs import mse_loss

from widgets import GraphStepper, GraphvizNotFound, draw, render, wasm_layout

WORKER = "http://127.0.0.1:8000/lite/extensions/@jupyterlite/pyodide-kernel-extension/static/worker.js"
GLOBAL = "__backpropLabViz"


def svg_texts(svg: str) -> set[str]:
    return {"".join(t.itertext()).strip() for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")}


class FakeViz:
    """viz.js's instance: renderString(dot, {format, engine}) -> SVG (here by running the real `dot`)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def renderString(self, source: str, options: dict) -> str:  # noqa: N802 (viz.js's name)
        self.calls.append((source, options))
        assert options == {"format": "svg", "engine": "dot"}
        return subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                              check=True).stdout.decode()


class JsException(Exception):
    pass


@pytest.fixture
def browser(monkeypatch):
    """This Python pretends to be Pyodide: sys.platform 'emscripten' and fake `js` / `pyodide.ffi` modules."""
    js = types.SimpleNamespace(location=types.SimpleNamespace(href=WORKER), evaluated=[],
                               Object=types.SimpleNamespace(fromEntries=dict))
    js.eval = lambda code: js.evaluated.append(code) or setattr(js, GLOBAL + "Promise", object())
    ffi = types.ModuleType("pyodide.ffi")
    ffi.to_js = lambda obj, dict_converter: dict_converter(obj.items())
    ffi.JsException = JsException
    ffi.can_run_sync = lambda: False
    ffi.run_sync = None
    pyodide = types.ModuleType("pyodide")
    pyodide.ffi = ffi
    monkeypatch.setitem(sys.modules, "js", js)
    monkeypatch.setitem(sys.modules, "pyodide", pyodide)
    monkeypatch.setitem(sys.modules, "pyodide.ffi", ffi)
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.delenv(render.BACKEND_VARIABLE, raising=False)
    monkeypatch.delenv(wasm_layout.URL_VARIABLE, raising=False)
    render.clear_cache()
    yield types.SimpleNamespace(js=js, ffi=ffi)
    render.clear_cache()


def test_the_back_end_is_chosen_by_platform_and_can_be_forced(monkeypatch):
    monkeypatch.delenv(render.BACKEND_VARIABLE, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert render.layout_backend() == "dot"
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert render.layout_backend() == "wasm"
    monkeypatch.setenv(render.BACKEND_VARIABLE, "dot")
    assert render.layout_backend() == "dot"
    monkeypatch.setenv(render.BACKEND_VARIABLE, "svgz")
    with pytest.raises(ValueError, match="use one of dot, wasm"):
        render.layout_backend()


def test_in_the_browser_the_stepper_lays_out_with_viz_js(browser):
    viz = FakeViz()
    setattr(browser.js, GLOBAL + "Instance", viz)
    stepper = GraphStepper(mse_loss())
    while stepper.phase != "done":
        stepper.next()
    texts = svg_texts(stepper.svg)
    assert {"196.0000", "112.0000", "-84.0000", "28.0000"} <= texts
    assert len(viz.calls) >= 1 and all(source.startswith("digraph") for source, _ in viz.calls)
    bundle = draw(mse_loss())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"] and len(viz.calls) >= 2


def test_the_viz_js_url_is_the_sites_static_folder_unless_configured(browser, monkeypatch):
    assert wasm_layout.viz_url() == "http://127.0.0.1:8000/lite/static/viz/viz.js"
    monkeypatch.setenv(wasm_layout.URL_VARIABLE, "https://example.org/viz.js")
    assert wasm_layout.viz_url() == "https://example.org/viz.js"


def test_loading_imports_viz_js_once(browser):
    wasm_layout.start_loading()
    wasm_layout.start_loading()
    assert len(browser.js.evaluated) == 1
    code = browser.js.evaluated[0]
    assert 'import("http://127.0.0.1:8000/lite/static/viz/viz.js")' in code and "m.instance()" in code


def test_viz_js_that_failed_to_load_gets_a_clear_message(browser):
    setattr(browser.js, GLOBAL + "Promise", object())
    setattr(browser.js, GLOBAL + "Error", "could not load .../viz.js: TypeError: Failed to fetch")
    loaded = r"runs inside the browser[^\n]* \(viz\.js\) could not be loaded"
    with pytest.raises(GraphvizNotFound, match=loaded):
        render.svg_from_dot("digraph { a -> b }")
    bundle = draw(mse_loss())._repr_mimebundle_()
    assert "Failed to fetch" in bundle["text/plain"] and "static/viz/viz.js" in bundle["text/plain"]
    assert "image/svg+xml" not in bundle


def test_viz_js_still_loading_waits_with_run_sync_where_the_browser_has_it(browser):
    viz = FakeViz()
    setattr(browser.js, GLOBAL + "Promise", "the promise")
    waited = []

    def run_sync(promise):
        waited.append(promise)
        setattr(browser.js, GLOBAL + "Instance", viz)

    browser.ffi.can_run_sync = lambda: True
    browser.ffi.run_sync = run_sync
    assert "<svg" in render.svg_from_dot("digraph { a -> b }")
    assert waited == ["the promise"] and len(viz.calls) == 1


def test_viz_js_still_loading_without_run_sync_says_run_the_cell_again(browser):
    setattr(browser.js, GLOBAL + "Promise", "the promise")
    with pytest.raises(GraphvizNotFound, match="still loading: run this cell again"):
        render.svg_from_dot("digraph { a -> b }")


def test_a_bad_graph_in_viz_js_is_a_runtime_error_not_a_js_traceback(browser):
    class Broken:
        def renderString(self, source, options):  # noqa: N802
            raise JsException("Error: syntax error in line 1")

    setattr(browser.js, GLOBAL + "Instance", Broken())
    with pytest.raises(RuntimeError, match="viz.js could not lay out this graph: Error: syntax error"):
        render.svg_from_dot("digraph { a -> }")


def test_a_python_that_cannot_start_programs_gets_a_message_not_oserror_138(monkeypatch):
    """Pyodide's subprocess raises OSError errno 138, not FileNotFoundError."""
    def no_processes(*args, **kwargs):
        raise OSError(138, "emscripten does not support processes")

    monkeypatch.setenv(render.BACKEND_VARIABLE, "dot")
    monkeypatch.setattr(subprocess, "run", no_processes)
    render.clear_cache()
    try:
        with pytest.raises(GraphvizNotFound, match=r"cannot start programs \(\[Errno 138\] emscripten"):
            render.svg_from_dot("digraph { a -> b }")
        bundle = draw(mse_loss())._repr_mimebundle_()
        assert "JupyterLite (Pyodide)" in bundle["text/plain"]
    finally:
        render.clear_cache()


def test_outside_a_browser_forcing_wasm_says_there_is_no_browser(monkeypatch):
    monkeypatch.setenv(render.BACKEND_VARIABLE, "wasm")
    monkeypatch.delitem(sys.modules, "js", raising=False)
    render.clear_cache()
    with pytest.raises(GraphvizNotFound, match="not running in a browser"):
        render.svg_from_dot("digraph { a -> b }")
