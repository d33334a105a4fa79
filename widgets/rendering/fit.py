"""Fit a picture to the cell it is shown in, decided by the cell's real width in the browser.

A picture may be laid out twice (left to right, and top to bottom). Both SVGs go into the page; a CSS
container query on the cell's width shows the one that fits, so the choice follows the browser's
window, JupyterLab's side panels and the projector's zoom with no code running. Each SVG shrinks to
the cell's width while its text stays readable (13 px; 18 px for the projector); past that it keeps
its size and the frame's stylesheet pans it so the current node stays in view.
"""

from __future__ import annotations

import itertools
import re
import secrets
from dataclasses import dataclass, field

PT_TO_PX = 4 / 3
FLOOR_PX = 13.0  # the smallest text a student reads in a notebook
PROJECTOR_FLOOR_PX = 18.0  # ... and in a hall (the projector theme's type is 20 pt and more)
PROJECTOR_PT = 20.0
# A second, top-to-bottom layout is made only for a picture that cannot fit a cell this narrow:
# JupyterLab at 1280 px with its file browser open leaves an output area about 760 px wide.
ALTERNATE_ABOVE_PX = 560.0
# ... and shown only where it is not so much taller than it is wide that the page becomes a ribbon.
MAX_TALL_RATIO = 2.6


_keys = itertools.count()
_TOKEN = secrets.token_hex(3)  # outputs of several kernels may share a page


def new_key() -> str:
    """A page-unique name for one picture's container."""
    return f"bp-fit-{_TOKEN}{next(_keys)}"


def other_direction(direction: str) -> str:
    """The direction a wide picture is tried in as well: across becomes down, and down across."""
    return "TB" if direction in ("LR", "RL") else "LR"


def floor_px(font_pt: float) -> float:
    """The smallest size the theme's text may be drawn at."""
    return PROJECTOR_FLOOR_PX if font_pt >= PROJECTOR_PT else FLOOR_PX


def smallest_scale(font_pt: float, scale: float = 1.0, least_pt: float | None = None) -> float:
    """How far a picture may shrink before its smallest text (`least_pt`; default the theme's `font_pt`,
    drawn at `scale`) is below the theme's floor."""
    least = min(font_pt, least_pt) if least_pt else font_pt
    return min(1.0, floor_px(font_pt) / (least * PT_TO_PX * scale))


def fit_width_style(width_px: float, font_pt: float, scale: float = 1.0,
                    least_pt: float | None = None) -> str:
    """CSS for an inline SVG `width_px` wide: the cell's width, no narrower than keeps its text readable.

    Past that width the picture keeps its size and its container scrolls (or the frame pans it).
    """
    least = smallest_scale(font_pt, scale, least_pt) * width_px
    return f"width:{width_px:.0f}px;max-width:100%;min-width:{least:.0f}px;height:auto;display:block"


_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')
_SVG_SIZE = re.compile(r'<svg\b([^>]*?)\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')
_TITLE = re.compile(r"<title>[^<]*</title>\n?")


def least_font_pt(svg: str) -> float | None:
    """The smallest text in graphviz's SVG (its font sizes are in the drawing's points)."""
    sizes = [float(v) for v in _FONT_SIZE.findall(svg)]
    return min(sizes) if sizes else None


def sized(svg: str, font_pt: float | None) -> tuple[str, Side] | None:
    """graphviz's SVG made to fit a cell (its text no smaller than the floor), and its side.

    None if its size cannot be read. Without a font size (not our drawing) it is never shrunk, only scrolled.
    graphviz's <title>s are removed: they would show DOT names (`n3`) as tooltips.
    """
    match = _SVG_SIZE.search(svg)
    if match is None:
        return None
    width_px, height_px = float(match.group(2)) * PT_TO_PX, float(match.group(3)) * PT_TO_PX
    rest = _TITLE.sub("", svg[match.end():])
    if font_pt:
        least = least_font_pt(rest)
        style = fit_width_style(width_px, font_pt, least_pt=least)
        picture = side("", width_px, height_px, font_pt, least_pt=least)
    else:
        style = f"width:{width_px:.0f}px;height:auto;display:block"
        picture = Side("", width_px, height_px, width_px)
    return f'<svg{match.group(1)} style="{style}"{rest}', picture


@dataclass(frozen=True)
class Side:
    """One layout of a picture, as the fitting needs it: its size and where each node is across it."""

    svg_id: str
    width_px: float  # drawn at full size
    height_px: float
    least_px: float  # the narrowest it may be drawn with readable text
    centres: dict[int, float] = field(default_factory=dict)  # node -> its centre, as a fraction of the width

    @property
    def least_height_px(self) -> float:
        return self.height_px * self.least_px / self.width_px if self.width_px else self.height_px


def side(svg_id: str, width_px: float, height_px: float, font_pt: float, scale: float = 1.0,
         centres: dict[int, float] | None = None, least_pt: float | None = None) -> Side:
    least = smallest_scale(font_pt, scale, least_pt) * width_px
    return Side(svg_id, width_px, height_px, least, centres or {})


def wants_alternate(first: Side) -> bool:
    """Whether a picture is wide enough that a second, top-to-bottom layout is worth making."""
    return first.least_px > ALTERNATE_ABOVE_PX


def useful(first: Side, second: Side | None) -> Side | None:
    """The second layout if it fits narrower cells than the first and is not a ribbon; else None."""
    if second is None or second.least_px >= first.least_px * 0.9:
        return None
    if second.least_height_px > MAX_TALL_RATIO * max(second.least_px, ALTERNATE_ABOVE_PX):
        return None
    return second


@dataclass(frozen=True)
class Fit:
    """A picture in one or two layouts: the HTML holding them and the CSS that picks and pans."""

    key: str  # unique per widget and view: names the container and its rules
    sides: tuple[Side, ...]

    def html(self, svgs: list[str]) -> str:
        """The SVGs in a container that knows its width; only the one that fits the cell is shown."""
        parts = "".join(
            f'<div class="bp-side bp-side-{k}">{svg}</div>' for k, svg in enumerate(svgs[: len(self.sides)])
        )
        return f"<style>{self.choice_css()}</style><div class=\"bp-fit {self.key}\">{parts}</div>"

    def choice_css(self) -> str:
        """Show the first layout where it fits; in a cell too narrow for it, the second."""
        c = f".{self.key}"
        css = (f"{c}{{container-type:inline-size;overflow-x:auto;overflow-y:hidden}}"
               f"{c} svg.bp-svg{{transition:transform 0.35s ease-out}}")
        if len(self.sides) > 1:
            first = self.sides[0]
            css += (
                f"{c}>.bp-side-1{{display:none}}"
                f"@container (max-width:{first.least_px - 0.5:.1f}px){{"
                f"{c}>.bp-side-0{{display:none}}{c}>.bp-side-1{{display:block}}}}"
            )
        return css

    def pan_css(self, node: int | None) -> str:
        """Each layout moved sideways so that `node` is in the middle of a cell too narrow for it.

        In a cell wide enough the shift clamps to 0; it never shows past either end of the picture.
        Without a node (the first and last frames) every layout sits at its left edge.
        """
        rules = []
        for s in self.sides:
            if node is None or node not in s.centres:
                continue
            centre = s.centres[node] * s.least_px
            rules.append(
                f"#{s.svg_id}{{transform:translateX(min(0px,max(calc(100cqw - {s.least_px:.0f}px),"
                f"calc(50cqw - {centre:.0f}px))))}}"
            )
        return "".join(rules)

