"""Backprop Lab's autograd engine: scalar `Value` and array `Tensor` graphs, a replayable backward pass.

The scalar engine (Value, gates, graph, stages, gradcheck) needs only the standard library. `Tensor` and
`nn` need numpy, so they are imported the first time they are used (PEP 562 `__getattr__` below):
`import autograd_core` stays light, and a browser kernel without numpy can run the scalar lessons.
"""

from importlib import import_module
from typing import Any

from . import gradcheck, graph
from .gate import Gate, define_gate, gate
from .graph import backward_steps, forward_steps, topo_sort_steps, topological_order
from .stages import Stage, stage
from .value import Value

# name -> (module that defines it, attribute in it; None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    "Tensor": (".tensor", "Tensor"),
    "TensorGate": (".tensor", "TensorGate"),
    "tensor_gate": (".tensor", "tensor_gate"),
    "nn": (".nn", None),
    "tensor": (".tensor", None),
    "tensor_gates": (".tensor_gates", None),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    try:
        module = import_module(module_name, __name__)
    except ModuleNotFoundError as e:
        if e.name != "numpy":
            raise
        raise ModuleNotFoundError(
            f"autograd_core.{name} needs numpy, which is not installed in this Python. "
            "Install it (pip install numpy; in JupyterLite it loads from Pyodide's package site, "
            "which needs an internet connection), then run this cell again. "
            "The scalar engine (Value) works without it.",
            name="numpy",
        ) from None
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Gate",
    "Stage",
    "Tensor",
    "TensorGate",
    "Value",
    "backward_steps",
    "define_gate",
    "forward_steps",
    "gate",
    "gradcheck",
    "graph",
    "nn",
    "stage",
    "tensor_gate",
    "topo_sort_steps",
    "topological_order",
]
