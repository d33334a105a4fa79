"""Put the solutions into a notebook's exercise cells (for instructors, and for the solution-mode tests).

    python notebooks/solutions/fill.py notebooks/01_circuits_and_gradients.ipynb -o solved/01.ipynb
    python notebooks/solutions/fill.py --all -o solved/        # every notebook of the series

An exercise cell carries the tag "exercise" and its number in the cell metadata ("exercise": "1.2").
Its solution is the section `# %% exercise 1.2` of notebooks/solutions/<notebook name>.py. The
last line of both (the checker call) is the same, so the checker sees the solution's answer.
Only the standard library is used, so this runs anywhere.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent
HEADER = re.compile(r"^# %% exercise (\S+)\s*$")


def solution_file(notebook: Path) -> Path:
    """Where the solutions of a notebook live."""
    return HERE / f"{Path(notebook).stem}.py"


def load_solutions(path: Path) -> dict[str, str]:
    """{exercise number: solution source} from a file of `# %% exercise N` sections."""
    solutions: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = HEADER.match(line)
        if match:
            if current is not None:
                solutions[current] = "\n".join(lines).strip("\n")
            current, lines = match.group(1), []
            if current in solutions:
                raise ValueError(f"{path}: exercise {current} is defined twice")
        elif current is not None:
            lines.append(line)
    if current is not None:
        solutions[current] = "\n".join(lines).strip("\n")
    return solutions


def exercise_cells(nb: dict) -> list[dict]:
    """The exercise cells of a notebook (parsed JSON), in order."""
    return [c for c in nb["cells"] if "exercise" in c.get("metadata", {}).get("tags", [])]


def fill(nb: dict, solutions: dict[str, str]) -> dict:
    """A copy of the notebook with each exercise cell's source replaced by its solution."""
    nb = copy.deepcopy(nb)
    for cell in exercise_cells(nb):
        number = cell["metadata"].get("exercise")
        if number not in solutions:
            raise KeyError(f"no solution for exercise {number!r} (have {sorted(solutions)})")
        source = solutions[number]
        cell["source"] = [line for line in source.splitlines(keepends=True)]
    return nb


def fill_file(notebook: Path) -> dict:
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    return fill(nb, load_solutions(solution_file(notebook)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to fill")
    parser.add_argument("--all", action="store_true", help="every notebook of the series")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="output file (one notebook) or folder (several)")
    args = parser.parse_args(argv)
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if args.all else args.notebooks
    if not notebooks:
        parser.error("name a notebook, or use --all")
    several = len(notebooks) > 1 or args.output.is_dir() or args.all
    if several:
        args.output.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        target = args.output / notebook.name if several else args.output
        target.write_text(json.dumps(fill_file(notebook), indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        print(f"{notebook} -> {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
