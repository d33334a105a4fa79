"""Backprop Lab's widgets: draw a graph, step through its forward and backward pass, and debug it.

Every name is imported the first time it is used (PEP 562 `__getattr__` below), so `import widgets`
is quick and pulls in neither ipywidgets nor numpy; Pillow and matplotlib load only for exports.
"""

from importlib import import_module
from typing import Any

# name -> module that defines it
_LAZY: dict[str, str] = {
    "Drawing": ".drawing",
    "GradCheckView": ".gradcheck_view",
    "GraphStepper": ".stepper",
    "GraphTooLarge": ".budget",
    "GraphvizNotFound": ".render",
    "Overview": ".overview",
    "TopoSortPlayer": ".toposort",
    "draw": ".drawing",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Drawing",
    "GradCheckView",
    "GraphStepper",
    "GraphTooLarge",
    "GraphvizNotFound",
    "Overview",
    "TopoSortPlayer",
    "draw",
]
