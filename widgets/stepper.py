"""`GraphStepper`: step through a graph's forward and backward pass, one node at a time, in a notebook.

Built from ipywidgets' core widgets only. The picture is one fixed SVG (laid out once per view);
each step replaces a small stylesheet in a second HTML widget (see scene.py), and the narration.
"""

from __future__ import annotations

import itertools
import math
import secrets
from fractions import Fraction
from html import escape
from typing import Any

import ipywidgets as w

from autograd_core.graph import clone
from autograd_core.graph import topological_order as _topological

from . import formatting
from .export import StepperExports
from .frames import Frame
from .plan import check_root
from .render import INSTALL_HELP, GraphvizNotFound
from .scene import Scene, Story, lay_out, tell
from .themes import Theme, check_digits, check_direction, check_style, get_theme

_instances = itertools.count(1)
# Two notebooks (two kernels) can share one JupyterLab page: ids and styles carry this kernel's token
# as well as the instance number, so one notebook's stepper never restyles another's.
_KERNEL_TOKEN = secrets.token_hex(2)

SPEEDS = {"slow": 1500, "normal": 800, "fast": 300}

PHASE_TEXT = {
    "start": "start: nothing computed",
    "forward": "forward pass: values",
    "backward": "backward pass: gradients",
    "done": "done: every gradient computed",
}


def _narration_css(theme: Theme, scope: str) -> str:
    """How the narration looks (numbers in the drawing's colours, fractions stacked), for one stepper."""
    size = 22 if theme.name == "projector" else 15
    s = f".{scope}"  # styles are page-wide: each stepper styles only itself
    return (
        f"{s} .bp-narr{{font-size:{size}px;line-height:1.7;color:{theme.text};"
        f"background:{theme.background};padding:6px 10px;border-radius:4px}}"
        f"{s} .bp-narr .bp-v{{color:{theme.value};font-weight:600}}"
        f"{s} .bp-narr .bp-g{{color:{theme.grad};font-weight:600;font-style:italic}}"
        f"{s} .bp-narr .bp-why{{color:{theme.wire};font-size:0.8em}}"
        f"{s} .bp-frac{{display:inline-flex;flex-direction:column;vertical-align:middle;"
        "text-align:center;font-size:0.8em;line-height:1.15;margin:0 0.15em}"
        f"{s} .bp-frac>span:first-child{{border-bottom:1px solid currentColor}}"
        f"{s} .bp-right{{color:{theme.value};font-weight:600}}"
        f"{s} .bp-wrong{{color:{theme.grad};font-weight:600}}"
    )


class _View:
    """One way of drawing the graph (expanded, or stages fused): its story, and its scene once laid out."""

    def __init__(self, story: Story, prefix: str, graph_nodes: dict[int, int]) -> None:
        self.story = story
        self.prefix = prefix
        self.scene: Scene | None = None
        self.error: str | None = None
        self.node_of = graph_nodes  # id(node in the user's graph) -> topological index in this view


