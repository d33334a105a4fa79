"""Notebook 05 (backward and the topological sort): a student's sort, the naive recursion, backward twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd_core import Value, graph

from ..naive import naive_recursive_backward_steps
from .answers import is_unanswered
from .checks import check_numbers, gradient_hint, gradients
from .examples import fork, mse, neuron, nodes_by_label, staged_function
from .feedback import Feedback, Item
from .naming import node_name, use_names
from .report import unanswered, verdict


def _test_graphs() -> list[Value]:
    return [mse(), fork(), staged_function(), neuron(fused=False)]


def topological_sort(student: Any) -> Feedback:
    """Exercise: write build_topo(root) -> list, every node once, each after all of its inputs."""
    title = "Your topological sort"
    if is_unanswered(student):
        return unanswered(title, "build_topo")
    if not callable(student):
        message = f"expected a function, got {type(student).__name__}"
        return verdict(title, Item("build_topo", "wrong", message))
    for root in _test_graphs():
        use_names(root)
        problem, node = _order_problem(student, root)
        if problem:
            item = Item("build_topo", "wrong", f"on the graph of {node_name(root)}: {problem[0]}", problem[1])
            return verdict(title, item, root=root, highlight=node)
    item = Item("build_topo", "correct", "every node exactly once, each after its inputs, on 4 graphs "
                "(including b = a + a; c = b + b)")
    return verdict(title, item)


def _order_problem(student: Callable, root: Value) -> tuple[tuple[str, str] | None, Value | None]:
    try:
        order = student(root)
    except RecursionError:
        return ("your function recursed forever", "mark a node as visited before you visit its inputs"), root
    except Exception as err:
        return (f"your function raised {type(err).__name__}: {err}", ""), root
    if is_unanswered(order):
        return ("your function returned ...", "return the list of nodes"), root
    try:
        order = list(order)
    except TypeError:
        return (f"expected a list of nodes, got {type(order).__name__}", "return the list"), root
    everything = graph.topological_order(root)
    position: dict[int, int] = {}
    for k, n in enumerate(order):
        if not isinstance(n, Value):
            return (f"item {k} of your list is a {type(n).__name__}, not a node", "append the nodes"), root
        if id(n) in position:
            return (f"{node_name(n)} appears twice", "keep a set of visited nodes and skip those"), n
        position[id(n)] = k
    missing = [n for n in everything if id(n) not in position]
    if missing:
        return (f"{node_name(missing[0])} is missing ({len(missing)} node(s) in all)",
                "visit every input of every node, recursively"), missing[0]
    if len(order) != len(everything):
        return ("your list has nodes that are not in this graph", ""), root
    for n in everything:
        for p in n._prev:
            if position[id(p)] > position[id(n)]:
                return (f"{node_name(n)} comes before its input {node_name(p)}",
                        "append a node only after all of its inputs have been appended"), n
    if order[-1] is not root:
        return ("the root should come last", "append the node after visiting its inputs"), root
    return None, None


def naive_versus_sorted(naive: Any, correct: Any) -> Feedback:
    """Exercise: a.grad for a = 1; b = a + a; c = b + b, with the naive recursion and with backward()."""
    naive_graph = fork()
    naive_recursive_backward_steps(naive_graph)  # the sort player's foil, run on a graph of its own
    root = fork()
    use_names(root)
    nodes, grads = nodes_by_label(root), gradients(root)
    hints = {
        "naive a.grad": "the naive recursion passes b's gradient on twice: first when b has 1, then "
                        "again when b has 2 (it re-sends what it already sent)",
        "a.grad": gradient_hint(root, nodes["a"], grads),
    }
    expected = {"naive a.grad": nodes_by_label(naive_graph)["a"].grad, "a.grad": grads[id(nodes["a"])]}
    return check_numbers("Naive recursion versus topological order",
                         {"naive a.grad": naive, "a.grad": correct}, expected, hints,
                         root=root, nodes={"naive a.grad": nodes["b"], "a.grad": nodes["a"]})


def backward_twice(w_grad: Any, wx_grad: Any) -> Feedback:
    """Exercise: w.grad and wx.grad after calling loss.backward() twice on the MSE graph."""
    loss = mse()
    loss.backward()
    loss.backward()
    nodes = nodes_by_label(loss)
    hints = {
        "w.grad": "inputs (leaves) accumulate across calls, as in PyTorch: call zero_grad() in between",
        "wx.grad": "intermediate gradients start fresh on every backward() call",
    }
    return check_numbers("Calling backward() twice", {"w.grad": w_grad, "wx.grad": wx_grad},
                         {"w.grad": nodes["w"].grad, "wx.grad": nodes["wx"].grad}, hints,
                         root=loss, nodes={"w.grad": nodes["w"], "wx.grad": nodes["wx"]})
