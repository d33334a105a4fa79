"""`TopoSortPlayer`: the depth-first topological sort that `backward()` runs, then the backward pass
walking the sorted list in reverse; and, as a foil, the naive recursion that gets forks wrong.

The picture is the stepper's: one graphviz layout (scene.py), restyled per frame by a small
stylesheet. On top of it this module draws the sort's own state: the nodes on the search's stack
(dashed outlines), a numbered badge on each finished node, and the order list growing under the
graph. The events come from `autograd_core.graph.topo_sort_steps`, the gradients from the engine's
own recorded backward steps; the naive recursion is the only thing computed here, on purpose wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

import ipywidgets as w

from autograd_core.graph import backward_steps, clone, topo_sort_steps
from autograd_core.node import is_constant

from ..exports.export import Exports, Pack
from ..planning import formatting
from ..planning.plan import Plan, check_root, make_plan
from ..rendering import fit
from ..rendering.dotgraph import escape as svg_text
from ..rendering.fit import Fit, Side, fit_width_style
from ..rendering.layout import SVG
from ..rendering.render import GraphvizNotFound
from ..rendering.scene import Fitted, Scene, View, translate_of
from ..rendering.themes import Theme, check_digits, check_direction, check_style, get_theme
from ..story import narration
from ..story.frames import Frame, GradUpdate, Timeline
from ..story.naive import NaiveStep, naive_recursive_backward_steps
from ..story.narration import Narration, Piece, Share
from ..story.replay import Story, tell
from .player import SPEEDS, FramePlayer, check_speed, narration_css, new_id

PHASE_TEXT = {
    "start": "start: values computed, no gradient yet",
    "sort": "topological sort: depth-first search",
    "backward": "backward pass: walking the order in reverse",
    "naive": "naive recursion (wrong at forks)",
    "done": "done",
}

@dataclass(frozen=True)
class SortFrame:
    """One picture of the sort player.

    kind: "start", "enter", "revisit", "append" (the search), "backward" (the engine's backward
    step), "naive" (one contribution of the naive recursion) or "summary".
    `base` is the stepper frame whose values, gradients and highlight this picture shows.
    """

    index: int
    phase: str
    kind: str
    node: int | None  # topological index of the node this frame is about
    stack: tuple[int, ...]  # nodes the search has entered and not finished, outermost first
    appended: int  # the first this many nodes of the order are in the list
    pointer: int | None  # the position in the order the backward pass is at
    base: Frame
    narration: Narration
    warn: bool = False  # naive: this step passes on a gradient that is not complete yet


class _Overlay:
    """The sort's own drawing over one scene: stack outlines, order badges, warnings, the order list."""

    def __init__(self, scene: Scene, plan: Plan, order: list[int], theme: Theme) -> None:
        self.scene, self.plan, self.order, self.t = scene, plan, order, theme
        lay = scene.layout
        self.sid = f"#{lay.svg_id}"
        self.prefix = p = lay.prefix
        t = theme
        boxes = {i: (b.x0, b.y0, b.x1, b.y1) for i, b in lay.node_boxes.items()}
        tx, ty = translate_of(lay.transform)
        pad = 3 + t.penwidth
        size = t.font_size
        r = size * 0.62
        dash = f"{4 * t.penwidth:g} {3 * t.penwidth:g}"
        self.stack_rects: dict[int, str] = {}
        self.warnings: dict[int, str] = {}
        spots: dict[int, tuple[float, float]] = {}  # where a node's badge goes: right of its name row
        for i, (x0, y0, x1, y1) in boxes.items():
            x0, y0, x1, y1 = x0 + tx - pad, y0 + ty - pad, x1 + tx + pad, y1 + ty + pad
            self.stack_rects[i] = (
                f'<rect id="{p}-s{i}" x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
                f'rx="4" fill="none" stroke="{t.value}" stroke-width="{t.penwidth * 1.4:g}" '
                f'stroke-dasharray="{dash}"/>'
            )
            cy = y0 + pad + 0.5 * size if plan.style == "circuit" else (y0 + y1) / 2
            spots[i] = (x1 + r + 1, cy)
            self.warnings[i] = (
                f'<text id="{p}-w{i}" x="{x1 + 2:.2f}" y="{cy + size * 0.4:.2f}" font-size="{size * 1.5:g}" '
                f'font-weight="bold" fill="{t.mark}">\u26a0</text>'
            )
        self.badges = []
        for pos, i in enumerate(order):  # badges in append order, so a frame shows "the first K"
            cx, cy = spots.get(i, (0.0, 0.0))
            self.badges.append(
                f'<g id="{p}-b{i}"><circle cx="{cx:.2f}" cy="{cy:.2f}" r="{r:.2f}" fill="{t.stage}"/>'
                f'<text x="{cx:.2f}" y="{cy + size * 0.3:.2f}" text-anchor="middle" '
                f'font-size="{size * 0.8:g}" font-weight="bold" fill="{t.background}">{pos + 1}</text></g>'
            )
        # room for badges and warnings right of the rightmost node
        width, height = lay.width_pt + 2.4 * r + size * 0.6, lay.height_pt
        self.slots: list[str] = []
        self.label = ""
        self.width, self.height = width, height
        # its smallest text: the list's position numbers (0.7 of the theme's size), or the graph's own
        self.least_pt = min(size * 0.7, lay.least_font_pt or size)
        if not order:
            return
        # the order list under the graph, wrapping into rows
        names = [plan.names[i] for i in order]
        slot_w = max(3.2, max(formatting.text_width(n) for n in names) + 1.4) * size * 0.62
        slot_h = size * 1.9
        gap = size * 0.35
        label_w = size * 4.6
        left = size * 0.8
        per_row = max(1, int((max(width, 300) - left - label_w) // (slot_w + gap)))
        rows = (len(order) + per_row - 1) // per_row
        top = height + size * 0.6
        self.height = height + size * 0.6 + rows * (slot_h + size * 1.2) + size * 0.4
        self.width = max(width, left + label_w + min(len(order), per_row) * (slot_w + gap) + size)
        for pos, name in enumerate(names):
            row, col = divmod(pos, per_row)
            x = left + label_w + col * (slot_w + gap)
            y = top + row * (slot_h + size * 1.2)
            middle = x + slot_w / 2
            self.slots.append(
                f'<g id="{p}-o{pos}"><rect x="{x:.2f}" y="{y:.2f}" width="{slot_w:.2f}" '
                f'height="{slot_h:.2f}" '
                f'rx="4" fill="{t.gate_fill}" stroke="{t.stage}" stroke-width="{t.penwidth:g}"/>'
                f'<text x="{middle:.2f}" y="{y + slot_h * 0.66:.2f}" text-anchor="middle" '
                f'font-size="{size:g}" '
                f'fill="{t.text}">{svg_text(name)}</text>'
                f'<text x="{middle:.2f}" y="{y + slot_h + size * 0.95:.2f}" text-anchor="middle" '
                f'font-size="{size * 0.7:g}" fill="{t.wire}">{pos + 1}</text></g>'
            )
        self.label = (
            f'<text x="{left:.2f}" y="{top + slot_h * 0.66:.2f}" font-size="{size:g}" fill="{t.text}" '
            f'font-weight="bold">topo =</text>'
        )

    def open_tag(self) -> str:
        lay = self.scene.layout
        style = fit_width_style(self.width * 4 / 3, self.t.font_size, least_pt=self.least_pt)
        return (
            f'<svg xmlns="{SVG}" id="{lay.svg_id}" class="bp-svg" '
            f'viewBox="0 0 {self.width:.2f} {self.height:.2f}" preserveAspectRatio="xMidYMid meet" '
            f'style="{style}">'
        )

    def side(self) -> Side:
        """The scene's side, widened by the badges and the order list beneath."""
        base = self.scene.side()
        across = self.scene.layout.width_pt / self.width
        return fit.side(base.svg_id, self.width * fit.PT_TO_PX, self.height * fit.PT_TO_PX, self.t.font_size,
                        centres={i: c * across for i, c in base.centres.items()}, least_pt=self.least_pt)

    def hide_css(self) -> str:
        s = self.sid
        return f"{s} .bp-stack>rect,{s} .bp-badges>g,{s} .bp-order>g,{s} .bp-warnings>text{{display:none}}"

    def state_css(self, frame: SortFrame) -> str:
        """Show this frame's stack, badges, warning and order list; mark the list's current entry."""
        s, p, t = self.sid, self.prefix, self.t
        rules = []
        if frame.appended:
            rules.append(f"{s} .bp-badges>g:nth-child(-n+{frame.appended}),"
                         f"{s} .bp-order>g:nth-child(-n+{frame.appended}){{display:inline}}")
        shown = [f"{s} #{p}-s{i}" for i in frame.stack]
        if frame.warn and frame.node is not None:
            shown.append(f"{s} #{p}-w{frame.node}")
        if shown:
            rules.append(",".join(shown) + "{display:inline}")
        if frame.kind in ("enter", "revisit", "append") and frame.node is not None:
            # the node the search is at: a glow behind it (a revisit: a dashed outline in the mark colour)
            if frame.kind == "revisit":
                look = f"fill:none;stroke:{t.mark};stroke-width:{t.penwidth * 1.8:g}px"
            else:
                look = (f"fill:{_blend(t.current_fill, t.background, 0.55)};stroke:{t.current_stroke};"
                        f"stroke-width:{t.penwidth * 1.4:g}px;stroke-dasharray:none")
            rules.append(f"{s} #{p}-s{frame.node}{{display:inline;{look}}}")
        pos = frame.pointer if frame.pointer is not None else (
            frame.appended - 1 if frame.kind == "append" else None)
        if pos is not None:
            rules.append(f"{s} #{p}-o{pos} rect{{fill:{t.current_fill};stroke:{t.current_stroke};"
                         f"stroke-width:{t.penwidth * 2.2:g}px}}")
        return "".join(rules)

    def parts(self, frame: SortFrame | None) -> tuple[str, str]:
        """The overlay's groups: everything (frame None, for the live SVG) or only what one frame shows."""
        if frame is None:
            stack, badges, slots = list(self.stack_rects.values()), self.badges, self.slots
            warnings = list(self.warnings.values())
        else:
            outlined = list(frame.stack)
            if frame.kind in ("enter", "revisit", "append") and frame.node not in outlined:
                outlined.append(frame.node)
            stack = [self.stack_rects[i] for i in outlined if i in self.stack_rects]
            badges, slots = self.badges[: frame.appended], self.slots[: frame.appended]
            warnings = [self.warnings[frame.node]] if frame.warn and frame.node in self.warnings else []
        # the outlines go behind the graph (a glow must not cover the node), the rest in front of it;
        # the list's label stays out of its group: frames show "the first K children" of that group
        return (f'<g class="bp-stack">{"".join(stack)}</g>',
                f'<g class="bp-badges">{"".join(badges)}</g><g class="bp-warnings">{"".join(warnings)}</g>'
                f'<g class="bp-order-label">{self.label}</g><g class="bp-order">{"".join(slots)}</g>')


def _blend(colour: str, under: str, amount: float) -> str:
    """`colour` laid over `under` at `amount` opacity, as one solid colour (the PNG renderer has no alpha)."""
    a = [int(colour[k:k + 2], 16) for k in (1, 3, 5)]
    b = [int(under[k:k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x * amount + y * (1 - amount)):02x}" for x, y in zip(a, b))



# ----- the two stories -------------------------------------------------------------------------
class _Mode(View):
    """One of the player's two stories (the sort then the backward pass, or the naive recursion), with the
    sort's own drawing over each of its scenes."""

    def __init__(self, story: Story, frames: list[SortFrame], order: list[int], prefix: str) -> None:
        super().__init__(story, prefix)
        self.frames, self.order = frames, order
        self.overlays: list[_Overlay] = []  # one per scene

    def lay_out(self, theme: Theme, direction: str) -> Fitted:
        fitted = super().lay_out(theme, direction)
        self.overlays = [_Overlay(scene, self.story.plan, self.order, theme) for scene in fitted.scenes]
        # the overlay widens each picture (badges, the order list beneath): the page fits those sizes
        return Fitted(fitted.scenes, Fit(fitted.fit.key, tuple(o.side() for o in self.overlays)))

    @property
    def overlay(self) -> _Overlay | None:
        return self.overlays[0] if self.overlays else None

    @property
    def sides(self) -> list[tuple[Scene, _Overlay]]:
        return list(zip(self.fitted.scenes, self.overlays)) if self.fitted is not None else []

    @property
    def fit(self) -> Fit | None:
        return self.fitted.fit if self.fitted is not None else None


def _sorted_mode(root: Any, style: str, digits: int, prefix: str,
                 narration_digits: int | None = None) -> _Mode:
    graph, _ = clone(root)
    events = list(topo_sort_steps(graph))
    story = tell(graph, style, digits, narration_digits=narration_digits)
    plan = story.plan
    n = plan.size
    layers = Frame(-1, "forward", None, n, 0, (), _silent)  # every value, no gradient
    frames: list[SortFrame] = [SortFrame(0, "start", "start", None, (), 0, None, layers, _lines([
        f"backward() first sorts the graph: a depth-first search from {plan.names[-1]} puts every node "
        "after all of its inputs. Then it walks that order from the end. Press Next to follow the search."
    ]))]
    stack: list[int] = []
    appended: list[int] = []
    for e in events:
        i = plan.index[id(e.node)]
        me = plan.names[i]
        if e.kind == "enter":
            stack.append(i)
            inputs = [plan.names[plan.index[id(p)]] for p in e.node._prev]
            if inputs:
                what = (f"visit({me}): first time here, mark it visited. Before {me} can join the order, "
                        f"its inputs must: visit {', '.join(dict.fromkeys(inputs))} first.")
            else:
                what = (f"visit({me}): first time here, mark it visited. {me} has no inputs, so it waits "
                        "for nothing.")
        elif e.kind == "revisit":
            what = (f"visit({me}): already visited, so return at once. This check is why a node used twice "
                    "is appended only once.")
        else:
            stack.pop()
            appended.append(i)
            what = (f"every input of {me} is in the order: append {me}. "
                    f"topo = [{', '.join(plan.names[j] for j in appended)}]")
        path = " \u2192 ".join(plan.names[j] for j in stack)
        lines = [what] + ([f"the search's stack: {path}"] if stack else [])
        kind_node = i
        frames.append(SortFrame(len(frames), "sort", e.kind, kind_node, tuple(stack), len(appended), None,
                                layers, _lines(lines)))
    backward = [f for f in story.frames if f.phase in ("backward", "done")]
    for k, f in enumerate(backward):
        pos = appended.index(f.node) if f.node in appended else None
        head = (f"backward walks topo from the end: {plan.names[f.node]} (number {pos + 1} of {n}) "
                "has its complete gradient now")
        if k == 0:
            head = f"backward walks topo from the end, starting at {plan.names[f.node]} (number {n} of {n})"
        frames.append(SortFrame(len(frames), "backward", "backward", f.node, (), n, pos, f,
                                _headed(head, f.narration)))
    last = frames[-1]
    frames[-1] = SortFrame(last.index, "done", last.kind, last.node, (), last.appended, last.pointer,
                           last.base, last.narration)
    return _Mode(story, frames, appended, prefix)


def _operand(x: Any) -> str:
    """A number as the narration writes it, in parentheses when negative: `+ (-4)`."""
    text = narration.written(x)
    return f"({text})" if text.startswith("-") else text


def _naive_mode(root: Any, style: str, digits: int, prefix: str,
                narration_digits: int | None = None) -> _Mode:
    """The naive recursion's frames (its numbers written as `narration.narrating` says, e.g. projector)."""
    # the right gradients, from the engine's own backward pass on one copy...
    truth_graph, _ = clone(root)
    true_grads = {id(step.node): step.upstream for step in backward_steps(truth_graph)}
    truth_plan = make_plan(truth_graph, style)
    # ...and the naive recursion on another (same structure, so the same topological indices)
    graph, _ = clone(root)
    plan = make_plan(graph, style)
    n = plan.size
    final = {i: true_grads[id(truth_plan.order[i])] for i in range(n)}
    steps = naive_recursive_backward_steps(graph)
    updates = [GradUpdate(n - 1, 1.0)]
    start_n = _silent
    frames_b = [Frame(0, "start", None, n, 0, (), start_n)]
    frames: list[SortFrame] = [SortFrame(0, "start", "start", None, (), 0, None, frames_b[0], _lines([
        "The naive recursion: each node passes its gradient to an input and recurses into that input at "
        "once, without waiting for the node's other users. Press Next to see where that goes wrong."
    ]))]
    received = [0] * n
    sent: dict[tuple[int, int], list[Any]] = {}  # (node, input) -> the gradients it passed on there
    seed = Frame(1, "backward", n - 1, n, 1, (), start_n)
    frames.append(SortFrame(1, "naive", "naive", n - 1, (), 0, None, seed, _lines([
        f"d{plan.names[-1]}/d{plan.names[-1]} = 1: the start, as in backward()"
    ])))
    for s in steps:
        i, j = plan.index[id(s.node)], plan.index[id(s.parent)]
        received[j] += 1
        updates.append(GradUpdate(j, s.after))
        edges = tuple(e for e in plan.in_edges[i] if plan.edges[e].pos == s.pos)
        base = Frame(len(frames), "backward", i, n, len(updates), edges, start_n)
        share = Share(j, s.pos, s.local, s.value, s.before, s.after, received[j])
        line = narration.contribution(plan, i, s.upstream, share)
        pieces = [
            f"naive: {plan.names[i]} passes on the gradient it has now, then recurses into "
            f"{plan.names[j]} at once",
            line,
            f"    {plan.names[j]}.grad: {narration.written(s.before)} + {_operand(s.value)} = "
            f"{narration.written(s.after)}",
        ]
        incomplete = not math.isclose(s.upstream, final[i], rel_tol=1e-9, abs_tol=1e-12)
        earlier = sent.setdefault((i, s.pos), [])
        if earlier:
            pieces.append(
                f"\u26a0 {plan.names[i]} already passed its gradient to this input before (when it had "
                f"{', '.join(narration.written(g) for g in earlier)}): "
                f"{plan.names[j]} counts that share again."
            )
        earlier.append(s.upstream)
        if incomplete:
            pieces.append(
                f"\u26a0 {plan.names[i]}'s gradient is not complete: it has {narration.written(s.upstream)} "
                f"now and will end with {narration.written(final[i])} ({plan.names[i]} is used "
                f"{plan.uses[i]} times). "
                "What it passes on now is too little, and it will pass on again later."
            )
        warn = incomplete or len(earlier) > 1
        frames.append(SortFrame(len(frames), "naive", "naive", i, (), 0, None, base,
                                _lines(pieces, warn=warn), warn=warn))
    leaves = [k for k in range(n) if not plan.order[k]._prev and not is_constant(plan.order[k])]
    summary = [
        f"naive recursion: {plan.names[k]}.grad = {narration.written(plan.order[k].grad)}, "
        f"topological order (backward()): {narration.written(final[k])}"
        + ("" if math.isclose(plan.order[k].grad, final[k], rel_tol=1e-9) else "  \u2718 wrong")
        for k in leaves
    ]
    summary.append("The naive recursion passed gradients on before they were complete. The topological "
                   "order waits until every user of a node has added its share: each node is visited once, "
                   "complete.")
    frames.append(SortFrame(len(frames), "done", "summary", None, (), 0, None,
                            Frame(len(frames), "done", None, n, len(updates), (), start_n), _lines(summary)))
    timeline = Timeline([f.base for f in frames], updates)
    story = Story(plan, timeline, digits)
    return _Mode(story, frames, [], prefix)


def _silent() -> Narration:
    """The narration of a frame used only for its picture (the player writes its own words)."""
    return Narration()


def _lines(lines: list[str | Piece], warn: bool = False) -> Narration:
    """The player's own lines; with `warn`, those that start with ⚠ are marked as warnings."""
    pieces = tuple(Piece(line, escape(line)) if isinstance(line, str) else line for line in lines)
    marks = tuple("bp-wrong" if warn and isinstance(line, str) and line.startswith("\u26a0") else ""
                  for line in lines)
    return Narration(pieces, marks)


def _headed(head: str, n: Narration) -> Narration:
    """`n` under a bold heading line (the backward walk over the order: which entry it is at)."""
    return n.before(Piece(head, f"<b>{escape(head)}</b>"))


# ----- the widget -----------------------------------------------------------------------------
class TopoSortPlayer(FramePlayer, Exports, w.VBox):
    """Animate the depth-first topological sort of `root`'s graph, then the backward pass over it.

        player = TopoSortPlayer(loss)     # Next/Prev, Play, slider, like GraphStepper
        player.naive = True               # the naive recursion instead: wrong where a node forks

    The sorted view shows which node the search is at, the nodes still waiting for their inputs
    (dashed), the finished ones (numbered) and the order list growing; then backward() walking that
    list from the end. Nothing changes the gradients of your own nodes. As in GraphStepper, the
    projector narrates with the drawing's few digits (`full_precision=True` for every digit).
    """

    def __init__(self, root: Any, *, style: str = "circuit", theme: str = "light", direction: str = "LR",
                 digits: int | None = None, naive: bool = False, speed: int = SPEEDS["normal"],
                 full_precision: bool | None = None) -> None:
        check_root(root, "TopoSortPlayer")
        if formatting.is_array(root.data):
            raise TypeError("TopoSortPlayer draws scalar graphs (Value); for a Tensor graph use GraphStepper")
        self._style = check_style(style)
        self._theme = get_theme(theme)
        self._direction = check_direction(direction)
        self._digits = check_digits(digits, self._theme)
        if full_precision is None:  # as GraphStepper: few digits on the projector, full elsewhere
            full_precision = self._theme.name != "projector"
        self._narration_digits = None if full_precision else self._digits
        speed = check_speed(speed)
        self._id = new_id("ts")
        self._root = root
        self._index = 0
        self._syncing = False
        self._modes: dict[str, _Mode] = {}
        self._mode = "naive" if naive else "sorted"
        self._build_controls(speed)
        super().__init__(children=self._children())
        self.add_class("bp-stepper")
        self.add_class("bp-toposort")
        self.add_class(f"bp-i{self._id}")
        self._show_mode()
        self._goto(0)

    PHASE_TEXT = PHASE_TEXT

    # ----- public (navigation: player.FramePlayer) -----------------------------------------
    @property
    def steps(self) -> list[SortFrame]:
        return self._current.frames

    @property
    def names(self) -> list[str]:
        return self._current.story.plan.names

    @property
    def order(self) -> list[str]:
        """The topological order built so far (sorted view), by name."""
        mode = self._current
        return [mode.story.plan.names[i] for i in mode.order[: self.frame.appended]]

    @property
    def grads(self) -> dict[str, Any]:
        """{name: gradient} of the nodes whose gradient the current frame shows (constants left out)."""
        story = self._current.story
        shown = story.grads_at(self.frame.base)
        return {story.plan.names[i]: g for i, g in sorted(shown.items())
                if not is_constant(story.plan.order[i])}

    @property
    def svg(self) -> str:
        """The current picture as a standalone SVG; '' without graphviz."""
        mode = self._ready()
        return self._frame_svg(mode, self.frame) if mode.scene is not None else ""

    @property
    def naive(self) -> bool:
        return self._mode == "naive"

    @naive.setter
    def naive(self, value: bool) -> None:
        target = "naive" if value else "sorted"
        if target != self._mode:
            self._mode = target
            self.play.playing = False
            self._show_mode()
            self._goto(0)

    # ----- building -------------------------------------------------------------------------
    def _build_controls(self, speed: int) -> None:
        self._build_player(speed)
        self.naive_toggle = w.ToggleButton(value=self._mode == "naive", description="naive recursion (wrong)",
                                           tooltip="compare: backprop by plain recursion, without the sort",
                                           layout=w.Layout(width="auto"))  # the default width cuts the label
        self.naive_toggle.add_class("bp-naive-toggle")
        self.naive_toggle.observe(self._on_toggle, names="value")

    def _children(self) -> list:
        top = w.HBox([self.phase_label, self.naive_toggle],
                     layout=w.Layout(justify_content="space-between", align_items="center"))
        return [self.style_html, top, self.view, self._control_row(), self.narration_html]

    @property
    def _current(self) -> _Mode:
        mode = self._modes.get(self._mode)
        if mode is None:
            make = _naive_mode if self._mode == "naive" else _sorted_mode
            prefix = f"bp{self._id}{self._mode[0]}"
            mode = self._modes[self._mode] = narration.with_digits(
                self._narration_digits, make, self._root, self._style, self._digits, prefix,
                self._narration_digits)
        return mode

    def _ready(self) -> _Mode:
        """The current mode, laid out (once)."""
        mode = self._current
        mode.ready(self._theme, self._direction)
        return mode

    def _show_mode(self) -> None:
        mode = self._ready()
        svg = self._live_svg(mode) if mode.scene is not None else None
        self._show_picture(self._theme, f"bp-i{self._id}", svg, mode.error)
        if self.naive_toggle.value != self.naive:
            self._syncing = True
            self.naive_toggle.value = self.naive
            self._syncing = False

    # ----- pictures -------------------------------------------------------------------------
    def _css(self, mode: _Mode, frame: SortFrame) -> str:
        """The frame's stylesheet over the live SVG(s): the stepper's (numbers, highlight) and the sort's."""
        return "".join(scene.css(frame.base) + self._sort_css(scene, overlay, frame)
                       for scene, overlay in mode.sides) + mode.fit.pan_css(frame.node)

    def _sort_css(self, scene: Scene, overlay: _Overlay, frame: SortFrame) -> str:
        extra = ""
        if frame.kind in ("enter", "revisit", "append") and frame.node is not None:
            # the node the search is at, outlined as the stepper's current node (a revisit: mark colour)
            revisit = frame.kind == "revisit"
            extra = scene.outline_css(frame.node, self._theme.mark if revisit else None,
                                      self._theme.gate_fill if revisit else None)
        return extra + overlay.state_css(frame)

    def _live_svg(self, mode: _Mode) -> str:
        """The SVG the player shows (both layouts for a wide graph, the page picks one): all hidden."""
        return mode.fit.html([
            self._compose(scene, overlay, scene.base_css + scene.hide_css + overlay.hide_css(), None)
            for scene, overlay in mode.sides])

    def _frame_svg(self, mode: _Mode, frame: SortFrame) -> str:
        scene, overlay = mode.scene, mode.overlay
        css = scene.base_css + scene.highlight_css(frame.base) + self._sort_css(scene, overlay, frame)
        return self._compose(scene, overlay, css, frame)

    def _compose(self, scene: Scene, overlay: _Overlay, css: str, frame: SortFrame | None) -> str:
        behind, front = overlay.parts(frame)
        background = (f'<rect x="0" y="0" width="{overlay.width:.2f}" height="{overlay.height:.2f}" '
                      f'fill="{self._theme.background}"/>')
        layers = scene.frame_layers(frame.base if frame is not None else None)
        return scene.svg_with(css, layers, open_tag=overlay.open_tag(), behind=background + behind,
                              front=front)

    # ----- stepping (player.FramePlayer) -----------------------------------------------------
    def _frame_css(self, frame: SortFrame) -> str:
        mode = self._ready()
        return self._css(mode, frame) if mode.scene is not None else ""

    def _on_toggle(self, change: dict) -> None:
        if not self._syncing:
            self.naive = change["new"]

    # ----- exports --------------------------------------------------------------------------
    def export_pack(self) -> Pack:
        """The frames shown now (the sort, or the naive recursion), as the exports (save_*) use them."""
        mode = self._ready()
        if mode.scene is None:
            raise GraphvizNotFound()
        frames = list(self.steps)
        scene, overlay = mode.scene, mode.overlay
        scope = f"bp-i{self._id}"
        what = "naive recursion" if self.naive else "topological sort and backward pass"
        return Pack(
            title=f"{what[0].upper()}{what[1:]}: {self.names[-1]}",
            theme=self._theme,
            # the layout in the direction asked for (a page of its own scrolls, as a slide would not)
            live_svg=self._compose(scene, overlay, scene.base_css + scene.hide_css + overlay.hide_css(),
                                   None),
            frame_css=[scene.css(f.base) + self._sort_css(scene, overlay, f) for f in frames],
            narration_html=[f.narration.html for f in frames],
            narration_text=[f.narration.text for f in frames],
            phase_html=[f"<b>{escape(PHASE_TEXT[f.phase])}</b>" for f in frames],
            page_css=narration_css(self._theme, scope),
            scope=scope,
            frame_svg=lambda i: self._frame_svg(mode, frames[i]),
            interval_ms=int(self.play.interval),
        )


__all__ = ["NaiveStep", "SortFrame", "TopoSortPlayer", "naive_recursive_backward_steps"]
