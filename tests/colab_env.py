"""A venv with Colab's widget stack (ipywidgets 7.7.1, widgetsnbextension 3.6.10) and classic Notebook 6.5.

tests/test_ipywidgets7.py runs the headless widget tests and every notebook in it, and
tests/e2e/test_notebook6.py serves Notebook 6.5 from it. One venv for both: building it costs more than
anything run in it. It sits next to the venv running pytest (`.venv` -> `.venv-ipyw7`, as dev.sh makes
`.venv-lite`), or at $BACKPROP_LAB_IPYW7_VENV, and is rebuilt only when what it installs changes (a key
over the package list and the Python version, stored inside it). The project is not installed: its code
comes from the work tree through PYTHONPATH, so the venv never goes stale.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

IPYWIDGETS = "7.7.1"  # googlecolab/backend-info, 2026-08
COLAB_STACK = [f"ipywidgets=={IPYWIDGETS}", "widgetsnbextension==3.6.10", "notebook==6.5.7"]
TEST_TOOLS = ["pytest>=8", "pytest-timeout>=2.3", "hypothesis>=6.100", "nbclient>=0.10", "nbformat>=5.10",
              "ipykernel>=6.29"]


def requirements() -> list[str]:
    """Everything the venv installs: the project's runtime packages but ipywidgets, Colab's stack, tools."""
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    runtime = [d for d in deps if not d.replace(" ", "").startswith("ipywidgets")]
    return runtime + COLAB_STACK + TEST_TOOLS


def venv_path() -> Path:
    if os.environ.get("BACKPROP_LAB_IPYW7_VENV"):
        return Path(os.environ["BACKPROP_LAB_IPYW7_VENV"])
    if sys.prefix != sys.base_prefix:  # pytest runs from a venv: put it beside that one
        return Path(sys.prefix).with_name(Path(sys.prefix).name + "-ipyw7")
    return REPO / ".venv-ipyw7"


def key(reqs: list[str]) -> str:
    return hashlib.sha256(json.dumps([sys.version_info[:2], reqs]).encode()).hexdigest()[:16]


def ensure_venv() -> tuple[Path, float]:
    """The venv's python, built or reused, and the seconds spent building it (0 when reused)."""
    venv, reqs = venv_path(), requirements()
    stamp = venv / "backprop-lab-key.txt"
    python = venv / "bin" / "python"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.with_name(venv.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two pytest runs at once build it once
        if python.exists() and stamp.exists() and stamp.read_text().strip() == key(reqs):
            return python, 0.0
        t0 = time.monotonic()
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                              *reqs], capture_output=True, text=True)
        if pip.returncode:
            raise RuntimeError(f"pip install {' '.join(reqs)} failed:\n{pip.stderr[-4000:]}")
        stamp.write_text(key(reqs) + "\n")
        return python, time.monotonic() - t0


def env_for(python: Path) -> dict[str, str]:
    """Environment for running the venv's tools on the work tree's code."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONPATH"] = str(REPO)
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    return env
