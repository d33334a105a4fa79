"""Each notebook's kernel peak memory: run it with nbclient, then read the kernel process's peak RSS.

    .venv/bin/python benchmarks/notebook_memory.py            # every notebook in notebooks/
    .venv/bin/python benchmarks/notebook_memory.py 00 04      # only these

Peak RSS is the kernel's VmHWM from /proc (Linux): what the notebook holds at most after Run All.
The figures go into notebook 00 and docs/instructor.md ("shutting kernels down").
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


# Run last, inside the kernel: its own peak and current resident memory, from /proc (Linux).
_READ_MEMORY = """
fields = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
print(int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024)
"""


def measure(path: Path) -> tuple[float, float]:
    """(peak RSS, RSS after Run All) of the notebook's kernel, in MiB."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_READ_MEMORY))
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    peak, now = (float(v) for v in text.split())
    return peak, now


def main(argv: list[str]) -> None:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if argv:
        paths = [p for p in paths if any(p.name.startswith(a) for a in argv)]
    total = 0.0
    for path in paths:
        peak, now = measure(path)
        total += now
        print(f"{path.stem:40s} peak {peak:6.0f} MiB   after Run All {now:6.0f} MiB", flush=True)
    print(f"{'all of them open at once (after Run All)':40s} {total:6.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1:])
