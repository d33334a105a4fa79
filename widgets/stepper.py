"""`GraphStepper`: step through a graph's forward and backward pass, one node at a time, in a notebook.

Built from ipywidgets' core widgets only. The picture is one fixed SVG (laid out once per view);
each step replaces a small stylesheet in a second HTML widget (see scene.py), and the narration.
"""

from __future__ import annotations

import math
from fractions import Fraction
from html import escape
from typing import Any

import ipywidgets as w

from autograd_core.graph import backward_steps, clone
from autograd_core.graph import topological_order as _topological
from autograd_core.node import is_constant

from . import formatting
from .budget import GraphTooLarge
from .export import Exports, Pack
from .folded_story import FoldedStory, tell_folded
from .frames import Frame
from .plan import check_root
from .player import SPEEDS, FramePlayer, check_speed, narration_css, new_id
from .render import GraphvizNotFound
from .scene import Scene, View
from .story import Story, tell
from .themes import check_digits, check_direction, check_style, get_theme

PHASE_TEXT = {
    "start": "start: nothing computed",
    "forward": "forward pass: values",
    "backward": "backward pass: gradients",
    "done": "done: every gradient computed",
}


_WAITING = "Type your guess in the box above and press Check (or press <b>Show me</b>) to go on."


class _View(View):
    """One way of drawing the graph (expanded, stages fused, or folded); where the user's nodes are in it."""

    def __init__(self, story: Story, prefix: str, graph_nodes: dict[int, int]) -> None:
        super().__init__(story, prefix)
        self.node_of = graph_nodes  # id(node in the user's graph) -> topological index in this view


