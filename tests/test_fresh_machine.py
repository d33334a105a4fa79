"""The README's two commands, exactly as written, on a clean copy of the repository and a clean venv."""

from __future__ import annotations

import json
import re
import secrets
import shlex
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from e2e.harness import (
    REPO,
    copy_worktree,
    free_port,
    isolated_jupyter_env,
    record_timing,
    stop_process_group,
    wait_http,
)


def readme_commands() -> dict[str, list[str]]:
    """The README's `bash scripts/dev.sh MODE` lines, by mode, as argument lists (comments dropped)."""
    commands = {}
    for line in (REPO / "README.md").read_text().splitlines():
        if re.match(r"\s*bash scripts/dev\.sh\s", line):
            argv = shlex.split(line, comments=True)
            commands[argv[2]] = argv
    return commands


def served_listing(url: str, token: str) -> list[dict]:
    """The notebooks folder as the server lists it (jupyter lab given a file serves that file's folder)."""
    def get(path: str) -> list[dict]:
        with urllib.request.urlopen(f"{url}/api/contents/{path}?token={token}", timeout=10) as r:
            return json.load(r)["content"]

    top = get("")
    has_folder = any(i["name"] == "notebooks" and i["type"] == "directory" for i in top)
    return get("notebooks") if has_folder else top


def test_readme_names_the_lab_and_test_commands():
    commands = readme_commands()
    assert commands.get("lab") == ["bash", "scripts/dev.sh", "lab"], commands
    assert commands.get("test") == ["bash", "scripts/dev.sh", "test"], commands


def test_ci_runs_the_readme_test_command():
    """CI's fresh clone is the fresh machine for `test`: .ci/run must run exactly that command."""
    ci = (REPO / ".ci" / "run").read_text()
    command = shlex.join(readme_commands()["test"])
    run_lines = [ln.strip() for ln in ci.splitlines() if command in ln and not ln.strip().startswith("#")]
    assert run_lines, f".ci/run does not run the README's test command {command!r}"


def test_dev_script_rejects_an_unknown_mode():
    result = subprocess.run(["bash", "scripts/dev.sh", "labb"], cwd=REPO, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode != 0
    assert "usage: bash scripts/dev.sh" in result.stderr and "lab" in result.stderr


@pytest.mark.slow
def test_readme_lab_command_on_a_clean_venv(tmp_path):
    """`bash scripts/dev.sh lab` builds a new venv (BACKPROP_LAB_VENV) and JupyterLab answers from it."""
    repo = copy_worktree(tmp_path / "clone")
    venv = tmp_path / "venv"
    assert not venv.exists()
    port, token = free_port(), secrets.token_hex(16)
    env = isolated_jupyter_env(tmp_path / "jupyter-home")
    env["BACKPROP_LAB_VENV"] = str(venv)
    env.pop("VIRTUAL_ENV", None)
    # Where the server listens comes from a config file in the isolated JUPYTER_CONFIG_DIR, so the
    # command itself stays exactly as the README writes it.
    config = {"ServerApp": {"ip": "127.0.0.1", "port": port, "port_retries": 0, "open_browser": False},
              "IdentityProvider": {"token": token}}
    Path(env["JUPYTER_CONFIG_DIR"], "jupyter_server_config.json").write_text(json.dumps(config))
    log = tmp_path / "dev-lab.log"
    t0 = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(readme_commands()["lab"], cwd=repo, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/api/status?token={token}", timeout=900, proc=proc, log=log)
        record_timing("fresh machine: `bash scripts/dev.sh lab` until JupyterLab answers",
                      time.monotonic() - t0, "new venv")
        wait_http(f"{url}/lab?token={token}", timeout=30)
        with urllib.request.urlopen(f"{url}/api/kernelspecs?token={token}", timeout=10) as r:
            specs = json.load(r)
        listing = served_listing(url, token)
        # the "Jupyter news" pop-up is silenced, as on Binder (an override inside the venv)
        with urllib.request.urlopen(f"{url}/lab/api/settings/@jupyterlab/apputils-extension:notification"
                                    f"?token={token}", timeout=10) as r:
            notification = json.load(r)["settings"]
    finally:
        stop_process_group(proc)
    assert (venv / "bin" / "python").exists(), "dev.sh did not create the venv named by BACKPROP_LAB_VENV"
    assert notification.get("fetchNews") == "false", f"JupyterLab will ask about Jupyter news: {notification}"
    assert (venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json").exists()
    served = {item["name"] for item in listing}
    expected = {p.name for p in (REPO / "notebooks").glob("*.ipynb")}
    assert expected <= served, f"notebooks missing from the server: {sorted(expected - served)}"
    # The kernel runs the new venv's Python, which imports the project from the clone (editable install).
    python3 = specs["kernelspecs"]["python3"]["spec"]["argv"][0]
    assert Path(python3).parent == venv / "bin", f"the python3 kernel runs {python3}, not the new venv"
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import autograd_core, widgets; print(autograd_core.__file__, widgets.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout.split()
    assert all(Path(p).is_relative_to(repo) for p in where), where
