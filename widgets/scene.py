"""A graph's story (steps -> frames) and its scene (one layout, restyled per frame by a small stylesheet).

In the widget, the SVG never changes: its value and gradient layers hold every number there will
ever be, hidden. A frame is a few CSS rules: show the first K values and the first E gradient
updates (`:nth-child(-n+K)`), outline the current node, colour the wires carrying its numbers.
So a step costs the same few hundred bytes at 20 nodes or 2,000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import fit
from .budget import GraphTooLarge
from .dotgraph import dot_source
from .fit import Fit, Side
from .frames import Frame
from .layout import Layout, cell, make_layout, placeholder
from .render import INSTALL_HELP, GraphvizNotFound, svg_from_dot
from .story import Story
from .themes import Theme


class Scene:
    """A graph's layout with its timeline: everything needed to show any frame, computed once.

    The SVG holds four layers over the fixed drawing, each a list of groups in the order a frame
    reveals them, so that any frame is "the first K of this layer" (one CSS rule per layer):
    value `?`s and values in topological order; gradient `?`s in the order nodes first receive a
    gradient; gradient updates in backward order (each update covers the one before it in its cell).
    """

    def __init__(self, story: Story, layout: Layout, theme: Theme, direction: str = "LR") -> None:
        plan, timeline = story.plan, story.timeline
        self.plan, self.timeline, self.layout, self.theme = plan, timeline, layout, theme
        sid = f"#{layout.svg_id}"
        vbox, gbox = layout.value_boxes, layout.grad_boxes
        self.value_marks = [
            placeholder(vbox[i], theme.value, theme, False) if i in vbox else "<g/>" for i in range(plan.size)
        ]
        self.values_layer = [
            cell(vbox[i], story.value_text(i), theme.value, theme, False) if i in vbox else "<g/>"
            for i in range(plan.size)
        ]
        cover = _cover(plan.style, direction, theme)
        self.grads_layer = [
            cell(gbox[u.node], story.grad_text(u), theme.grad, theme, True, cover)
            if u.node in gbox else "<g/>"
            for u in timeline.updates
        ]
        # gradient `?`s in the order the nodes first get a gradient; known[e] = how many after e updates
        first_seen: list[int] = []
        seen: set[int] = set()
        self.known = [0]
        for u in timeline.updates:
            if u.node not in seen:
                seen.add(u.node)
                first_seen.append(u.node)
            self.known.append(len(first_seen))
        never = [i for i in range(plan.size) if i not in seen]  # e.g. tensors with requires_grad=False
        self.grad_marks = [
            placeholder(gbox[i], theme.grad, theme, True) if i in gbox else "<g/>" for i in first_seen
        ] + [placeholder(gbox[i], theme.grad, theme, True, "\u2013") for i in never if i in gbox]

        font = f'"{theme.font}", Verdana, "DejaVu Sans", sans-serif'
        self.base_css = (
            f"{sid} text{{font-family:{font}}}"
            f"@keyframes {layout.prefix}-flow{{to{{stroke-dashoffset:{_dash_period(theme):g}}}}}"
        )
        self.hide_css = f"{sid} .bp-values>g,{sid} .bp-grads>g{{display:none}}"
        self._css: dict[int, str] = {}

    # ----- the widget: fixed SVG + per-frame stylesheet ---------------------------------------
    def live_svg(self) -> str:
        """The SVG the widget shows for every frame: every number is in it, hidden until a frame shows it."""
        return self._svg(self.base_css + self.hide_css, 0, len(self.values_layer), 0, len(self.grads_layer))

    def css(self, frame: Frame) -> str:
        """The stylesheet that turns the live SVG into `frame` (cached: a step only looks it up)."""
        text = self._css.get(frame.index)
        if text is None:
            sid = f"#{self.layout.svg_id}"
            shown, hidden = [], []
            if frame.values_shown:
                shown.append(f"{sid} .bp-values>g:nth-child(-n+{frame.values_shown})")
                hidden.append(f"{sid} .bp-value-marks>*:nth-child(-n+{frame.values_shown})")
            if frame.grads_shown:
                shown.append(f"{sid} .bp-grads>g:nth-child(-n+{frame.grads_shown})")
                hidden.append(f"{sid} .bp-grad-marks>*:nth-child(-n+{self.known[frame.grads_shown]})")
            text = (
                (",".join(shown) + "{display:inline}" if shown else "")
                + (",".join(hidden) + "{display:none}" if hidden else "")
                + self.highlight_css(frame)
            )
            self._css[frame.index] = text
        return text

    def highlight_css(self, frame: Frame) -> str:
        """The current node outlined and filled; the wires carrying its numbers coloured (dashed backward)."""
        if frame.node is None:
            return ""
        t, lay, sid = self.theme, self.layout, f"#{self.layout.svg_id}"
        i = frame.node
        wide = t.penwidth * 2.2
        rules = [self.outline_css(i)]
        backward = frame.phase in ("backward", "done")
        colour = t.grad if backward else t.value
        edge_ids = [self.plan.edges[e].id for e in frame.edges]
        if self.plan.gate_text[i] is not None:
            edge_ids.append(f"o{i}")
        if edge_ids:
            paths = ",".join(f"{sid} #{lay.node_id(e)} path" for e in edge_ids)
            heads = ",".join(f"{sid} #{lay.node_id(e)} polygon" for e in edge_ids)
            # dashes drifting back towards the inputs: the gradient's direction, a cue beyond colour
            dash, gap = _dash(t)
            moving = (
                f";stroke-dasharray:{dash:g} {gap:g};animation:{lay.prefix}-flow 0.9s linear infinite"
                if backward else ""
            )
            rules.append(f"{paths}{{stroke:{colour};stroke-width:{wide:g}px{moving}}}")
            rules.append(f"{heads}{{fill:{colour};stroke:{colour}}}")
        return "".join(rules)

    def outline_css(self, i: int, stroke: str | None = None, fill: str | None = None) -> str:
        """Node i marked as the current one: its gate filled, its wire (or box) drawn thick in `stroke`."""
        t, lay, sid = self.theme, self.layout, f"#{self.layout.svg_id}"
        stroke, fill = stroke or t.current_stroke, fill or t.current_fill
        wide = t.penwidth * 2.2
        # a circuit's value is its wire; a box is outlined (its last, unfilled polygon)
        own = "polyline" if self.plan.style == "circuit" else 'polygon[fill="none"]'
        return (f"{sid} #{lay.node_id(f'g{i}')} ellipse{{fill:{fill};stroke:{stroke};"
                f"stroke-width:{wide:g}px}}"
                f"{sid} #{lay.node_id(f'n{i}')} > {own}{{stroke:{stroke};stroke-width:{wide:g}px}}")

    def side(self) -> Side:
        """What fitting the picture to its cell needs: its size and where each node sits across it."""
        lay = self.layout
        shift = translate_of(lay.transform)[0]
        centres = {}
        for i in range(self.plan.size):
            cells = [b for b in (lay.value_boxes.get(i), lay.grad_boxes.get(i)) if b is not None]
            if cells and lay.width_pt:
                centres[i] = (sum(b.cx for b in cells) / len(cells) + shift) / lay.width_pt
        return fit.side(lay.svg_id, lay.width_pt * fit.PT_TO_PX, lay.height_pt * fit.PT_TO_PX,
                        self.theme.font_size, centres=centres, least_pt=lay.least_font_pt)

    # ----- a frame as a whole SVG (tests, exports): only what the frame shows is in it --------
    def frame_svg(self, frame: Frame) -> str:
        """A standalone SVG of `frame`: hidden numbers are left out, the highlight is inlined."""
        return self._svg(self.base_css + self.highlight_css(frame), frame.values_shown, frame.values_shown,
                         self.known[frame.grads_shown], frame.grads_shown)

    def _svg(self, css: str, marks_hidden: int, values: int, grad_marks_hidden: int, grads: int) -> str:
        return self.svg_with(css, (self.value_marks[marks_hidden:], self.values_layer[:values],
                                   self.grad_marks[grad_marks_hidden:], self.grads_layer[:grads]))

    def frame_layers(self, frame: Frame | None) -> tuple[list[str], list[str], list[str], list[str]]:
        """The four layers (value marks, values, gradient marks, gradients): all of them (None, for the
        live SVG), or only what `frame` shows."""
        if frame is None:
            return self.value_marks, self.values_layer, self.grad_marks, self.grads_layer
        known = self.known[frame.grads_shown]
        return (self.value_marks[frame.values_shown:], self.values_layer[: frame.values_shown],
                self.grad_marks[known:], self.grads_layer[: frame.grads_shown])

    def svg_with(self, css: str, layers: tuple[list[str], list[str], list[str], list[str]], *,
                 open_tag: str | None = None, behind: str = "", front: str = "") -> str:
        """The SVG of this scene with `css` and these layers; a player's own drawing may go `behind` the
        graph (then graphviz's opaque background is left out) or in `front` of it, in a larger `open_tag`."""
        lay = self.layout
        marks, values, grad_marks, grads = layers
        body = _BACKGROUND.sub("", lay.body, count=1) if behind else lay.body
        return (
            f"{open_tag or lay.open_tag}<style>{css}</style>{behind}"
            f'<g id="{lay.prefix}-graph" transform="{lay.transform}">{body}'
            f'<g class="bp-layer bp-value-marks">{"".join(marks)}</g>'
            f'<g class="bp-layer bp-grad-marks">{"".join(grad_marks)}</g>'
            f'<g class="bp-layer bp-values">{"".join(values)}</g>'
            f'<g class="bp-layer bp-grads">{"".join(grads)}</g>'
            f"</g>{front}</svg>"
        )


# graphviz's background: opaque, it would hide what a player draws behind the graph
_BACKGROUND = re.compile(r'^\s*<polygon fill="[^"]*" stroke="transparent" points="[^"]*"\s*/>')


def _cover(style: str, direction: str, theme: Theme) -> tuple[float, float, float, float]:
    """How far a gradient's background fill stays off its cell's edges (top, right, bottom, left)."""
    clear = theme.penwidth * 1.1 + 1  # half a highlighted wire, and a pixel
    if style in ("nodes", "boxes"):
        return (2.0, 2.0, 2.0, 2.0)  # the box's border and the separators beside the cell
    if direction in ("LR", "RL"):
        return (clear, 0.0, 0.0, 0.0)  # the wire runs along the cell's top
    return (0.0, 0.0, 0.0, clear)  # the wire runs along the cell's left


def _dash(theme: Theme) -> tuple[float, float]:
    return 4 * theme.penwidth, 2 * theme.penwidth + 4


def _dash_period(theme: Theme) -> float:
    return sum(_dash(theme))


def lay_out(story: Story, theme: Theme, direction: str, prefix: str) -> Scene:
    """The one graphviz layout of a story (cached by DOT text), made restylable."""
    values, grads = story.widest_texts()
    source = dot_source(story.plan, theme, direction, values, grads, slots=True)
    layout = make_layout(svg_from_dot(source), prefix, theme)
    return Scene(story, layout, theme, direction)


@dataclass
class Fitted:
    """A story's scenes, one layout or two for a wide graph, and how the page picks and pans between them."""

    scenes: list[Scene]
    fit: Fit

    @property
    def scene(self) -> Scene:
        """The layout in the direction asked for: what exports and `svg` show."""
        return self.scenes[0]

    def live_html(self) -> str:
        return self.fit.html([s.live_svg() for s in self.scenes])

    def css(self, frame: Frame) -> str:
        return "".join(s.css(frame) for s in self.scenes) + self.fit.pan_css(frame.node)


def lay_out_fitted(story: Story, theme: Theme, direction: str, prefix: str) -> Fitted:
    """The story laid out in `direction`, and, when that is too wide for a narrow cell, the other way too."""
    first = lay_out(story, theme, direction, prefix)
    scenes, sides = [first], [first.side()]
    if fit.wants_alternate(sides[0]):
        try:
            second = lay_out(story, theme, fit.other_direction(direction), prefix + "t")
        except GraphTooLarge:  # graphviz ran out of time on the second try: keep the first
            second = None
        kept = fit.useful(sides[0], second.side() if second is not None else None)
        if kept is not None:
            scenes.append(second)
            sides.append(kept)
    return Fitted(scenes, Fit(f"bp-fit-{prefix}", tuple(sides)))


class View:
    """One way a player shows a story: the story, and once laid out its scenes (one layout, or two for a
    wide graph) and how the page picks between them, or why it could not be drawn.

    The stepper has one per view of the graph (expanded, stages fused, folded), the sort player one per
    story (the sort, the naive recursion); each is laid out the first time it is shown.
    """

    def __init__(self, story: Story, prefix: str) -> None:
        self.story, self.prefix = story, prefix
        self.fitted: Fitted | None = None
        self.error: str | None = None  # why it could not be drawn (graphviz missing, too slow)

    @property
    def scene(self) -> Scene | None:
        """The layout in the direction asked for (None until laid out, or if it could not be)."""
        return self.fitted.scene if self.fitted is not None else None

    def ready(self, theme: Theme, direction: str) -> Scene | None:
        """Lay the story out (once); GraphTooLarge passes through, for the player to decide."""
        if self.fitted is None and self.error is None:
            try:
                self.fitted = self.lay_out(theme, direction)
            except GraphvizNotFound:
                self.error = INSTALL_HELP
        return self.scene

    def lay_out(self, theme: Theme, direction: str) -> Fitted:
        return lay_out_fitted(self.story, theme, direction, self.prefix)


def translate_of(transform: str) -> tuple[float, float]:
    """The shift of graphviz's `translate(x y)` transform of the graph group."""
    found = re.search(r"translate\(([-\d.]+)[ ,]+([-\d.]+)\)", transform)
    return (float(found.group(1)), float(found.group(2))) if found else (0.0, 0.0)
