"""The notebook series: stored clean, every exercise solved in the repo, and every notebook runs.

Executed runs (marked `notebooks`) run each notebook twice with nbclient: as a student gets it
(every exercise says "not answered yet" and the notebook still runs to the end) and with the
solutions filled in (every checker says correct). Both must show the article's numbers and finish
within two minutes.
"""

from __future__ import annotations

import importlib.util
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SERIES = [
    "00_start_here",
    "01_circuits_and_gradients",
    "02_function_to_graph",
    "03_staged_computation",
    "04_forward_builds_the_graph",
    "05_backward_and_topological_sort",
    "06_gradient_descent",
    "07_mini_framework",
    "08_tensors",
    "09_debugging_gradients",
]
TIME_LIMIT = 120.0  # seconds per notebook and mode

# The exact numbers of ARTICLE.md (and the series' own landmarks), typed in by hand.
MUST_SHOW = {
    "00_start_here": ["e = -1.0", "phase:"],
    "01_circuits_and_gradients": ["q = x + y = 3.0", "f = q * z = -12.0", "df/dz = 3.0", "df/dq = -4.0",
                                  "df/dx = -4.0", "df/dy = -4.0"],
    "02_function_to_graph": ["f(3, -4) = 1.5456448841066441", "df/dx = 2.0595697955721652",
                             "df/dy = 1.5922327514838093"],
    "03_staged_computation": ["f = 0.7310585786300049", "0.3932238664829637", "-0.5898357997244456",
                              "-0.19661193324148185", "-0.3932238664829637", "0.19661193324148185",
                              "same gradients: True"],
    "04_forward_builds_the_graph": ["c._prev == (a, b): True", "len(d._prev) = 2", "w*x     = -12.0",
                                    "w*x - y = -14.0", "loss    = 196.0", "dloss/dw = 112.0",
                                    "dloss/dx = -84.0", "dloss/dy = 28.0"],
    "05_backward_and_topological_sort": ["naive recursion: a.grad = 6.0", "topological order: a.grad = 4.0",
                                         "w.grad = 112.0", "w.grad = 224.0", "loss = 196.0"],
    "06_gradient_descent": ["step 0: w = 3.0000  loss =  196.0000  dloss/dw =  112.0000",
                            "step 1: w = 1.8800"],
    "07_mini_framework": ["has 337 parameters", "training accuracy 100%"],
    "08_tensors": ["dL/dW == X.T @ dY: True", "dL/dX == dY @ W.T: True", "bias.grad = [22. 26. 30.]"],
    "09_debugging_gradients": ["(happy)", "wrong", "first wrong gate: 'softplus'",
                               "backward: node 's' gets inf"],
}


def _load(name: str) -> dict:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))


