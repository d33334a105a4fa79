"""Running graphviz: DOT text in, SVG text out, cached, with install instructions when `dot` is missing."""

from __future__ import annotations

import subprocess
from collections import OrderedDict

import graphviz

INSTALL_HELP = (
    "Graphviz (the `dot` program) is not installed, so the graph cannot be drawn.\n"
    "Install it, then restart the kernel:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install -c conda-forge graphviz\n"
    "  Windows:        winget install graphviz  (or https://graphviz.org/download/), then add it to PATH\n"
    "(pip install graphviz installs only the Python bindings, not the program.)"
)


class GraphvizNotFound(RuntimeError):
    """Graphviz's `dot` program is not installed (the message says how to install it)."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HELP)


_CACHE: OrderedDict[str, str] = OrderedDict()
_CACHE_SIZE = 16


# A layout that takes longer than this is stopped (and the graph drawn folded): the budget judges a
# graph by its shape before graphviz runs, but some shapes still take graphviz far longer.
LAYOUT_TIMEOUT_S = 2.0


def svg_from_dot(source: str, engine: str = "dot") -> str:
    """The SVG graphviz draws for `source`; the same DOT text is laid out only once per process.

    graphviz gets LAYOUT_TIMEOUT_S seconds; past that it is stopped and GraphTooLarge says what to do.
    """
    cached = _CACHE.get(source)
    if cached is not None:
        _CACHE.move_to_end(source)
        return cached
    try:
        done = subprocess.run([engine, "-Tsvg"], input=source.encode("utf-8"), capture_output=True,
                              timeout=LAYOUT_TIMEOUT_S)
    except FileNotFoundError:
        raise GraphvizNotFound() from None
    except subprocess.TimeoutExpired:
        from .budget import OPTIONS, GraphTooLarge

        raise GraphTooLarge(
            f"graphviz did not finish laying out this graph in {LAYOUT_TIMEOUT_S:g} s (it was stopped). "
            f"{OPTIONS}"
        ) from None
    if done.returncode != 0:
        raise graphviz.CalledProcessError(done.returncode, [engine, "-Tsvg"], output=done.stdout,
                                          stderr=done.stderr)
    svg = done.stdout.decode("utf-8")
    _CACHE[source] = svg
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return svg


def clear_cache() -> None:
    _CACHE.clear()
