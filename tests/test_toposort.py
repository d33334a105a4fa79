"""TopoSortPlayer, headless: the DFS events on the MSE graph, backward over the order, the naive foil."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from article_graphs import mse

from autograd_core import Value
from widgets import TopoSortPlayer
from widgets.exercises import examples
from widgets.toposort import naive_recursive_backward_steps

SVG = "{http://www.w3.org/2000/svg}"


def fork():
    """a = 1; b = a + a; c = b + b (article section 6's question): c = 4a, so dc/da = 4."""
    c = examples.fork()
    return c, examples.nodes_by_label(c)["a"]


def search(player: TopoSortPlayer) -> list[tuple[str, str]]:
    return [(f.kind, player.names[f.node]) for f in player.steps if f.phase == "sort"]


def texts(svg: str, group_class: str) -> list[str]:
    root = ET.fromstring(svg)
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == group_class:
            return ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
    raise AssertionError(f"no group {group_class!r} in the SVG")


def test_dfs_events_on_the_mse_graph_in_the_order_of_the_recursive_build_topo():
    loss, _ = mse(named_steps=True)
    player = TopoSortPlayer(loss)
    # By hand, from build_topo: visit(loss) -> visit(diff) -> visit(wx) -> w, x; then the negation of y.
    neg = player.names[4]  # the unnamed -y node (its generated name)
    assert search(player) == [
        ("enter", "loss"), ("enter", "diff"), ("enter", "wx"),
        ("enter", "w"), ("append", "w"), ("enter", "x"), ("append", "x"), ("append", "wx"),
        ("enter", neg), ("enter", "y"), ("append", "y"), ("append", neg),
        ("append", "diff"), ("append", "loss"),
    ]
    enter_w = next(f for f in player.steps if f.kind == "enter" and player.names[f.node] == "w")
    assert [player.names[i] for i in enter_w.stack] == ["loss", "diff", "wx", "w"]


def test_the_order_list_grows_in_the_picture_and_the_last_sort_frame_holds_every_node():
    loss, _ = mse(named_steps=True)
    player = TopoSortPlayer(loss)
    k = next(f.index for f in player.steps if f.kind == "append" and player.names[f.node] == "wx")
    player.goto(k)
    assert player.order == ["w", "x", "wx"]
    assert texts(player.svg, "bp-order") == ["w", "1", "x", "2", "wx", "3"]
    assert texts(player.svg, "bp-badges") == ["1", "2", "3"]
    last_sort = max(f.index for f in player.steps if f.phase == "sort")
    player.goto(last_sort)
    assert player.order == ["w", "x", "wx", "y", player.names[4], "diff", "loss"]


def test_the_live_picture_reveals_the_order_list_by_position():
    """Frames show "the first K" slots with :nth-child(-n+K): the list's group must hold only slots."""
    loss, _ = mse(named_steps=True)
    player = TopoSortPlayer(loss)
    html = player.view.value
    live = ET.fromstring(html[html.find("<svg"):html.find("</svg>") + 6])
    order = next(g for g in live.iter(f"{SVG}g") if g.get("class") == "bp-order")
    assert [child.tag for child in order] == [f"{SVG}g"] * 7
    player.goto(max(f.index for f in player.steps if f.phase == "sort"))
    assert ".bp-order>g:nth-child(-n+7)" in player.style_html.value


def test_only_the_nodes_on_the_search_stack_are_outlined():
    loss, _ = mse(named_steps=True)
    player = TopoSortPlayer(loss)
    k = next(f.index for f in player.steps if f.kind == "enter" and player.names[f.node] == "x")
    player.goto(k)
    root = ET.fromstring(player.svg)
    stack = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "bp-stack")
    ids = sorted(r.get("id").rsplit("-s", 1)[1] for r in stack)
    assert sorted(player.names[int(i)] for i in ids) == sorted(["loss", "diff", "wx", "x"])


