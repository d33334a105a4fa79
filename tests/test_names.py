"""Node names in drawings and narrations: labels, derived names, generated names."""

from autograd_core import Value


def test_unlabelled_unary_gates_are_named_after_their_input():
    from autograd_core.graph import topological_order
    from widgets.planning.names import node_names

    w, x, y = Value(3.0, "w"), Value(-4.0, "x"), Value(2.0, "y")
    loss = (w * x - y) ** 2
    names = node_names(topological_order(loss))
    assert names == ["w", "x", "n2", "y", "-y", "n5", "L"]
    z = (x * w).tanh()
    minus_z = -z
    names = node_names(topological_order((-minus_z).exp() + 1))
    assert names[3:6] == ["tanh(n2)", "-tanh(n2)", "-(-tanh(n2))"]
    clash = Value(1.0, "-y")
    assert node_names(topological_order(clash + (-y)))[-2:] == ["-y'", "L"]


def test_a_student_gate_on_a_named_input_reads_as_a_function():
    import math

    from autograd_core import gate
    from autograd_core.graph import topological_order
    from widgets.planning.names import node_names

    @gate("softplus")
    def softplus(x):
        return math.log1p(math.exp(x)), (1 / (1 + math.exp(-x)),)

    x = Value(0.5, "x")
    assert node_names(topological_order(softplus(x) * 3)) == ["x", "softplus(x)", "3", "L"]
    assert node_names(topological_order(x**2 * 3))[1] == "n1"  # '**2' is not a word: generated name
