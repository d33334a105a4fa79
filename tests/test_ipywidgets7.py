"""ipywidgets 7.7.1 (Colab's) and 8 from one code base.

Fast checks (any venv): the pins let Colab keep its ipywidgets, the calls that differ between 7 and 8
go through widgets/compat.py, nothing 8-only or `jslink` is used. Slow checks: in a venv with Colab's
widget stack (tests/colab_env.py), the headless widget tests that click buttons and read state and SVG,
and every notebook top to bottom (student mode, tests/test_notebooks.py's runner), run under 7.7.1;
and installing the project there keeps 7.7.1 (what `pip install git+...` does in Colab).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import textwrap
import time
from pathlib import Path

import colab_env
import pytest
from e2e.harness import record_timing

REPO = colab_env.REPO
INSIDE = os.environ.get("BACKPROP_LAB_EXPECT_IPYWIDGETS")  # set when this file runs inside that venv

# Headless tests that click buttons and read state and SVG: stepper, predict mode, topological sort,
# gradient check view, draw, exercises, folded boxes (Dropdown + expand), and this file's own fast checks.
HEADLESS = ["tests/test_stepper.py", "tests/test_predict.py", "tests/test_toposort.py",
            "tests/test_gradcheck_view.py", "tests/test_draw.py", "tests/test_exercises.py",
            "tests/test_large.py::test_boxes_expand_one_level_and_fold_again",
            "tests/test_large.py::test_a_folded_box_opens_while_stepping_and_keeps_the_moment",
            "tests/test_ipywidgets7.py"]
# A widget given an argument its ipywidgets version does not know (e.g. 8's `tooltip` on a Dropdown)
# only warns, and the argument is lost: under 7 these warnings fail the run.
STRICT = ["-W", "error:Passing unrecognized arguments:DeprecationWarning",
          "-W", "error:Support for mapping types:DeprecationWarning"]

# ipywidgets 8 only (or broken on Colab): never in widgets/ or the notebooks.
EIGHT_ONLY = ["TagsInput", "ColorsInput", "FloatsInput", "IntsInput", "Stack", "NaiveDatetimePicker",
              "DatetimePicker", "description_allow_html", "jslink", "jsdlink"]


def _sources() -> dict[str, str]:
    """widgets/*.py and every notebook's code cells, by path."""
    found = {str(p.relative_to(REPO)): p.read_text() for p in sorted((REPO / "widgets").glob("*.py"))}
    for nb in sorted((REPO / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        found[str(nb.relative_to(REPO))] = "\n".join("".join(c["source"]) for c in cells
                                                     if c["cell_type"] == "code")
    return found


# ----- fast, in any venv ----------------------------------------------------------------------------
def test_the_pins_let_colab_keep_its_ipywidgets():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "ipywidgets>=7.7,<9" in project["dependencies"]
    assert "ipywidgets>=7.7,<9" in (REPO / "requirements.txt").read_text().splitlines()
    # JupyterLab 4, Notebook 7 and the JupyterLite site render ipywidgets 8 only
    for extra in ("lab", "lite"):
        assert any(re.match(r"ipywidgets>=8\.1", d) for d in project["optional-dependencies"][extra]), extra
    binder = (REPO / "binder" / "requirements.txt").read_text().splitlines()
    assert any(re.fullmatch(r"ipywidgets==8\.\d+\.\d+", ln) for ln in binder), "binder/ stays pinned"


@pytest.mark.parametrize("name", EIGHT_ONLY)
def test_nothing_eight_only_or_jslink_is_used(name):
    used = [path for path, text in _sources().items()
            if path != "widgets/compat.py" and re.search(rf"\b{name}\b", text)]
    assert not used, f"{name} is ipywidgets 8 only (or broken on Colab): {used}"


def test_the_calls_that_differ_go_through_compat():
    for path, text in _sources().items():
        if path == "widgets/compat.py":
            continue
        assert not re.search(r"(?<!compat\.)\bPlay\(", text), (
            f"{path}: make Play with widgets.compat.Play (7 calls `playing` `_playing`)")
        assert not re.search(r"\._(playing|repeat)\b", text), f"{path}: 7's private Play names"
        assert not re.search(r"\bdescription_tooltip\b", text), f"{path}: use compat.set_tooltip"


def test_descriptions_are_plain_text():
    """7 renders a description as HTML, 8 as text: only plain text reads the same in both."""
    for path, text in _sources().items():
        if not path.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.keyword) and node.arg == "description" and isinstance(node.value,
                                                                                          ast.Constant):
                assert not re.search(r"[<>&]", str(node.value.value)), f"{path}: {node.value.value!r}"


def test_tooltips_only_where_both_versions_have_them():
    """`tooltip=` as an argument only for Button and ToggleButton (7 has it on nothing else)."""
    for path, text in _sources().items():
        if not path.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and any(k.arg == "tooltip" for k in node.keywords):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                assert name in ("Button", "ToggleButton"), f"{path}:{node.lineno}: {name}(tooltip=...)"


def test_compat_play_speaks_eights_names_in_this_version():
    import ipywidgets

    from widgets import compat

    if INSIDE:
        assert ipywidgets.__version__ == INSIDE, f"expected ipywidgets {INSIDE}, got {ipywidgets.__version__}"
    play = compat.Play(min=0, max=3, value=0)
    synced = "playing" if compat.IPYWIDGETS_MAJOR >= 8 else "_playing"
    assert play.get_state()[synced] is False
    play.playing = True
    assert play.playing is True and play.get_state()[synced] is True  # what the front end receives
    play.repeat = True
    assert play.get_state()["repeat" if compat.IPYWIDGETS_MAJOR >= 8 else "_repeat"] is True
    dropdown = ipywidgets.Dropdown(options=[("slow", 1), ("fast", 2)], value=2)
    compat.set_tooltip(dropdown, "time per step")
    key = "tooltip" if compat.IPYWIDGETS_MAJOR >= 8 else "description_tooltip"
    assert dropdown.get_state()[key] == "time per step"


def test_a_stepper_plays_and_stops_at_the_end_in_this_version():
    """The one behaviour that went through compat: Play runs, and stepping to the end stops it."""
    from autograd_core import Value
    from widgets import GraphStepper

    w, x, y = Value(3.0), Value(-4.0), Value(2.0)
    s = GraphStepper((w * x - y) ** 2)
    s.play.playing = True
    s.play.value = 3  # a tick
    assert s.index == 3 and s.slider.value == 3
    s.last()
    assert s.play.playing is False and s.next_button.disabled


# ----- slow: Colab's stack in a venv of its own ------------------------------------------------------
@pytest.fixture(scope="module")
def colab_python():
    python, built = colab_env.ensure_venv()
    record_timing("ipywidgets 7 venv " + ("built" if built else "reused"), built)
    return python


def _pytest_in(python: Path, args: list[str], timeout: float) -> tuple[str, float]:
    env = colab_env.env_for(python)
    env["BACKPROP_LAB_EXPECT_IPYWIDGETS"] = colab_env.IPYWIDGETS
    env.pop("CI", None)  # torch and the browser are deselected; nothing else may skip (checked below)
    t0 = time.monotonic()
    run = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=REPO,
                         env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - t0
    tail = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, f"under ipywidgets {colab_env.IPYWIDGETS}:\n{tail}"
    return run.stdout, seconds


@pytest.mark.slow
@pytest.mark.skipif(bool(INSIDE), reason="already inside the ipywidgets 7 venv")
def test_headless_widget_tests_pass_under_ipywidgets_7(colab_python):
    out, seconds = _pytest_in(colab_python, ["-m", "not browser and not torch and not notebooks and not slow",
                                             "-k", "not torch", *STRICT, *HEADLESS], timeout=600)
    record_timing("ipywidgets 7: headless widget tests", seconds)
    passed = int(re.search(r"(\d+) passed", out).group(1))
    assert passed >= 170, f"only {passed} tests ran under ipywidgets 7:\n{out[-3000:]}"
    assert not re.search(r"\d+ (failed|error)", out), out[-3000:]
    assert "skipped" not in out.splitlines()[-1], f"a headless test skipped under 7:\n{out[-3000:]}"


PROBE = textwrap.dedent("""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    source = "import sys, ipywidgets; print(ipywidgets.__version__, sys.prefix)"
    nb.cells.append(nbformat.v4.new_code_cell(source))
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    print(nb.cells[0].outputs[0]["text"])
""")


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.skipif(bool(INSIDE), reason="already inside the ipywidgets 7 venv")
def test_every_notebook_runs_under_ipywidgets_7(colab_python):
    probe = subprocess.run([str(colab_python), "-c", PROBE], cwd=REPO, env=colab_env.env_for(colab_python),
                           capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr[-3000:]
    version, prefix = probe.stdout.split()[-2:]
    assert version == colab_env.IPYWIDGETS, f"the notebooks' kernel has ipywidgets {version}"
    assert Path(prefix) == colab_python.parent.parent, f"the kernel runs from {prefix}, not the venv"
    out, seconds = _pytest_in(colab_python, ["tests/test_notebooks.py", "-m", "notebooks", "-k", "student"],
                              timeout=1200)
    record_timing("ipywidgets 7: every notebook, top to bottom (student mode)", seconds)
    assert re.search(r"\b10 passed", out), f"expected the 10 notebooks to pass:\n{out[-3000:]}"


@pytest.mark.slow
@pytest.mark.skipif(bool(INSIDE), reason="already inside the ipywidgets 7 venv")
def test_installing_the_project_keeps_colabs_ipywidgets(colab_python, tmp_path):
    """What Colab's `pip install git+...` resolves: the project, and ipywidgets 7.7.1 left alone."""
    report = tmp_path / "report.json"
    run = subprocess.run([str(colab_python), "-m", "pip", "install", "--dry-run", "-q",
                          "--disable-pip-version-check", "--report", str(report), str(REPO)],
                         env=colab_env.env_for(colab_python), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    installs = {i["metadata"]["name"].lower(): i["metadata"]["version"]
                for i in json.loads(report.read_text())["install"]}
    assert "backprop-lab" in installs, installs
    assert "ipywidgets" not in installs and "widgetsnbextension" not in installs, installs
