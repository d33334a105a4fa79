"""fuse_stages: a stage becomes one gate whose local gradients are the stage's chain rule, same gradients."""

from __future__ import annotations

import math

import pytest
from article_graphs import NEURON_DW, NEURON_DX, NEURON_F, neuron
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import Value, stage
from autograd_core.gradcheck import check_graph, numeric_gradient
from autograd_core.graph import evaluate, topological_order
from autograd_core.stages import fuse_stages


def test_neuron_fused_into_one_sigmoid_gate_has_the_articles_gradients():
    f, w, x = neuron()
    fused, mapping = fuse_stages(f)
    assert fused._op == "sigmoid"
    assert fused.label == "f"
    assert fused.data == pytest.approx(NEURON_F, abs=1e-15)
    # one fused gate instead of neg, exp, +1, 1/: four gates and two constants fewer
    assert len(topological_order(f)) - len(topological_order(fused)) == 5
    fused.backward()
    assert [mapping[id(v)].grad for v in w] == pytest.approx(NEURON_DW, rel=1e-12)
    assert [mapping[id(v)].grad for v in x] == pytest.approx(NEURON_DX, rel=1e-12)


def test_fused_local_gradient_is_sigmoid_derivative_and_matches_central_difference():
    f, _, _ = neuron()
    fused, _ = fuse_stages(f)
    (z,) = fused._prev
    s = 1 / (1 + math.exp(-z.data))
    assert fused._local == pytest.approx(((1 - s) * s,), rel=1e-12)
    numeric = numeric_gradient(lambda v: evaluate(fused, {id(z): v}), [z.data])
    assert fused._local[0] == pytest.approx(numeric[0], rel=1e-7)


def test_fusing_leaves_the_original_graph_and_its_gradients_alone():
    f, w, _ = neuron()
    f.backward()
    before = [(n.data, n.grad) for n in topological_order(f)]
    fused, _ = fuse_stages(f)
    fused.backward()
    assert [(n.data, n.grad) for n in topological_order(f)] == before


def test_every_node_of_the_fused_graph_passes_a_gradient_check():
    x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    with stage("sigmoid"):
        sy = 1 / (1 + (-y).exp())
    with stage("sigmoid"):
        sx = 1 / (1 + (-x).exp())
    f = (x + sy) / (sx + (x + y) ** 2)
    fused, _ = fuse_stages(f)
    assert [n._op for n in topological_order(fused)].count("sigmoid") == 2
    checks = check_graph(fused)  # the fused gate's rule re-runs the stage on nudged inputs
    assert checks and all(c.ok for c in checks), [(c.name, c.rel_error) for c in checks if not c.ok]


def test_a_stage_with_two_inputs_gets_one_local_gradient_per_input():
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    with stage("softplus_of_product"):
        p = a * b
        out = (1 + p.exp()).log()
    g = out * 2
    fused, mapping = fuse_stages(g)
    gate = mapping[id(out)]
    assert gate._op == "softplus_of_product" and len(gate._prev) == 2
    numeric = numeric_gradient(lambda u, v: math.log(1 + math.exp(u * v)), [a.data, b.data])
    assert gate._local == pytest.approx(numeric, rel=1e-7)
    fused.backward()
    g.backward()
    assert (mapping[id(a)].grad, mapping[id(b)].grad) == pytest.approx((a.grad, b.grad), rel=1e-12)


def test_a_stage_whose_values_are_used_outside_it_stays_expanded():
    x = Value(0.5, label="x")
    with stage("two outputs"):
        e = x.exp()
        t = e * 3
    out = t + e  # e leaves the stage too: the stage has two outputs
    fused, mapping = fuse_stages(out)
    assert [n._op for n in topological_order(fused)] == [n._op for n in topological_order(out)]
    assert mapping[id(e)] is not mapping[id(t)]


def test_nested_stages_fuse_at_the_outermost_and_inner_nodes_map_to_the_gate():
    x = Value(0.3, label="x")
    with stage("outer"):
        with stage("inner"):
            a = x * x
        b = a.tanh()
    out = b + x
    fused, mapping = fuse_stages(out)
    ops = [n._op for n in topological_order(fused)]
    assert ops.count("outer") == 1 and "inner" not in ops and "tanh" not in ops
    assert mapping[id(a)] is mapping[id(b)]
    assert all(n._stage is None for n in topological_order(fused))
    fused.backward()
    out.backward()
    assert mapping[id(x)].grad == pytest.approx(x.grad, rel=1e-12)


def test_a_graph_without_stages_is_copied_unchanged():
    x = Value(2.0, label="x")
    y = x * x + 1
    fused, mapping = fuse_stages(y)
    assert fused is not y and mapping[id(x)] is not x
    def ops(root):
        return [(n._op, n.data) for n in topological_order(root)]

    assert ops(fused) == ops(y)


OPS = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    lambda a, b: (a * 0.5).tanh() * b,
    lambda a, b: a.sigmoid() + b * b,
    lambda a, b: (a * a + 1).log() - b.exp() * 0.1,
]


@settings(max_examples=60, deadline=None)
@given(
    xs=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    recipe=st.lists(
        st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 9), st.integers(0, 9), st.booleans()),
        min_size=1,
        max_size=8,
    ),
)
def test_fused_gradients_equal_expanded_ones_on_random_staged_expressions(xs, recipe):
    leaves = [Value(x, label=f"x{k}") for k, x in enumerate(xs)]
    pool = list(leaves)
    for op, i, j, staged in recipe:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if staged:
            with stage(f"s{len(pool)}"):
                pool.append(OPS[op](a, b))
        else:
            pool.append(OPS[op](a, b))
    out = pool[-1]
    fused, mapping = fuse_stages(out)
    out.backward()
    fused.backward()
    assert fused.data == out.data
    for leaf in leaves:
        if id(leaf) in mapping:  # the leaves the output depends on
            assert mapping[id(leaf)].grad == pytest.approx(leaf.grad, rel=1e-9, abs=1e-12)
