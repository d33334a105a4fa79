"""The graph module: orders, forward and backward steps, the DFS events, clones, determinism."""

import subprocess
import sys
import textwrap

import pytest
from article_graphs import mse

from autograd_core import Value
from autograd_core.graph import (
    backward_steps,
    clone,
    evaluate,
    forward_steps,
    topo_sort_steps,
    topological_order,
)


def build_topo_recursive(root):
    """The article's recursive topological sort, as the reference order."""
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(root)
    return topo


GATES = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a.tanh(),
    lambda a, b: a - b,
    lambda a, b: (a * 0.3).sigmoid(),
]


def random_graph(seed: int, size: int = 40):
    import random

    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-2, 2), f"x{i}") for i in range(4)]
    for _ in range(size):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice(GATES)(a, b))
    return sum(nodes[-6:], Value(0.0)), nodes[:4]


def test_topological_order_matches_the_articles_recursive_sort():
    for seed in range(20):
        root, _ = random_graph(seed)
        assert topological_order(root) == build_topo_recursive(root)


def test_every_node_comes_after_its_inputs_and_root_is_last():
    root, _ = random_graph(3, 200)
    order = topological_order(root)
    position = {id(n): i for i, n in enumerate(order)}
    assert order[-1] is root
    assert len(position) == len(order)
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node._prev)


def test_forward_steps_replay_each_value_from_its_inputs():
    loss, (w, x, y) = mse()
    steps = list(forward_steps(loss))
    assert [s.node for s in steps] == topological_order(loss)
    by_op = {s.node._op: s for s in steps if s.node._op}
    assert by_op["*"].inputs == (3.0, -4.0) and by_op["*"].value == -12.0
    assert by_op["+"].inputs == (-12.0, -2.0) and by_op["+"].value == -14.0
    assert by_op["**2"].value == 196.0
    for s in steps:
        if s.node._prev:
            assert s.node._recompute(list(s.inputs)) == s.value


def test_backward_steps_record_upstream_local_and_contribution():
    loss, (w, x, y) = mse()
    steps = list(backward_steps(loss))
    assert [s.node for s in steps] == topological_order(loss)[::-1]
    first = steps[0]
    assert first.node is loss and first.upstream == 1.0
    (c,) = first.contributions
    assert (c.local, c.value, c.before, c.after) == (-28.0, -28.0, 0.0, -28.0)
    mul = next(s for s in steps if s.node._op == "*")
    assert mul.upstream == -28.0
    assert [(c.parent, c.local, c.value) for c in mul.contributions] == [(w, -4.0, 112.0), (x, 3.0, -84.0)]
    for s in steps:
        for c in s.contributions:
            assert c.value == s.upstream * c.local
            assert c.after == c.before + c.value


def test_replaying_the_records_reproduces_every_final_gradient():
    for seed in range(10):
        root, _ = random_graph(seed, 60)
        records = list(backward_steps(root))
        replayed = {id(root): 1.0}
        for step in records:
            assert step.upstream == pytest.approx(replayed.get(id(step.node), 0.0), rel=1e-12, abs=1e-15)
            for c in step.contributions:
                replayed[id(c.parent)] = replayed.get(id(c.parent), 0.0) + c.value
        for node in topological_order(root):
            assert node.grad == pytest.approx(replayed.get(id(node), 0.0), rel=1e-12, abs=1e-15)


def test_backward_is_exactly_running_the_steps_to_the_end():
    a, _ = random_graph(11, 80)
    b, _ = random_graph(11, 80)
    a.backward()
    for _ in backward_steps(b):
        pass
    assert [n.grad for n in topological_order(a)] == [n.grad for n in topological_order(b)]


def test_a_leaf_root_accumulates_and_a_seed_can_be_given():
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0
    y = Value(1.5)
    z = y * y
    list(backward_steps(z, grad=2.0))
    assert y.grad == 6.0


def test_topo_sort_steps_are_the_dfs_of_the_article():
    loss, (w, x, y) = mse()
    events = list(topo_sort_steps(loss))
    appended = [e.node for e in events if e.kind == "append"]
    assert appended == topological_order(loss)
    assert [e.position for e in events if e.kind == "append"] == list(range(len(appended)))
    entered = [e.node for e in events if e.kind == "enter"]
    assert len(entered) == len(appended) and entered[0] is loss
    # each node is entered before it is appended, and appended only after all its inputs
    seen_at = {}
    for i, e in enumerate(events):
        seen_at.setdefault((e.kind, id(e.node)), i)
    for node in appended:
        assert seen_at[("enter", id(node))] < seen_at[("append", id(node))]
        for p in node._prev:
            assert seen_at[("append", id(p))] < seen_at[("append", id(node))]
    kinds = [(e.kind, e.node.label or e.node._op) for e in events]
    assert kinds[:4] == [("enter", "loss"), ("enter", "+"), ("enter", "*"), ("enter", "w")]


def test_topo_sort_steps_show_the_revisit_of_a_shared_node():
    a = Value(1.0, "a")
    b = a + a
    c = b + b
    events = [(e.kind, e.node) for e in topo_sort_steps(c)]
    assert events == [
        ("enter", c), ("enter", b), ("enter", a), ("append", a), ("revisit", a), ("append", b),
        ("revisit", b), ("append", c),
    ]


def test_a_chain_of_a_million_nodes_needs_no_recursion():
    x = Value(0.5)
    v = x
    for _ in range(1_000_000):
        v = -v
    assert len(topological_order(v)) == 1_000_001
    v.backward()
    assert x.grad == 1.0
    assert sum(1 for _ in topo_sort_steps(v)) == 2 * 1_000_001
    assert sum(1 for _ in forward_steps(v)) == 1_000_001


def test_clone_copies_the_graph_without_touching_gradients():
    loss, (w, x, y) = mse()
    loss.backward()
    copy, copies = clone(loss)
    assert copies[id(w)].data == 3.0 and copies[id(w)].label == "w" and copies[id(w)] is not w
    assert copy._op == "**2" and copy.grad == 0.0
    copy.backward()
    assert copies[id(w)].grad == 112.0 and w.grad == 112.0
    copy.backward()
    assert copies[id(w)].grad == 224.0 and w.grad == 112.0


def test_evaluate_re_runs_the_rules_with_a_nudged_node():
    loss, (w, x, y) = mse()
    assert evaluate(loss) == 196.0
    assert evaluate(loss, {id(w): 3.5}) == (3.5 * -4 - 2) ** 2
    assert loss.data == 196.0


ORDER_SCRIPT = textwrap.dedent(
    """
    import random
    from autograd_core import Value
    from autograd_core.graph import topological_order, topo_sort_steps
    rng = random.Random(7)
    nodes = [Value(rng.uniform(-1, 1), f"x{i}") for i in range(5)]
    for i in range(300):
        a, b = rng.choice(nodes), rng.choice(nodes)
        n = (a * b) if i % 3 else (a + b).tanh()
        n.label = f"n{i}"
        nodes.append(n)
    root = sum(nodes[-10:], Value(0.0, "zero"))
    print([n.label for n in topological_order(root)])
    print([(e.kind, e.node.label) for e in topo_sort_steps(root)])
    """
)


def test_the_order_is_the_same_in_every_fresh_process():
    outputs = set()
    for seed in range(5):
        env = {"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"}
        result = subprocess.run(
            [sys.executable, "-c", ORDER_SCRIPT], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
