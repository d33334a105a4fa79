"""scripts/lite/backprop_lab_lite.py, the JupyterLite kernel's start-up extension, in a plain IPython shell.

The browser test (tests/e2e/test_lite.py) shows it in the site; here, fast: a package the site leaves to
Pyodide's CDN that cannot be imported fails the cell with the explanation, any other missing module
keeps IPython's usual traceback.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def shell(tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    source = ROOT / "scripts" / "lite" / "backprop_lab_lite.py"
    (tmp_path / source.name).write_text(source.read_text())
    cdn = "Pyodide's package CDN (cdn.jsdelivr.net)"
    (tmp_path / "backprop_lab_lite.json").write_text(json.dumps({"numpy_not_here": cdn}))
    spec = importlib.util.spec_from_file_location("backprop_lab_lite", tmp_path / source.name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ip = InteractiveShell.instance()
    shown = []
    monkeypatch.setattr(ip, "_showtraceback", lambda etype, val, stb: shown.append((etype, str(val), stb)))
    module.load_ipython_extension(ip)
    yield ip, shown
    ip.set_custom_exc((), None)
    InteractiveShell.clear_instance()
    sys.modules.pop("numpy_not_here", None)


def test_a_package_left_to_the_cdn_fails_the_cell_with_what_to_do(shell):
    ip, shown = shell
    result = ip.run_cell("import numpy_not_here.linalg as la")
    assert not result.success and isinstance(result.error_in_exec, ModuleNotFoundError)
    (etype, value, stb), = shown
    assert etype is ModuleNotFoundError
    assert value == "numpy_not_here could not be fetched from Pyodide's package CDN (cdn.jsdelivr.net)."
    text = "\n".join(stb)
    assert "What to do:" in text and "Restart Kernel" in text and "notebooks 00-05" in text
    assert "Traceback" not in text and "No module named" not in text
    assert max(map(len, stb)) < 100  # readable in a notebook cell without wrapping


def test_any_other_missing_module_keeps_the_usual_traceback(shell):
    ip, shown = shell
    result = ip.run_cell("import surely_no_such_module_here")
    assert not result.success
    (etype, value, stb), = shown
    assert value == "No module named 'surely_no_such_module_here'"
    assert "could not be fetched" not in "\n".join(stb)