def test_backward_walks_the_order_in_reverse_and_ends_with_the_article_gradients():
    loss, (w, x, y) = mse(named_steps=True)
    player = TopoSortPlayer(loss)
    backward = [f for f in player.steps if f.phase in ("backward", "done")]
    assert [f.pointer for f in backward] == list(range(6, -1, -1))
    player.last()
    assert player.phase == "done"
    assert {k: player.grads[k] for k in ("w", "x", "y", "loss")} == {"w": 112.0, "x": -84.0, "y": 28.0,
                                                                     "loss": 1.0}
    assert (w.grad, x.grad, y.grad) == (0.0, 0.0, 0.0)  # the player works on a copy


def test_a_node_used_twice_is_revisited_and_appended_once():
    c, _ = fork()
    player = TopoSortPlayer(c)
    assert search(player) == [
        ("enter", "c"), ("enter", "b"), ("enter", "a"), ("append", "a"), ("revisit", "a"),
        ("append", "b"), ("revisit", "b"), ("append", "c"),
    ]


def test_naive_recursion_gets_a_grad_wrong_and_the_topological_order_gets_4():
    c, a = fork()
    player = TopoSortPlayer(c, naive=True)
    player.last()
    # By hand: c gives b 1; b passes 1 to a twice (a = 2); c gives b 1 more (b = 2); b passes 2 twice: 6.
    assert player.grads["a"] == 6.0
    assert "a.grad = 6" in player.narration and "4" in player.narration
    player.naive = False
    assert player.naive_toggle.value is False and player.index == 0
    player.last()
    assert player.grads["a"] == 4.0
    assert a.grad == 0.0


def test_the_naive_player_marks_the_step_that_passes_on_an_incomplete_gradient():
    c, _ = fork()
    player = TopoSortPlayer(c, naive=True)
    warned = [f for f in player.steps if f.warn]
    first = warned[0]
    assert player.names[first.node] == "b"
    player.goto(first.index)
    assert "b's gradient is not complete" in player.narration and "has 1 now" in player.narration
    assert "will end with 2" in player.narration
    assert texts(player.svg, "bp-warnings") == ["\u26a0"]
    # the steps before it were fine: c's first share to b is correct when it is passed
    assert not any(f.warn for f in player.steps[: first.index])


def test_the_naive_recursion_as_a_function():
    c, a = fork()
    steps = naive_recursive_backward_steps(c)
    assert [(s.node.label, s.parent.label, s.upstream, s.after) for s in steps] == [
        ("c", "b", 1.0, 1.0), ("b", "a", 1.0, 1.0), ("b", "a", 1.0, 2.0),
        ("c", "b", 1.0, 2.0), ("b", "a", 2.0, 4.0), ("b", "a", 2.0, 6.0),
    ]
    assert a.grad == 6.0


def test_the_naive_recursion_refuses_a_graph_where_it_would_explode():
    x = Value(1.0, label="x")
    for _ in range(12):  # 2**12 paths
        x = x + x
    with pytest.raises(ValueError, match="naive recursion takes more than"):
        naive_recursive_backward_steps(x)
    with pytest.raises(ValueError, match="small graph with a fork"):
        TopoSortPlayer(x, naive=True)


def test_controls_bounds_and_slider():
    loss, _ = mse(named_steps=True)
    player = TopoSortPlayer(loss)
    player.prev()
    assert player.index == 0 and player.prev_button.disabled
    player.next_button.click()
    assert player.index == 1 and player.slider.value == 1
    player.slider.value = 5
    assert player.index == 5
    player.play.value = 7  # what a Play tick does
    assert player.index == 7
    player.last()
    assert player.next_button.disabled and player.phase == "done"
    with pytest.raises(TypeError):
        player.goto("3")


def test_hostile_label_is_text_in_the_svg_and_the_narration():
    evil = "</script><img src=x onerror=alert(1)>"
    a = Value(2.0, label=evil)
    out = a * a
    out.label = "out"
    player = TopoSortPlayer(out)
    player.goto(3)
    assert "<img" not in player.svg and "<img" not in player.narration_html.value
    assert evil in texts(player.svg, "bp-order")
