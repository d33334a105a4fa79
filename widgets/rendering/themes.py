"""The colour themes (light, dark, projector): Okabe-Ito colours, font sizes, stroke widths, digits."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Theme:
    """Everything about a drawing's look that does not depend on the graph.

    Colours follow Okabe and Ito's colour-blind-safe palette: values are blue, gradients vermillion,
    and every colour comes with a second cue (values sit above the wire, gradients below it in
    italics; the current node is outlined thickly and filled; gradient edges are dashed).
    """

    name: str
    background: str
    text: str
    wire: str
    gate_fill: str
    value: str  # forward values: Okabe-Ito blue
    grad: str  # gradients: Okabe-Ito vermillion
    current_stroke: str  # the node being computed now
    current_fill: str
    mark: str  # draw(highlight=...): the exercise checkers' "look here" (reddish purple)
    stage: str  # the outline of a stage's cluster
    font: str
    font_size: float
    label_size: float
    penwidth: float
    digits: int
    bold_numbers: bool = False


LIGHT = Theme(
    name="light",
    background="#ffffff",
    text="#1a1a1a",
    wire="#555555",
    gate_fill="#f2f2f2",
    value="#0072B2",
    grad="#D55E00",
    current_stroke="#1a1a1a",
    current_fill="#F0E442",
    mark="#CC79A7",
    stage="#009E73",
    font="DejaVu Sans",
    font_size=14.0,
    label_size=14.0,
    penwidth=1.6,
    digits=4,
)

DARK = replace(  # what differs from the light theme
    LIGHT,
    name="dark",
    background="#1e1e1e",
    text="#e8e8e8",
    wire="#a0a0a0",
    gate_fill="#333333",
    value="#56B4E9",  # the lighter Okabe-Ito blue reads better on a dark background
    grad="#E69F00",  # and orange instead of vermillion
    current_stroke="#F0E442",
    current_fill="#5a5410",
)

# Readable from the back of a lecture hall: large type, thick strokes, two digits (the narration
# keeps full precision).
PROJECTOR = replace(
    LIGHT,
    name="projector",
    text="#000000",
    wire="#333333",
    gate_fill="#eeeeee",
    current_stroke="#000000",
    font_size=24.0,
    label_size=24.0,
    penwidth=3.5,
    digits=2,
    bold_numbers=True,
)

THEMES = {t.name: t for t in (LIGHT, DARK, PROJECTOR)}
STYLES = ("circuit", "nodes")
DIRECTIONS = ("LR", "RL", "TB", "BT")


def get_theme(name: str) -> Theme:
    """The theme called `name`, or a ValueError listing the themes there are."""
    if isinstance(name, Theme):
        return name
    try:
        return THEMES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown theme {name!r}: choose one of {', '.join(map(repr, THEMES))}") from None


def check_style(style: str) -> str:
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: choose one of {', '.join(map(repr, STYLES))}")
    return style


def check_direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise ValueError(
            f"unknown direction {direction!r}: choose one of {', '.join(map(repr, DIRECTIONS))} "
            "(LR: left to right, TB: top to bottom)"
        )
    return direction


def check_digits(digits: int | None, theme: Theme) -> int:
    """The number of decimals to draw: the theme's default when None."""
    if digits is None:
        return theme.digits
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 12:
        raise ValueError(f"digits must be an int from 0 to 12, got {digits!r}")
    return digits
