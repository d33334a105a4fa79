"""The real notebooks' metadata is what JupyterLab's kernel reports, so opening one changes nothing but
the Python patch version (which no stored file can know)."""

from __future__ import annotations

import time

import pytest
from e2e.harness import JS_KERNEL_IDLE, JS_PANEL, copy_notebooks, jupyter_server

pytestmark = pytest.mark.browser

NOTEBOOKS = ["00_start_here.ipynb", "04_forward_builds_the_graph.ipynb", "08_tensors.ipynb"]

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean")
    copy_notebooks(root)
    with jupyter_server("lab", root, tmp_path_factory.mktemp("clean-home")) as server:
        yield server


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_notebook_opens_unmodified(lab, page, name):
    """JupyterLab marks a notebook modified when the kernel's kernelspec or language_info differ from the
    file's: the files store what ipykernel reports, so only the Python patch version can differ (the
    files say "3.11", as binder/runtime.txt; a kernel says e.g. "3.11.7")."""
    import json

    path = f"notebooks/{name}"
    page.goto(lab.page_url(path))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=60_000)
    page.wait_for_function(JS_KERNEL_IDLE, arg=path, timeout=60_000, polling=100)
    time.sleep(2)  # the kernel's language_info arrives after idle
    shown = json.loads(page.evaluate(
        "(path) => {" + JS_PANEL + "return JSON.stringify(panelOf(path).context.model.toJSON().metadata); }",
        path))
    stored = json.loads((lab.root / path).read_text(encoding="utf-8"))["metadata"]
    assert shown["kernelspec"] == stored["kernelspec"]
    version = shown["language_info"].pop("version")
    assert version.startswith(stored["language_info"].pop("version"))
    assert shown["language_info"] == stored["language_info"]
