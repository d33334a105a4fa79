"""Running graphviz: DOT text in, SVG text out, cached, with install instructions when `dot` is missing."""

from __future__ import annotations

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


def svg_from_dot(source: str, engine: str = "dot") -> str:
    """The SVG graphviz draws for `source`; the same DOT text is laid out only once per process."""
    cached = _CACHE.get(source)
    if cached is not None:
        _CACHE.move_to_end(source)
        return cached
    try:
        svg = graphviz.Source(source, engine=engine).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound() from None
    _CACHE[source] = svg
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return svg


def clear_cache() -> None:
    _CACHE.clear()