class GraphStepper(StepperExports, w.VBox):
    """Step through the forward pass (values appear node by node) and the backward pass (gradients).

        stepper = GraphStepper(loss)          # shows itself when it is the last line of a cell
        stepper.next(); stepper.narration     # 'w = 3  (an input)'

    The stepper replays the engine's own backward pass on a copy of the graph: the gradients of your
    nodes are not touched. Options: style ("circuit" or "nodes"), theme ("light", "dark",
    "projector"), direction ("LR", "TB", ...), digits (default 4; 2 for the projector), predict
    (type each gradient before it is revealed), collapsed (draw stages as single gates), speed (ms
    per step when playing), focus (a node: step only through the paths from it to the output).
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
    ) -> None:
        check_root(root, "GraphStepper")
        if focus is not None:  # only the paths from `focus` to the output (same gradients on them)
            from .large import focus_graph

            root = focus_graph(root, focus)[0]
        self._style = check_style(style)
        self._theme = get_theme(theme)
        self._direction = check_direction(direction)
        self._digits = check_digits(digits, self._theme)
        if not isinstance(speed, int) or isinstance(speed, bool) or speed < 50:
            raise ValueError(f"speed is the time per step in milliseconds (an int >= 50), got {speed!r}")
        self._id = f"{_KERNEL_TOKEN}{next(_instances)}"
        self._index = 0
        self._answered: set[int] = set()
        self._syncing = False
        self._predict = bool(predict)

        self._build_controls(speed)
        super().__init__(children=self._children())
        self.add_class("bp-stepper")
        self.add_class(f"bp-i{self._id}")
        self._load(root, collapsed=bool(collapsed))

    # ----- the public API -------------------------------------------------------------------
    @property
    def index(self) -> int:
        return self._index

    @property
    def steps(self) -> list[Frame]:
        """The frames: 0 is the graph with nothing computed, then one per forward and backward step."""
        return self._current.story.frames

    @property
    def frame(self) -> Frame:
        return self.steps[self._index]

    @property
    def phase(self) -> str:
        return self.frame.phase

    @property
    def narration(self) -> str:
        return self.frame.narration.text

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
                if not getattr(plan.order[i], "_const", False)}

    @property
    def grads(self) -> dict[str, Any]:
        """{name: gradient} of the nodes whose gradient the current frame shows (constants left out)."""
        story = self._current.story
        shown = story.grads_at(self.frame)
        return {story.plan.names[i]: g for i, g in sorted(shown.items())
                if not getattr(story.plan.order[i], "_const", False)}

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
        self._answered = set()
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
        self._answered = set()
        self._refresh()

    def next(self) -> None:
        """One step forward (in predict mode, not past a gradient that has not been guessed yet)."""
        if self._blocked(self._index + 1):
            self.feedback.value = self._prompt_html(self.steps[self._index + 1])
            return
        self._goto(self._index + 1)

    def prev(self) -> None:
        self._goto(self._index - 1)

    def first(self) -> None:
        self._goto(0)

    def last(self) -> None:
        self._goto(len(self.steps) - 1)

    def goto(self, i: int) -> None:
        """Show frame i (clamped to the first and last frame)."""
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(f"goto() takes a frame number (an int), got {i!r}")
        self._goto(i)

    def guess(self, value: Any) -> bool:
        """Predict mode: check a guess for the gradient the next step reveals, say why, then reveal it."""
        nxt = self._index + 1
        target = self.steps[nxt].target if nxt < len(self.steps) else None
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
        verdict = "Right!" if right else f"Not quite: you said {escape(formatting.full(number))}."
        cls = "bp-right" if right else "bp-wrong"
        self.feedback.value = (
            f'<div class="bp-narr"><span class="{cls}">{verdict}</span> '
            f"{target.explanation_html}</div>"
        )
        self._answered.add(nxt)
        self._goto(nxt, keep_feedback=True)
        return right

    def set_root(self, root: Any) -> None:
        """Replace the expression (also while playing): back to frame 0 of the new graph."""
        check_root(root, "set_root")
        self.play.playing = False
        self._load(root, collapsed=self.collapsed)

    # ----- building -------------------------------------------------------------------------
    def _build_controls(self, speed: int) -> None:
        def button(label: str, icon: str, cls: str, tip: str, action: Any) -> w.Button:
            b = w.Button(description=label, icon=icon, tooltip=tip, layout=w.Layout(width="auto"))
            b.add_class(cls)
            b.on_click(lambda _b: action())
            return b

        self.first_button = button("", "fast-backward", "bp-first", "first frame", self.first)
        self.prev_button = button("", "step-backward", "bp-prev", "previous step", self.prev)
        self.next_button = button("Next", "step-forward", "bp-next", "next step", self.next)
        self.last_button = button("", "fast-forward", "bp-last", "last frame", self.last)
        self.play = w.Play(min=0, max=1, value=0, interval=speed, show_repeat=False)
        self.play.add_class("bp-play")
        self.slider = w.IntSlider(min=0, max=1, value=0, readout=True, continuous_update=True,
                                  layout=w.Layout(flex="1 1 auto", min_width="120px"))
        self.slider.add_class("bp-slider")
        w.link((self.play, "value"), (self.slider, "value"))
        self.slider.observe(self._on_slider, names="value")
        options = dict(SPEEDS)
        if speed not in options.values():
            options[f"{speed} ms"] = speed
        self.speed = w.Dropdown(options=options, value=speed, layout=w.Layout(width="110px"),
                                tooltip="time per step when playing")
        self.speed.add_class("bp-speed")
        self.speed.observe(lambda ch: setattr(self.play, "interval", ch["new"]), names="value")

        self.phase_label = w.HTML()
        self.phase_label.add_class("bp-phase")
        self.stage_toggle = w.ToggleButton(description="fuse stages", icon="compress",
                                           tooltip="draw each stage as one gate (same gradients)")
        self.stage_toggle.add_class("bp-stage-toggle")
        self.stage_toggle.observe(self._on_toggle, names="value")
        self.predict_box = w.Checkbox(value=self._predict, description="predict before reveal", indent=False,
                                      layout=w.Layout(width="auto"))
        self.predict_box.add_class("bp-predict")
        self.predict_box.observe(lambda ch: setattr(self, "predict", ch["new"]), names="value")

        self.view = w.HTML(layout=w.Layout(overflow="auto", width="100%"))
        self.view.add_class("bp-view")
        self.style_html = w.HTML(layout=w.Layout(height="0px", margin="0", overflow="hidden"))
        self.style_html.add_class("bp-style")
        self.narration_html = w.HTML(layout=w.Layout(width="100%"))
        self.narration_html.add_class("bp-narration")

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

    def _children(self) -> list:
        top = w.HBox([self.phase_label, self.stage_toggle, self.predict_box],
                     layout=w.Layout(justify_content="space-between", align_items="center"))
        controls = w.HBox([self.first_button, self.prev_button, self.play, self.next_button, self.last_button,
                           self.slider, self.speed], layout=w.Layout(align_items="center"))
        return [self.style_html, top, self.view, controls, self.narration_html, self.guess_row, self.feedback]

    def _load(self, root: Any, collapsed: bool) -> None:
        """Make the views of `root` (expanded, and fused when it has stages) and show frame 0."""
        from autograd_core.stages import fuse_stages

        prefix = f"bp{self._id}"
        graph, copies = clone(root)
        story = tell(graph, self._style, self._digits)
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
            fused_story = tell(fused, self._style, self._digits, names)
            views["fused"] = _View(fused_story, f"{prefix}f", node_of)
        self._views = views
        self._shown_view = "fused" if collapsed and "fused" in views else "expanded"
        self._answered = set()
        self._index = 0
        self._show_view()
        self._goto(0)

    # ----- showing ----------------------------------------------------------------------------
    @property
    def _current(self) -> _View:
        return self._views[self._shown_view]

    def _scene(self) -> Scene | None:
        view = self._current
        if view.scene is None and view.error is None:
            try:
                view.scene = lay_out(view.story, self._theme, self._direction, view.prefix)
            except GraphvizNotFound:
                view.error = INSTALL_HELP
        return view.scene

    def _show_view(self) -> None:
        """Put the current view's fixed SVG in place (once per view switch, never per step)."""
        scene = self._scene()
        t = self._theme
        box = f"background:{t.background};padding:8px;border-radius:6px"
        static = f"<style>{_narration_css(t, f'bp-i{self._id}')}</style>"  # sent once, not every step
        if scene is None:
            self.view.value = static + (
                f"<pre style='color:{t.grad};white-space:pre-wrap;{box}'>{escape(self._current.error)}</pre>"
            )
        else:
            self.view.value = static + f'<div class="bp-canvas" style="{box}">{scene.live_svg()}</div>'
        last = len(self.steps) - 1
        self._syncing = True
        try:
            for control in (self.play, self.slider):
                if control.value > last:
                    control.value = last
                control.max = max(last, 1)
        finally:
            self._syncing = False
        self.slider.disabled = last == 0
        has_stages = "fused" in self._views
        self.stage_toggle.disabled = not has_stages
        self.stage_toggle.description = "fuse stages" if has_stages else "no stages"
        if self.stage_toggle.value != self.collapsed:
            self._syncing = True
            self.stage_toggle.value = self.collapsed
            self._syncing = False

    def _goto(self, i: int, keep_feedback: bool = False) -> None:
        last = len(self.steps) - 1
        self._index = max(0, min(int(i), last))
        if not keep_feedback:
            self.feedback.value = ""
        self._refresh()

    def _refresh(self) -> None:
        """Show the current frame: swap the stylesheet, the narration, the phase and the controls.

        The slider moves last, so that anything watching it (a browser test) sees a finished frame.
        """
        frame = self.frame
        scene = self._scene()
        css = scene.css(frame) if scene is not None else ""
        self.style_html.value = f"<style>{css}</style>"
        self.narration_html.value = frame.narration.html
        total = len(self.steps) - 1
        self.phase_label.value = (
            f"<b>{PHASE_TEXT[frame.phase]}</b> &nbsp; step {frame.index} of {total}"
        )
        at_start, at_end = frame.index == 0, frame.index == total
        self.first_button.disabled = self.prev_button.disabled = at_start
        self.next_button.disabled = self.last_button.disabled = at_end
        nxt = self.steps[frame.index + 1] if not at_end else None
        asking = self._predict and nxt is not None and nxt.target is not None
        if asking:
            self.guess_label.value = self._prompt_html(nxt)
        self.guess_row.layout.display = "flex" if asking else "none"
        self.feedback.layout.display = "block" if self._predict else "none"
        if at_end and self.play.playing:
            self.play.playing = False
        if self.slider.value != frame.index:
            self._syncing = True
            try:
                self.slider.value = frame.index  # the link moves the Play too
            finally:
                self._syncing = False

    def _prompt_html(self, frame: Frame) -> str:
        target = frame.target
        loss = escape(self.names[-1])
        return f"Predict d{loss}/d{escape(target.name)} after the next step:&nbsp;"

    # ----- events -----------------------------------------------------------------------------
    def _blocked(self, i: int) -> bool:
        """True when frame i reveals a gradient the student is asked to predict and has not yet."""
        if not self._predict or not 0 < i < len(self.steps):
            return False
        return self.steps[i].target is not None and i not in self._answered

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
            self.feedback.value = self._prompt_html(self.steps[new])
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
        nxt = self._index + 1
        if nxt < len(self.steps):
            self._answered.add(nxt)
            target = self.steps[nxt].target
            self._goto(nxt, keep_feedback=True)
            if target is not None:
                self.feedback.value = f'<div class="bp-narr">{target.explanation_html}</div>'

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
