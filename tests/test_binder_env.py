"""Binder equivalence: a venv from exactly binder/ runs every notebook, and JupyterLab from it works.

repo2docker builds the Binder image from binder/ alone: apt.txt (Debian packages), runtime.txt (the
Python version), requirements.txt (pip), then postBuild. This module does the same steps on this
machine: check the apt.txt packages are installed and the Python version matches, `pip install -r
binder/requirements.txt` into a new venv, run binder/postBuild with that venv first on PATH, then run
every notebook in it and open 00_start_here in JupyterLab served from it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from e2e.harness import IN_CI, REPO, browser, copy_worktree, isolated_jupyter_env, record_timing

BINDER = REPO / "binder"
NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
NOTEBOOK_BUDGET_S = 120

pytestmark = pytest.mark.slow
__all__ = ["browser"]  # the session's headless Chromium fixture, shared with tests/e2e


def binder_lines(name: str) -> list[str]:
    """The non-comment lines of binder/<name>."""
    text = (BINDER / name).read_text()
    return [ln.split("#", 1)[0].strip() for ln in text.splitlines() if ln.split("#", 1)[0].strip()]


def test_runtime_is_the_python_we_test_with():
    (runtime,) = binder_lines("runtime.txt")
    assert runtime.startswith("python-"), f"binder/runtime.txt should read python-X.Y, not {runtime!r}"
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}", (
        f"binder/runtime.txt asks for {runtime} but these tests run Python {sys.version.split()[0]}"
    )


def test_apt_packages_are_installed():
    """What apt.txt names is what this machine has (Binder installs them without recommended packages)."""
    packages = binder_lines("apt.txt")
    assert {"graphviz", "fonts-dejavu-core"} <= set(packages), packages
    if not shutil.which("dpkg"):
        if IN_CI:
            pytest.fail("CI runs on Debian: dpkg must exist")
        pytest.skip("not a Debian system: cannot check the apt.txt packages")
    missing = [p for p in packages if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode]
    assert not missing, f"binder/apt.txt packages not installed: apt-get install -y {' '.join(missing)}"
    assert shutil.which("dot"), "graphviz's dot is not on PATH"


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """(python, repo copy, jupyter env) of a venv built from exactly binder/, as repo2docker would."""
    tmp = tmp_path_factory.mktemp("binder")
    repo = copy_worktree(tmp / "repo")
    venv = tmp / "venv"
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    env = isolated_jupyter_env(tmp / "jupyter-home")
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["NB_PYTHON_PREFIX"] = str(venv)
    env["HOME"] = str(tmp / "home")
    Path(env["HOME"]).mkdir()
    pip = subprocess.run([py, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], cwd=repo,
                         env=env, capture_output=True, text=True)
    assert pip.returncode == 0, f"pip install -r binder/requirements.txt failed:\n{pip.stderr[-4000:]}"
    post = subprocess.run(["bash", "binder/postBuild"], cwd=repo, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    assert post.returncode == 0, f"binder/postBuild failed:\n{post.stdout[-2000:]}\n{post.stderr[-4000:]}"
    record_timing("binder: venv from binder/requirements.txt + postBuild", time.monotonic() - t0)
    return py, repo, env


def test_binder_env_has_only_what_binder_names(binder_env):
    """The project's own test tools are not in the Binder venv, so the notebooks cannot lean on them."""
    py, repo, env = binder_env
    probe = "import importlib.util as u, json; print(json.dumps({m: bool(u.find_spec(m)) for m in " \
            "['autograd_core', 'widgets', 'ipywidgets', 'graphviz', 'matplotlib', 'pytest', 'torch']}))"
    found = json.loads(subprocess.run([py, "-c", probe], env=env, capture_output=True, text=True,
                                      check=True, cwd="/").stdout)
    assert found == {"autograd_core": True, "widgets": True, "ipywidgets": True, "graphviz": True,
                     "matplotlib": True, "pytest": False, "torch": False}, found
    overrides = Path(env["NB_PYTHON_PREFIX"], "share/jupyter/lab/settings/overrides.json")
    notification = json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false", notification


RUN_NOTEBOOK = textwrap.dedent("""
    import sys, time, nbformat
    from nbclient import NotebookClient
    path, timeout, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": folder}})
    t0 = time.monotonic()
    with client.setup_kernel():
        t1 = time.monotonic()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    print(f"{t1 - t0:.1f} {time.monotonic() - t1:.1f}")
""")


@pytest.mark.notebooks
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_in_the_binder_env(binder_env, notebook):
    """Every notebook runs top to bottom (student mode, as committed) with the Binder venv's kernel."""
    py, repo, env = binder_env
    nb_dir = repo / "notebooks"
    result = subprocess.run([py, "-c", RUN_NOTEBOOK, str(nb_dir / notebook), str(NOTEBOOK_BUDGET_S),
                             str(nb_dir)], cwd=nb_dir, env=env, capture_output=True, text=True,
                            timeout=NOTEBOOK_BUDGET_S + 60)
    assert result.returncode == 0, f"{notebook} failed in the Binder venv:\n{result.stderr[-6000:]}"
    kernel_start, cells = map(float, result.stdout.split()[-2:])
    record_timing(f"binder: {notebook} kernel start", kernel_start)
    record_timing(f"binder: {notebook} all cells", cells)


def test_no_notebook_is_missed():
    """The parametrised list above is not empty (an empty list would make those tests vanish)."""
    assert "00_start_here.ipynb" in NOTEBOOKS, f"notebooks found: {NOTEBOOKS}"


@pytest.mark.browser
def test_start_here_in_jupyterlab_served_from_the_binder_env(binder_env, browser, tmp_path):
    """The browser test once from the Binder venv: its JupyterLab and its widget front end."""
    from e2e.harness import check_stepper_basics, jupyter_server, open_and_run  # noqa: I001

    py, repo, env = binder_env
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        with jupyter_server("lab", repo, tmp_path / "home", python=py, name="binder lab") as server:
            run = open_and_run(page, server, "notebooks/00_start_here.ipynb")
            check_stepper_basics(page, run, label="binder lab 00_start_here")
    finally:
        context.close()
