"""Exercise checkers for the notebooks: compare a student's answer with the engine and say what is wrong.

Every checker answers at once with a `Feedback`: "correct", "not quite" (which input is wrong, a hint
such as "a multiply gate swaps its inputs: multiply the upstream -28 by the local -4", and the graph
with the wrong node outlined) or "not answered yet" when a `...` is still in place, so that a notebook
with unanswered exercises still runs from top to bottom. A first wrong answer gets the hint without
the expected value, so that there is something left to work out; a second wrong answer to the same
exercise (or `reveal()`) states the expected value and the finished arithmetic. Expected values
always come from the engine itself (a fresh backward pass, a gate's own rule); nothing here computes
a gradient by other means.

In a notebook a checker displays its feedback as soon as it is called; outside IPython it prints it.

The modules: `feedback` (the verdict and its rendering), `report` (showing it, hints first, `reveal`),
`answers` (reading an answer), `naming` (nodes called as the drawing calls them), `hints` (what a gate
does to a gradient, in words), `checks` and `gate_checks` (generic checks), `examples` (the article's
graphs), and one module per notebook, `lesson00` to `lesson09`. Notebooks import this package:
`from widgets import exercises as ex`, then `ex.first_gradient(...)`.
"""

from .answers import UNANSWERED, close, is_unanswered
from .checks import check_gradients, check_numbers, contribution_hint, gradient_hint, gradients
from .examples import circuit, expression, fork, mse, neuron, nodes_by_label, staged_function
from .feedback import Feedback, Item
from .gate_checks import check_gate
from .hints import gate_hint
from .lesson00 import first_expression, first_gradient
from .lesson01 import circuit_gradients, multiply_gate, nudge
from .lesson02 import fork_contributions, staged_backward
from .lesson03 import neuron_gradients, sigmoid_gate, sigmoid_local
from .lesson04 import cube_gate, mse_gradients, prev_and_op
from .lesson05 import backward_twice, naive_versus_sorted, topological_sort
from .lesson06 import descent_step, diverging_rate, one_step
from .lesson07 import parameter_count, train_step
from .lesson08 import matmul_backward, matmul_shapes, max_gradient, sum_to_shape
from .lesson09 import first_nonfinite, softplus_gate, vanishing_bound, wrong_gate
from .naming import node_name
from .report import forget_tries, reveal

__all__ = [
    "UNANSWERED", "Feedback", "Item", "backward_twice", "check_gate", "check_gradients", "check_numbers",
    "circuit", "circuit_gradients", "close", "contribution_hint", "cube_gate", "descent_step",
    "diverging_rate", "expression", "first_expression", "first_gradient", "first_nonfinite", "forget_tries",
    "fork", "fork_contributions", "gate_hint", "gradient_hint", "gradients", "is_unanswered",
    "matmul_backward", "matmul_shapes", "max_gradient", "mse", "mse_gradients", "multiply_gate",
    "naive_versus_sorted", "neuron", "neuron_gradients", "node_name", "nodes_by_label", "nudge",
    "one_step", "parameter_count", "prev_and_op", "reveal", "sigmoid_gate", "sigmoid_local",
    "softplus_gate", "staged_backward", "staged_function", "sum_to_shape", "topological_sort",
    "train_step", "vanishing_bound", "wrong_gate",
]
