"""What every frame-by-frame widget shares: the control bar, the picture's widgets and the navigation.

`GraphStepper` and `TopoSortPlayer` are both a fixed SVG restyled frame by frame; this module holds
the parts that do not depend on what the frames show.
"""

from __future__ import annotations

import itertools
import secrets
from html import escape
from typing import Any

import ipywidgets as w

from .themes import Theme

# Two notebooks (two kernels) can share one JupyterLab page: ids and styles carry this kernel's token
# as well as the instance number, so one notebook's player never restyles another's.
_KERNEL_TOKEN = secrets.token_hex(2)
_instances = itertools.count(1)

SPEEDS = {"slow": 1500, "normal": 800, "fast": 300}


def new_id(kind: str = "") -> str:
    """A page-unique id for one player instance (kernel token + instance number)."""
    return f"{kind}{_KERNEL_TOKEN}{next(_instances)}"


def check_speed(speed: Any) -> int:
    if not isinstance(speed, int) or isinstance(speed, bool) or speed < 50:
        raise ValueError(f"speed is the time per step in milliseconds (an int >= 50), got {speed!r}")
    return speed


def narration_css(theme: Theme, scope: str) -> str:
    """How the narration looks (numbers in the drawing's colours, fractions stacked), for one player."""
    big = theme.name == "projector"
    # the projector's narration is read from the back of a hall: as large as the drawing's text
    # (font_size pt = 4/3 px), fractions and notes included
    size = round(theme.font_size * 4 / 3) if big else 15
    small = "1em" if big else "0.8em"
    s = f".{scope}"  # styles are page-wide: each player styles only itself
    return (
        f"{s} .bp-narr{{font-size:{size}px;line-height:1.7;color:{theme.text};"
        f"background:{theme.background};padding:6px 10px;border-radius:4px}}"
        f"{s} .bp-narr .bp-v{{color:{theme.value};font-weight:600}}"
        f"{s} .bp-narr .bp-g{{color:{theme.grad};font-weight:600;font-style:italic}}"
        f"{s} .bp-narr .bp-why{{color:{theme.wire};font-size:{small}}}"
        f"{s} .bp-frac{{display:inline-flex;flex-direction:column;vertical-align:middle;"
        f"text-align:center;font-size:{small};line-height:1.15;margin:0 0.15em}}"
        f"{s} .bp-frac>span:first-child{{border-bottom:1px solid currentColor}}"
        f"{s} .bp-right{{color:{theme.value};font-weight:600}}"
        f"{s} .bp-wrong{{color:{theme.grad};font-weight:600}}"
    )