class GraphStepper(FramePlayer, Exports, w.VBox):
    """Step through the forward pass (values appear node by node) and the backward pass (gradients).

        stepper = GraphStepper(loss)          # shows itself when it is the last line of a cell
        stepper.next(); stepper.narration     # 'w = 3  (an input)'

    The stepper replays the engine's own backward pass on a copy of the graph: the gradients of your
    nodes are not touched. Options: style ("circuit" or "nodes"), theme ("light", "dark",
    "projector"), direction ("LR", "TB", ...), digits (default 4; 2 for the projector), predict
    (type each gradient before it is revealed), collapsed (draw stages as single gates), speed (ms
    per step when playing), focus (a node: step only through the paths from it to the output),
    full_precision (narrate every number in full; the default for every theme but the projector's,
    whose narration uses the drawing's few digits).

    A graph too large (or too tangled) to draw gate by gate opens folded: its boxes (module calls,
    stacks of repeated parts, long sums and chains) are stepped box by box, forward then backward,
    and `expand(name)` (or the box menu) opens a box while stepping; `fold_all()` closes them.
    """

    def __init__(
        self,
        root: Any,
        *,
        style: str = "circuit",
        theme: str = "light",
        direction: str = "LR",
        digits: int | None = None,
        predict: bool = False,
        collapsed: bool = False,
        speed: int = SPEEDS["normal"],
        focus: Any = None,
        full_precision: bool | None = None,
    ) -> None:
        check_root(root, "GraphStepper")
        if getattr(root.data, "size", 1) != 1:  # a Tensor of several numbers
            raise ValueError(
                f"GraphStepper needs one number at the root to step back from, got a Tensor of shape "
                f"{root.data.shape}: reduce it to one number first, e.g. GraphStepper(loss.sum()) or "
                "GraphStepper(loss.mean())"
            )
        if focus is not None:  # only the paths from `focus` to the output (same gradients on them)
            from .folding import focus_graph

            root = focus_graph(root, focus)[0]
        self._style = check_style(style)
        self._theme = get_theme(theme)
        self._direction = check_direction(direction)
        self._digits = check_digits(digits, self._theme)
        if full_precision is None:
            full_precision = self._theme.name != "projector"
        self._narration_digits = None if full_precision else self._digits
        speed = check_speed(speed)
        self._id = new_id()
        self._index = 0
        self._answered: set[int] = set()  # predict mode: frames whose every gradient was guessed
        self._progress: dict[int, int] = {}  # frame -> how many of its gradients were guessed so far
        self._tries: dict[tuple[int, int], int] = {}  # (frame, gradient) -> wrong guesses so far
        self._syncing = False
        self._predict = bool(predict)

        self._build_controls(speed)
        super().__init__(children=self._children())
        self.add_class("bp-stepper")
        self.add_class(f"bp-i{self._id}")
        self._load(root, collapsed=bool(collapsed))

    PHASE_TEXT = PHASE_TEXT

    # ----- the public API (navigation: player.FramePlayer) ----------------------------------
    @property
    def steps(self) -> list[Frame]:
        """The frames: 0 is the graph with nothing computed, then one per forward and backward step."""
        return self._current.story.frames

    @property
    def svg(self) -> str:
        """The current picture as a standalone SVG (what the widget shows now); '' without graphviz."""
        scene = self._scene()
        return scene.frame_svg(self.frame) if scene is not None else ""

    @property
    def values(self) -> dict[str, Any]:
        """{name: value} of the nodes whose value the current frame shows (constants left out)."""
        plan, frame = self._current.story.plan, self.frame
        return {plan.names[i]: plan.order[i].data for i in range(frame.values_shown)
                if not is_constant(plan.order[i])}

    @property
    def grads(self) -> dict[str, Any]:
        """{name: gradient} of the nodes whose gradient the current frame shows (constants left out)."""
        story = self._current.story
        shown = story.grads_at(self.frame)
        return {story.plan.names[i]: g for i, g in sorted(shown.items())
                if not is_constant(story.plan.order[i])}

    @property
    def names(self) -> list[str]:
        """The name of each node in the current view, in topological order (as the narration uses them)."""
        return self._current.story.plan.names

    @property
    def collapsed(self) -> bool:
        return self._shown_view == "fused"

    @collapsed.setter
    def collapsed(self, value: bool) -> None:
        value = bool(value)
        if value and "fused" not in self._views:
            return  # no stage to fuse: there is only one view
        target = "fused" if value else "expanded"
        if target == self._shown_view:
            return
        index = self._matching_frame(target)
        self._shown_view = target
        self._reset_predictions()
        try:
            self._show_view()
        except GraphTooLarge as why:  # this view alone is too slow to lay out: say so in its place
            self._current.error = str(why)
            self._show_view()
        self._goto(index)

    @property
    def predict(self) -> bool:
        return self._predict

    @predict.setter
    def predict(self, value: bool) -> None:
        self._predict = bool(value)
        if self.predict_box.value != self._predict:
            self.predict_box.value = self._predict
        self._reset_predictions()
        self._refresh()

    @property
    def folded(self) -> bool:
        """True when the graph is shown folded into boxes (too large to draw gate by gate)."""
        return self._shown_view == "folded"

    @property
    def expandable(self) -> list[str]:
        """The names `expand()` takes in the folded view (modules, stages), in drawing order."""
        story = self._current.story
        return list(story.folded.expandable) if isinstance(story, FoldedStory) else []

    def expand(self, what: Any) -> None:
        """Folded view: open a box (a module, a stage, or one of `expandable`) one level, keeping the step."""
        if not self.folded or what is None:
            return
        story = self._current.story
        what = story.folded.expandable.get(what, what) if isinstance(what, str) else what
        if all(x is not what for x in self._expanded):
            self._expanded.append(what)
        self._refold()

    def fold_all(self) -> None:
        """Folded view: close every opened box."""
        if self.folded and self._expanded:
            self._expanded = []
            self._refold()

    def next(self) -> None:
        """One step forward (in predict mode, not past a gradient that has not been guessed yet)."""
        if self._blocked(self._index + 1):
            self.feedback.value = _WAITING  # the prompt itself is already on screen: say it once
            return
        self._goto(self._index + 1)

    def guess(self, value: Any) -> bool:
        """Predict mode: check a guess for the gradient the next step reveals (one at a time).

        Right: say why, and go on (to the next gradient of the same step, or to the step). Wrong:
        first a hint (the upstream gradient and the local gradient to multiply); the number only
        on a second wrong try (or with "Show me"), and then go on.
        """
        nxt = self._index + 1
        target = self._asking(nxt)
        if target is None:
            self.feedback.value = "Nothing to predict here: press Next."
            return False
        number = _parse(value)
        if number is None:
            self.feedback.value = (
                f"Could not read {escape(str(value))!s} as a number: type e.g. -4, 0.25 or 1/3."
            )
            return False
        right = math.isclose(number, float(target.value), rel_tol=1e-3, abs_tol=5e-3)
        key = (nxt, self._progress.get(nxt, 0))
        if not right and self._tries.get(key, 0) == 0:
            self._tries[key] = 1
            self.feedback.value = (
                f'<div class="bp-narr"><span class="bp-wrong">Not quite: you said '
                f"{escape(formatting.full(number))}.</span> {target.hint_html} "
                "Try again, or press <b>Show me</b>.</div>"
            )
            return False
        verdict = "Right!" if right else f"Not quite: you said {escape(formatting.full(number))}."
        cls = "bp-right" if right else "bp-wrong"
        self.feedback.value = (
            f'<div class="bp-narr"><span class="{cls}">{verdict}</span> '
            f"{target.explanation_html}</div>"
        )
        self._guessed(nxt)
        return right

    def export_pack(self) -> Pack:
        """The frames of the view shown now (expanded or stages fused), as the exports (save_*) use them."""
        scene = self._scene()
        if scene is None:
            raise GraphvizNotFound()
        frames = list(self.steps)
        scope = f"bp-i{self._id}"
        return Pack(
            title=f"Backpropagation through {self.names[-1]}",
            theme=self._theme,
            live_svg=scene.live_svg(),
            frame_css=[scene.css(f) for f in frames],
            narration_html=[f.narration.html for f in frames],
            narration_text=[f.narration.text for f in frames],
            phase_html=[f"<b>{escape(PHASE_TEXT[f.phase])}</b>" for f in frames],
            page_css=narration_css(self._theme, scope),
            scope=scope,
            frame_svg=lambda i: scene.frame_svg(frames[i]),
            interval_ms=int(self.play.interval) if len(frames) > 1 else 1000,
        )

    def set_root(self, root: Any) -> None:
        """Replace the expression (also while playing): back to frame 0 of the new graph."""
        check_root(root, "set_root")
        self.play.playing = False
        self._load(root, collapsed=self.collapsed)

    # ----- building -------------------------------------------------------------------------
    def _build_controls(self, speed: int) -> None:
        self._build_player(speed)
        self.stage_toggle = w.ToggleButton(description="fuse stages", icon="compress",
                                           tooltip="draw each stage as one gate (same gradients)")
        self.stage_toggle.add_class("bp-stage-toggle")
        self.stage_toggle.observe(self._on_toggle, names="value")
        self.predict_box = w.Checkbox(value=self._predict, description="predict before reveal", indent=False,
                                      layout=w.Layout(width="auto"))
        self.predict_box.add_class("bp-predict")
        self.predict_box.observe(lambda ch: setattr(self, "predict", ch["new"]), names="value")

        self.guess_text = w.Text(placeholder="your guess, e.g. -4", continuous_update=False,
                                 layout=w.Layout(width="180px"))
        self.guess_text.add_class("bp-guess")
        self.guess_text.observe(lambda _ch: self._on_guess(), names="value")  # Enter pressed
        self.guess_button = w.Button(description="Check", icon="check", layout=w.Layout(width="auto"))
        self.guess_button.add_class("bp-guess-button")
        self.guess_button.on_click(lambda _b: self._on_guess())
        self.reveal_button = w.Button(description="Show me", layout=w.Layout(width="auto"))
        self.reveal_button.add_class("bp-reveal")
        self.reveal_button.on_click(lambda _b: self._reveal())
        self.guess_label = w.HTML()
        self.feedback = w.HTML()
        self.feedback.add_class("bp-feedback")
        self.guess_row = w.HBox([self.guess_label, self.guess_text, self.guess_button, self.reveal_button])

        self.box_choice = w.Dropdown(options=[], description="box:", layout=w.Layout(width="320px"))
        self.box_choice.add_class("bp-expand-choice")
        self.expand_button = w.Button(description="expand", icon="expand", layout=w.Layout(width="auto"),
                                      tooltip="open this box one level (its parts, then their gates)")
        self.expand_button.add_class("bp-expand")
        self.expand_button.on_click(lambda _b: self.expand(self.box_choice.value))
        self.fold_button = w.Button(description="fold all", icon="compress", layout=w.Layout(width="auto"))
        self.fold_button.add_class("bp-fold")
        self.fold_button.on_click(lambda _b: self.fold_all())
        self.fold_row = w.HBox([self.box_choice, self.expand_button, self.fold_button])

    def _children(self) -> list:
        top = w.HBox([self.phase_label, self.stage_toggle, self.predict_box],
                     layout=w.Layout(justify_content="space-between", align_items="center"))
        return [self.style_html, top, self.fold_row, self.view, self._control_row(), self.narration_html,
                self.guess_row, self.feedback]

    def _load(self, root: Any, collapsed: bool) -> None:
        """Make the views of `root` and show frame 0: gate by gate (expanded, and fused when it has
        stages) when graphviz can lay it out quickly, else folded into boxes."""
        self._reset_predictions()
        self._index = 0
        self._expanded: list[Any] = []
        try:
            self._load_gates(root, collapsed)
            self._show_view()  # lays the graph out: graphviz is stopped if it runs too long
        except GraphTooLarge as why:
            self._load_folded(root, why.reason + ".")
            self._show_view()
        self._goto(0)

    def _load_folded(self, root: Any, reason: str) -> None:
        graph, twins = clone(root)
        for _ in backward_steps(graph, record=False):  # the engine's own backward pass, on the copy
            pass
        self._folded = (root, twins, reason)
        story = tell_folded(root, twins, self._digits, [], reason)
        self._views = {"folded": _View(story, f"bp{self._id}b0", {})}
        self._shown_view = "folded"

    def _refold(self) -> None:
        """Fold again with the boxes now opened, and show the same moment (the box holding the same node)."""
        old: FoldedStory = self._current.story  # type: ignore[assignment]
        frame = self.frame
        anchor = old.anchors[frame.node] if frame.node is not None else None
        root, twins, reason = self._folded
        story = tell_folded(root, twins, self._digits, self._expanded, reason)
        self._views["folded"] = _View(story, f"bp{self._id}b{new_id()}", {})
        index = 0
        if anchor is not None:
            box = story.folded.box_of.get(id(anchor))
            k = next((i for i, n in enumerate(story.plan.order) if n.box.id == box), None)
            if k is not None:
                n = story.plan.size
                index = 1 + k if frame.phase == "forward" else 1 + n + (n - 1 - k)
        self._reset_predictions()
        self._show_view()
        self._goto(min(index, len(self.steps) - 1))

    def _load_gates(self, root: Any, collapsed: bool) -> None:
        from autograd_core.stages import fuse_stages

        prefix = f"bp{self._id}"
        graph, copies = clone(root)
        story = tell(graph, self._style, self._digits, narration_digits=self._narration_digits)
        index = story.plan.index
        views = {"expanded": _View(story, f"{prefix}x", {k: index[id(v)] for k, v in copies.items()})}
        if story.plan.clusters:
            fused, mapping = fuse_stages(root)  # a new graph: stepping it leaves the user's alone
            fused_order = _topological(fused)
            fused_index = {id(n): i for i, n in enumerate(fused_order)}
            node_of = {k: fused_index[id(v)] for k, v in mapping.items()}
            # each node keeps its expanded name; a fused gate takes its stage output's name
            names = [""] * len(fused_order)
            expanded = views["expanded"].node_of
            for key, j in sorted(node_of.items(), key=lambda kv: expanded[kv[0]]):
                names[j] = story.plan.names[expanded[key]]
            fused_story = tell(fused, self._style, self._digits, names, self._narration_digits)
            views["fused"] = _View(fused_story, f"{prefix}f", node_of)
        self._views = views
        self._shown_view = "fused" if collapsed and "fused" in views else "expanded"

    # ----- showing ----------------------------------------------------------------------------
    @property
    def _current(self) -> _View:
        return self._views[self._shown_view]

    def _scene(self) -> Scene | None:
        """The current view's layout (made once). Raises GraphTooLarge if graphviz ran too long on a
        gate-by-gate view (the stepper then folds the graph); a folded view that does says so instead."""
        view = self._current
        direction = self._direction
        if isinstance(view.story, FoldedStory) and direction == "LR":
            direction = "TB"  # boxes are wide: stacked top to bottom they fit a notebook's width
        try:
            return view.ready(self._theme, direction)
        except GraphTooLarge as why:
            if not isinstance(view.story, FoldedStory):
                raise
            view.error = str(why)
            return None

    def _show_view(self) -> None:
        """Put the current view's fixed SVG in place (once per view switch, never per step)."""
        svg = self._current.fitted.live_html() if self._scene() is not None else None
        self._show_picture(self._theme, f"bp-i{self._id}", svg, self._current.error)
        has_stages = "fused" in self._views
        self.stage_toggle.disabled = not has_stages
        self.stage_toggle.description = (
            "fuse stages" if has_stages else "folded: see expand" if self.folded else "no stages")
        self.fold_row.layout.display = "flex" if self.folded else "none"
        if self.folded:
            names = self.expandable
            self.box_choice.options = [(n, n) for n in names]
            self.box_choice.value = names[0] if names else None  # ipywidgets leaves it unselected
            self.expand_button.disabled = not names
            self.fold_button.disabled = not self._expanded
        self.predict_box.disabled = self.folded
        self.predict_box.description = ("predict: not in the folded view" if self.folded
                                        else "predict before reveal")
        if self.stage_toggle.value != self.collapsed:
            self._syncing = True
            self.stage_toggle.value = self.collapsed
            self._syncing = False

    def _goto(self, i: int, keep_feedback: bool = False) -> None:
        if not keep_feedback:
            self.feedback.value = ""
        super()._goto(i)

    def _frame_css(self, frame: Frame) -> str:
        return self._current.fitted.css(frame) if self._scene() is not None else ""

    def _refresh_more(self, frame: Frame) -> None:
        """Predict mode: ask for the next gradient the next frame reveals."""
        target = self._asking(frame.index + 1) if self._predict else None
        if target is not None:
            self.guess_label.value = self._prompt_html(self.steps[frame.index + 1])
        self.guess_row.layout.display = "flex" if target is not None else "none"
        self.feedback.layout.display = "block" if self._predict else "none"

    def _prompt_html(self, frame: Frame) -> str:
        target = self._asking(frame.index) or frame.target
        loss = escape(self.names[-1])
        count = len(frame.targets)
        which = f" ({self._progress.get(frame.index, 0) + 1} of the {count} it reveals)" if count > 1 else ""
        return f"Predict \u2202{loss}/\u2202{escape(target.name)} after the next step{which}:&nbsp;"

    # ----- predict mode -----------------------------------------------------------------------
    def _reset_predictions(self) -> None:
        self._answered = set()
        self._progress = {}
        self._tries = {}

    def _asking(self, i: int) -> Any:
        """The gradient of frame i the student is to guess now (its targets in turn); None if none is left."""
        if not 0 < i < len(self.steps) or i in self._answered:
            return None
        targets = self.steps[i].targets
        k = self._progress.get(i, 0)
        return targets[k] if k < len(targets) else None

    def _guessed(self, i: int) -> None:
        """One more gradient of frame i is answered: ask for the next one, or show the frame."""
        self._progress[i] = self._progress.get(i, 0) + 1
        if self._progress[i] >= len(self.steps[i].targets):
            self._answered.add(i)
            self._goto(i, keep_feedback=True)
        else:
            self._refresh()  # the same frame; the prompt now names the next gradient

    # ----- events -----------------------------------------------------------------------------
    def _blocked(self, i: int) -> bool:
        """True when frame i reveals a gradient the student is asked to predict and has not yet."""
        return self._predict and self._asking(i) is not None

    def _on_slider(self, change: dict) -> None:
        if self._syncing:
            return
        new = change["new"]
        if self.play.playing and self._blocked(new):
            # playing stops where the student has a gradient to predict
            self.play.playing = False
            self._syncing = True
            try:
                self.slider.value = self._index
            finally:
                self._syncing = False
            self.feedback.value = _WAITING
            return
        self._goto(new)

    def _on_toggle(self, change: dict) -> None:
        if not self._syncing:
            self.collapsed = change["new"]

    def _on_guess(self) -> None:
        text = self.guess_text.value.strip()
        if text:
            self.guess(text)
            self.guess_text.value = ""

    def _reveal(self) -> None:
        """"Show me": the gradient asked for now, with its arithmetic (then the next one, or the step)."""
        nxt = self._index + 1
        if nxt >= len(self.steps):
            return
        target = self._asking(nxt)
        if target is None:
            self._goto(nxt)
            return
        self.feedback.value = f'<div class="bp-narr">{target.explanation_html}</div>'
        self._guessed(nxt)

    def _matching_frame(self, target_view: str) -> int:
        """The frame of the other view that shows the same moment (the same node, the same pass)."""
        frame = self.frame
        if frame.node is None:
            return 0
        if frame.phase == "done":
            return len(self._views[target_view].story.frames) - 1
        here, other = self._current.node_of, self._views[target_view].node_of
        # the user's nodes drawn as the current node; in the other view, the last of them (a stage's output)
        matches = [other[key] for key, i in here.items() if i == frame.node and key in other]
        if not matches:
            return 0
        j = max(matches)
        passes = ("forward",) if frame.phase == "forward" else ("backward", "done")
        frames = self._views[target_view].story.frames
        found = [k for k, f in enumerate(frames) if f.node == j and f.phase in passes]
        return found[0] if found else 0


def _parse(value: Any) -> float | None:
    """A guess as a number: 3, -0.5, '1/4', ' -4 '; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(Fraction(str(value).strip().replace(" ", "")))
    except (ValueError, ZeroDivisionError):
        return None