def _fill_module():
    spec = importlib.util.spec_from_file_location("fill", NOTEBOOKS / "solutions" / "fill.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fill = _fill_module()


# ----- how the notebooks are stored (fast) -----------------------------------------------------
def test_the_series_is_complete():
    stored = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert stored == SERIES


@pytest.mark.parametrize("name", SERIES)
def test_stored_without_outputs_and_with_a_kernel(name):
    nb = _load(name)
    # what ipykernel's kernel reports (else JupyterLab marks the notebook modified as it opens; see
    # tests/e2e/test_notebooks_open_clean.py); only the Python patch version cannot be known here
    kernel = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    assert nb["metadata"]["kernelspec"] == kernel
    assert nb["metadata"]["language_info"] == {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3", "version": "3.11"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{name}: a cell has outputs: strip them before committing"
            assert cell["execution_count"] is None, f"{name}: a cell has an execution count"
    assert "widgets" not in nb["metadata"], f"{name}: widget state is stored in the metadata"


@pytest.mark.parametrize("name", SERIES)
def test_goals_first_recap_last(name):
    nb = _load(name)
    first = "".join(nb["cells"][0]["source"])
    last = "".join(nb["cells"][-1]["source"])
    assert nb["cells"][0]["cell_type"] == "markdown" and re.search(r"\*\*(Goals|In this notebook)", first)
    assert nb["cells"][-1]["cell_type"] == "markdown" and "## Recap" in last


@pytest.mark.parametrize("name", SERIES)
def test_exercises_have_placeholders_checkers_and_solutions(name):
    nb = _load(name)
    cells = fill.exercise_cells(nb)
    assert len(cells) >= 2, f"{name}: at least two exercises"
    solutions = fill.load_solutions(fill.solution_file(NOTEBOOKS / f"{name}.ipynb"))
    numbers = [c["metadata"]["exercise"] for c in cells]
    assert len(set(numbers)) == len(numbers), f"{name}: exercise numbers repeat: {numbers}"
    assert sorted(solutions) == sorted(numbers), f"{name}: solutions {sorted(solutions)} vs {numbers}"
    for cell in cells:
        source = "".join(cell["source"])
        number = cell["metadata"]["exercise"]
        assert "..." in source, f"exercise {number}: no ... for the student to replace"
        last = source.strip().splitlines()[-1]
        assert last.startswith("ex."), f"exercise {number}: the last line should call a checker"
        assert solutions[number].strip().splitlines()[-1] == last, (
            f"exercise {number}: the solution must end with the same checker call as the exercise"
        )
        assert "..." not in solutions[number].replace('"""', ""), f"solution {number} still has ..."


@pytest.mark.parametrize("name", SERIES)
def test_no_output_widgets(name):
    # `interact` and `Output` capture into an Output widget: headless execution then stalls for a full
    # cell timeout now and then (jupyter/nbclient#312), and an Output widget shows nothing without a
    # kernel. Sliders plus an HTML widget updated with observe() do the same job.
    for cell in _load(name)["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            assert not re.search(r"\binteract(ive)?\(|\bOutput\(", source), f"{name}: {source[:80]!r}"


def test_fill_replaces_only_exercise_cells(tmp_path):
    nb = _load("01_circuits_and_gradients")
    solved = fill.fill_file(NOTEBOOKS / "01_circuits_and_gradients.ipynb")
    changed = [i for i, (a, b) in enumerate(zip(nb["cells"], solved["cells"])) if a["source"] != b["source"]]
    assert changed == [i for i, c in enumerate(nb["cells"]) if c in fill.exercise_cells(nb)]
    assert fill.main(["--all", "-o", str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.glob("*.ipynb")) == SERIES


def test_an_installed_copy_has_every_package_the_notebooks_import():
    # Colab and JupyterHub install the project with `pip install git+...` (not editable): every package
    # directory must be listed in pyproject.toml, or `import autograd_core` fails there (and only there).
    tomllib = pytest.importorskip("tomllib")
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("autograd_core", "widgets")
        for init in (ROOT / top).rglob("__init__.py")
    }
    missing = sorted(on_disk - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"


def test_readme_links_every_notebook_on_binder():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- notebooks:start -->")[1].split("<!-- notebooks:end -->")[0]
    binder = "https://mybinder.org/v2/gh/backprop-lab/backprop-lab/HEAD?urlpath=lab/tree/notebooks/"
    assert f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({binder}00_start_here.ipynb)" in block
    for name in SERIES:
        assert f"({binder}{name}.ipynb)" in block, f"README: no Binder link to {name}"
    for target in re.findall(r"\]\(((?:docs|notebooks)/[^)#]*)\)", block):
        assert (ROOT / target).exists(), f"README links to {target}, which does not exist"


# ----- running them ---------------------------------------------------------------------------
def _run(nb_json: dict):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.reads(json.dumps(nb_json), as_version=4)
    # nbclient's wait for a shell reply can block until its timeout although the reply has arrived
    # (jupyter/nbclient#312; nbconvert#2029: `interact` displaying an object triggers it), so a stall
    # costs exactly one timeout. The notebooks avoid that pattern. Cells keep the whole budget
    # (timeout_func); the kernel_info wait, which nbclient would extend to the same 120 s, gets 20 s.
    client = nbclient.NotebookClient(
        nb, timeout=20, timeout_func=lambda cell: TIME_LIMIT, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    nb.metadata["bp_run"] = {"start": datetime.now(UTC).isoformat()}
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nb.metadata["bp_run"]["end"] = datetime.now(UTC).isoformat()
    return nb, seconds


def _slowest_cells(nb, n: int = 3) -> str:
    """The cells that took longest (nbclient records when each started and finished), for a slow run."""
    times = []
    for i, cell in enumerate(nb.cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            began = datetime.fromisoformat(stamps["iopub.execute_input"].replace("Z", "+00:00"))
            ended = datetime.fromisoformat(stamps["shell.execute_reply"].replace("Z", "+00:00"))
            times.append(((ended - began).total_seconds(), i, "".join(cell.source).split("\n")[0][:60]))
    slowest = "; ".join(f"cell {i} {t:.1f} s ({head})" for t, i, head in sorted(times, reverse=True)[:n])
    stamps = [c.metadata["execution"] for c in nb.cells if "iopub.execute_input" in c.get("metadata", {}).get(
        "execution", {})]
    run = nb.metadata.get("bp_run", {})
    edges = ""
    if stamps and "start" in run and "end" in run:
        first = datetime.fromisoformat(stamps[0]["iopub.execute_input"].replace("Z", "+00:00"))
        last = datetime.fromisoformat(stamps[-1]["shell.execute_reply"].replace("Z", "+00:00"))
        before = (first - datetime.fromisoformat(run["start"])).total_seconds()
        after = (datetime.fromisoformat(run["end"]) - last).total_seconds()
        edges = f" Before the first cell (kernel start): {before:.1f} s; after the last: {after:.1f} s."
    return f"All cells together: {sum(t for t, _, _ in times):.1f} s.{edges} Slowest: {slowest}"


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback", [])))
    return "".join(parts)


@pytest.mark.notebooks
@pytest.mark.parametrize("mode", ["student", "solution"])
@pytest.mark.parametrize("name", SERIES)
def test_notebook_runs(name, mode):
    nb_json = _load(name)
    if mode == "solution":
        nb_json = fill.fill_file(NOTEBOOKS / f"{name}.ipynb")
    nb, seconds = _run(nb_json)
    assert seconds < TIME_LIMIT, (
        f"{name} ({mode}) took {seconds:.0f} s; the limit is {TIME_LIMIT:.0f} s. {_slowest_cells(nb)}"
    )

    everything = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
    for expected in MUST_SHOW[name]:
        assert expected in everything, f"{name} ({mode}): {expected!r} is not in the outputs"

    # After Run All every stepper and sort player waits at frame 0 (a stepper left at its last frame
    # would show the answers of the exercises below it): read from the saved widget state.
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    sliders = [m["state"] for m in state.get("state", {}).values()
               if "bp-slider" in m.get("state", {}).get("_dom_classes", [])]
    if "GraphStepper(" in json.dumps(nb_json) or "TopoSortPlayer(" in json.dumps(nb_json):
        assert sliders, f"{name}: no stepper's widget state was saved"
    moved = [sl["value"] for sl in sliders if sl.get("value", 0) != 0]
    assert not moved, f"{name} ({mode}): {len(moved)} stepper(s) left away from frame 0 (at {moved})"

    for cell in nb.cells:
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        number, text = cell.metadata["exercise"], _text(cell)
        if mode == "student":
            assert "not answered yet" in text, f"exercise {number} (student): {text!r}"
        else:
            assert re.search(r"^\u2714 .*: correct\.", text, re.M), f"exercise {number} (solution): {text!r}"
            assert "\u2718" not in text and "not answered yet" not in text, f"exercise {number}: {text!r}"
