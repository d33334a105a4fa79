"""scripts/nbgitpuller_link.py: one nbgitpuller link per notebook, decoded back to what nbgitpuller reads."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "nbgitpuller_link.py"
spec = importlib.util.spec_from_file_location("nbgitpuller_link", SCRIPT)
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)


def decoded(url: str) -> tuple[str, dict[str, str]]:
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query


def test_every_notebook_gets_a_link_that_opens_it():
    run = subprocess.run([sys.executable, str(SCRIPT), "--hub", "https://hub.example.edu/"],
                         capture_output=True, text=True, check=True)
    links = run.stdout.split()
    assert len(links) == 10 == len(gen.series())
    for name, url in zip(gen.series(), links):
        endpoint, query = decoded(url)
        assert endpoint == "https://hub.example.edu/hub/user-redirect/git-pull"
        assert query == {"repo": "https://github.com/backprop-lab/backprop-lab", "branch": "main",
                         "urlpath": f"lab/tree/backprop-lab/notebooks/{name}.ipynb"}
        # the path inside the pulled folder is a notebook of this repository
        assert (ROOT / query["urlpath"].split("backprop-lab/", 1)[1]).is_file()


def test_options_choose_the_notebooks_branch_app_and_folder():
    url = gen.link("https://hub.example.edu", "04_forward_builds_the_graph",
                   repo="https://github.com/me/fork.git", branch="fall-2026", app="notebook", folder="bp lab")
    _, query = decoded(url)
    assert query == {"repo": "https://github.com/me/fork.git", "branch": "fall-2026",
                     "urlpath": "notebooks/bp lab/notebooks/04_forward_builds_the_graph.ipynb"}
    assert " " not in url and "%2F" in url  # every value is percent-encoded
    assert decoded(gen.link("https://h.edu", "00_start_here", repo="https://x.org/a/fork.git"))[1][
        "urlpath"] == "lab/tree/fork/notebooks/00_start_here.ipynb"


def test_numbers_select_notebooks_and_markdown_makes_a_table(capsys):
    assert gen.main(["--hub", "https://hub.example.edu", "00", "05_backward_and_topological_sort",
                     "--markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["| notebook | open on the hub |", "|---|---|"]
    names = [ln.split(" | ")[0].lstrip("| ") for ln in lines[2:]]
    assert names == ["00_start_here", "05_backward_and_topological_sort"]


@pytest.mark.parametrize("argv, says", [
    (["--hub", "hub.example.edu"], "--hub must be the hub's address"),
    (["--hub", "https://hub.example.edu", "42"], "no notebook '42' in the series"),
])
def test_bad_arguments_say_what_is_wrong(argv, says, capsys):
    with pytest.raises(SystemExit):
        gen.main(argv)
    assert says in capsys.readouterr().err


def test_the_link_in_docs_deploy_is_what_the_script_makes():
    doc = (ROOT / "docs" / "deploy.md").read_text()
    assert gen.link("https://HUB.example.edu", "00_start_here") in doc
