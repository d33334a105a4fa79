"""Loaded by the JupyterLite site's kernel at start: says what to do when a package could not be fetched.

The site ships what notebooks 00-05 need. numpy, matplotlib and Pillow (notebooks 06-09) are fetched by
Pyodide from its package CDN the first time a cell imports them; offline, or on a network that blocks
the CDN, that download fails and Python says only "ModuleNotFoundError: No module named 'numpy'".
scripts/build_lite.py packs this file into a small wheel that the kernel loads at start (an IPython
extension, named in the site's IPython config); it replaces that error with what happened and what to do.
"""

from __future__ import annotations

import json
from pathlib import Path

# {import name: where it is fetched from}, written by scripts/build_lite.py for the packages it did not ship
REMOTE: dict[str, str] = json.loads((Path(__file__).with_name("backprop_lab_lite.json")).read_text())


def explain(name: str, source: str) -> str:
    """The message a student sees instead of the bare ModuleNotFoundError (lines under 80 characters)."""
    return (
        f"{name} could not be fetched from {source}.\n\n"
        f"This notebook needs {name}. The site ships everything notebooks 00-05 need; numpy,\n"
        "matplotlib and Pillow are downloaded when a cell first imports them, and this\n"
        "browser could not reach the address above (it is offline, or the network blocks it).\n\n"
        "What to do:\n"
        "  - connect to the internet (or ask for that address to be allowed), then\n"
        "    Kernel > Restart Kernel and Run All Cells;\n"
        f"  - or open this notebook where {name} is installed: Binder, Colab or your own\n"
        "    Jupyter (see the README);\n"
        "  - notebooks 00-05 need no numpy: they run here offline."
    )


def _handler(shell, etype, value, tb, tb_offset=None) -> None:
    # IPython 9 (the site's) leaves the showing to the handler: the cell then fails as with any error
    name = (getattr(value, "name", None) or "").split(".")[0]
    if name not in REMOTE:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return
    text = explain(name, REMOTE[name])
    value.msg = text.split("\n", 1)[0]  # what str(error) says: the first line
    shell._showtraceback(etype, value, text.split("\n"))


def load_ipython_extension(shell) -> None:
    shell.set_custom_exc((ModuleNotFoundError,), _handler)
