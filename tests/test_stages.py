"""Stages recorded by nn modules: a neuron inside a layer inside an MLP, for folding large graphs."""

from autograd_core import Value, nn, stage
from autograd_core.graph import topological_order


def test_nn_modules_record_nested_stages():
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([Value(0.5), Value(-1.0)])
    assert out._stage.name == "Neuron"
    assert out._stage.parent.name == "Layer"
    assert out._stage.parent.parent.name == "MLP"
    assert out._stage.outermost().owner is model
    neurons = {id(n._stage) for n in topological_order(out) if n._stage and n._stage.name == "Neuron"}
    assert len(neurons) == 4  # 3 hidden neurons and the output neuron
    assert (out * 2)._stage is None


def test_stage_is_reentrant_per_block_and_nests():
    with stage("a") as a:
        x = Value(1.0) * 2
        with stage("b") as b:
            y = x + 1
        z = y * 3
    assert (x._stage, y._stage, z._stage) == (a, b, a)
    assert b.parent is a and a.parent is None
