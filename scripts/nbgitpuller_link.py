"""nbgitpuller links for the series: one per notebook, for your JupyterHub (docs/deploy.md).

    python scripts/nbgitpuller_link.py --hub https://hub.example.edu            # every notebook
    python scripts/nbgitpuller_link.py --hub https://hub.example.edu 00 04      # only these
    python scripts/nbgitpuller_link.py --hub https://hub.example.edu --markdown # a table for a course page

A link logs the student in, copies the repository into their home folder on the first click (later
clicks merge your new commits without overwriting their edits) and opens the notebook.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parents[1]
REPO_URL = "https://github.com/backprop-lab/backprop-lab"  # the placeholder (docs/deploy.md)
# Where each interface opens a file, relative to the hub user's home folder.
APPS = {"lab": "lab/tree/", "notebook": "notebooks/", "classic": "tree/"}


def series() -> list[str]:
    """The notebooks of the series, in order (file names without .ipynb)."""
    return sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def link(hub: str, notebook: str, repo: str = REPO_URL, branch: str = "main", app: str = "lab",
         folder: str | None = None) -> str:
    """The nbgitpuller link that pulls `repo` at `branch` into ~/`folder` and opens notebooks/`notebook`."""
    parsed = urlparse(hub)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"--hub must be the hub's address, like https://hub.example.edu, not {hub!r}")
    if app not in APPS:
        raise ValueError(f"--app must be one of {', '.join(APPS)}, not {app!r}")
    folder = folder or repo.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]
    urlpath = f"{APPS[app]}{folder}/notebooks/{notebook}.ipynb"
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in
                     (("repo", repo), ("branch", branch), ("urlpath", urlpath)))
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebook numbers or names (default: all)")
    parser.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("--repo", default=REPO_URL, help=f"the git repository (default {REPO_URL})")
    parser.add_argument("--branch", default="main", help="branch or tag (a tag keeps a course fixed)")
    parser.add_argument("--app", default="lab", choices=sorted(APPS), help="JupyterLab (default), "
                        "Notebook 7, or the classic notebook")
    parser.add_argument("--folder", help="folder in the student's home (default: the repository's name)")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table instead of bare links")
    args = parser.parse_args(argv)
    names = series()
    chosen = names
    if args.notebooks:
        chosen = []
        for want in args.notebooks:
            matches = [n for n in names if n == want or n.split("_", 1)[0] == want]
            if not matches:
                parser.error(f"no notebook {want!r} in the series: {', '.join(names)}")
            chosen += matches
    try:
        links = {n: link(args.hub, n, args.repo, args.branch, args.app, args.folder) for n in chosen}
    except ValueError as e:
        parser.error(str(e))
    if args.markdown:
        print("| notebook | open on the hub |\n|---|---|")
        print("\n".join(f"| {n} | [open]({url}) |" for n, url in links.items()))
    else:
        print("\n".join(links.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