class FramePlayer:
    """Mixin for a widget that shows `self.steps` one frame at a time, with the same controls everywhere.

    The subclass provides `steps` (frames with `.index`, `.phase`, `.narration`), `PHASE_TEXT`
    ({phase: label}), `_frame_css(frame)` (the frame's stylesheet over the fixed SVG) and calls
    `_build_player(speed)` before building its box. Stepping only swaps that stylesheet and the
    narration; the SVG in `view` is set once per picture by `_show_picture`.
    """

    PHASE_TEXT: dict[str, str] = {}
    _index: int = 0
    _syncing: bool = False

    # ----- navigation: the public API ---------------------------------------------------------
    @property
    def index(self) -> int:
        return self._index

    @property
    def frame(self) -> Any:
        return self.steps[self._index]

    @property
    def phase(self) -> str:
        return self.frame.phase

    @property
    def narration(self) -> str:
        """The current step's arithmetic, as plain text."""
        return self.frame.narration.text

    def next(self) -> None:
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

    # ----- building ---------------------------------------------------------------------------
    def _build_player(self, speed: int) -> None:
        """The control bar (first, previous, play, next, last, slider, speed) and the picture's widgets."""

        def button(label: str, icon: str, cls: str, tip: str, action: Any) -> w.Button:
            # never squeezed: in a narrow cell the slider gives way, then the row wraps
            b = w.Button(description=label, icon=icon, tooltip=tip,
                         layout=w.Layout(width="auto", flex="0 0 auto"))
            b.add_class(cls)
            b.on_click(lambda _b: action())
            return b

        self.first_button = button("", "fast-backward", "bp-first", "first frame", self.first)
        self.prev_button = button("", "step-backward", "bp-prev", "previous step", self.prev)
        self.next_button = button("Next", "step-forward", "bp-next", "next step", self.next)
        self.last_button = button("", "fast-forward", "bp-last", "last frame", self.last)
        self.play = w.Play(min=0, max=1, value=0, interval=speed, show_repeat=False,
                           layout=w.Layout(flex="0 0 auto"))
        self.play.add_class("bp-play")
        self.slider = w.IntSlider(min=0, max=1, value=0, readout=True, continuous_update=True,
                                  layout=w.Layout(flex="1 1 auto", min_width="120px"))
        self.slider.add_class("bp-slider")
        w.link((self.play, "value"), (self.slider, "value"))  # a Play tick moves the slider
        self.slider.observe(self._on_slider, names="value")
        options = dict(SPEEDS)
        if speed not in options.values():
            options[f"{speed} ms"] = speed
        self.speed = w.Dropdown(options=options, value=speed, layout=w.Layout(width="110px", flex="0 0 auto"),
                                tooltip="time per step when playing")
        self.speed.add_class("bp-speed")
        self.speed.observe(lambda ch: setattr(self.play, "interval", ch["new"]), names="value")

        self.phase_label = w.HTML()
        self.phase_label.add_class("bp-phase")
        self.view = w.HTML(layout=w.Layout(overflow="auto", width="100%", margin="0"))
        self.view.add_class("bp-view")
        self.style_html = w.HTML(layout=w.Layout(height="0px", margin="0", overflow="hidden"))
        self.style_html.add_class("bp-style")
        self.narration_html = w.HTML(layout=w.Layout(width="100%"))
        self.narration_html.add_class("bp-narration")

    def _control_row(self) -> w.HBox:
        return w.HBox([self.first_button, self.prev_button, self.play, self.next_button, self.last_button,
                       self.slider, self.speed], layout=w.Layout(align_items="center", flex_flow="row wrap"))

    def _show_picture(self, theme: Theme, scope: str, svg: str | None, error: str | None) -> None:
        """Put the fixed SVG (or the error that kept it from being drawn) in place, once per picture."""
        box = f"background:{theme.background};padding:8px;border-radius:6px"
        static = f"<style>{narration_css(theme, scope)}</style>"  # sent once, not every step
        if svg is None:
            self.view.value = static + (
                f"<pre style='color:{theme.grad};white-space:pre-wrap;{box}'>{escape(error or '')}</pre>"
            )
        else:
            self.view.value = static + f'<div class="bp-canvas" style="{box}">{svg}</div>'
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

    # ----- stepping ---------------------------------------------------------------------------
    def _goto(self, i: int) -> None:
        self._index = max(0, min(int(i), len(self.steps) - 1))
        self._refresh()

    def _refresh(self) -> None:
        """Show the current frame: swap the stylesheet, the narration, the phase and the controls.

        The slider moves last, so that anything watching it (a browser test) sees a finished frame.
        """
        frame = self.frame
        self.style_html.value = f"<style>{self._frame_css(frame)}</style>"
        self.narration_html.value = frame.narration.html
        total = len(self.steps) - 1
        phase = escape(self.PHASE_TEXT.get(frame.phase, frame.phase))
        self.phase_label.value = f"<b>{phase}</b> &nbsp; step {frame.index} of {total}"
        at_start, at_end = frame.index == 0, frame.index == total
        self.first_button.disabled = self.prev_button.disabled = at_start
        self.next_button.disabled = self.last_button.disabled = at_end
        self._refresh_more(frame)
        if at_end and self.play.playing:
            self.play.playing = False
        if self.slider.value != frame.index:
            self._syncing = True
            try:
                self.slider.value = frame.index  # the link moves the Play too
            finally:
                self._syncing = False

    def _refresh_more(self, frame: Any) -> None:
        """What a subclass shows besides the picture and the narration (e.g. the predict row)."""

    def _frame_css(self, frame: Any) -> str:
        raise NotImplementedError

    def _on_slider(self, change: dict) -> None:
        if not self._syncing:
            self._goto(change["new"])
