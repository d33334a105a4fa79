"""SVG -> PNG for exports: draws the small SVG subset that graphviz and the scenes write, with Pillow.

Why not a real SVG library: cairosvg would be one more dependency with a C library behind it
(fragile on Windows and Colab), and a browser is not there on Binder. Graphviz's SVG is simple:
groups with a translate, polygons, polylines, cubic Bézier paths, ellipses and text; the scenes
add rects, tspans and a stylesheet of id/tag selectors. Pillow (which matplotlib brings) draws
those, supersampled for smooth edges, with the DejaVu fonts that matplotlib ships: the same font
the notebook uses, so the picture matches what the browser shows.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache

import matplotlib
from PIL import Image, ImageColor, ImageDraw, ImageFont

SVG = "{http://www.w3.org/2000/svg}"
SUPERSAMPLE = 3  # draw 3x larger, then shrink: Pillow's own lines and polygons have jagged edges
INHERITED = ("fill", "stroke", "stroke-width", "stroke-dasharray", "font-size", "font-weight",
             "font-style", "text-anchor", "display")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@lru_cache(maxsize=64)
def _font(size_px: int, bold: bool, italic: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans" + ("-Bold" if bold else "") + ("Oblique" if italic else "")
    name = name.replace("SansOblique", "Sans-Oblique")
    path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name + ".ttf")
    return ImageFont.truetype(path, max(1, size_px))


# ----- a stylesheet of simple selectors ------------------------------------------------------------
@dataclass(frozen=True)
class _Simple:
    tag: str | None
    ident: str | None
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str], ...]

    def matches(self, el: ET.Element) -> bool:
        if self.tag and _local(el.tag) != self.tag:
            return False
        if self.ident and el.get("id") != self.ident:
            return False
        have = set((el.get("class") or "").split())
        if any(c not in have for c in self.classes):
            return False
        return all(el.get(k) == v for k, v in self.attrs)


_SIMPLE = re.compile(r"([a-zA-Z*][\w-]*)?((?:#[\w-]+|\.[\w-]+|\[[\w-]+=\"[^\"]*\"\])*)$")
_PART = re.compile(r"#([\w-]+)|\.([\w-]+)|\[([\w-]+)=\"([^\"]*)\"\]")


def _parse_simple(text: str) -> _Simple | None:
    m = _SIMPLE.match(text)
    if not m:
        return None  # a selector this renderer does not know (`:nth-child`, ...): the rule is skipped
    tag = None if m.group(1) in (None, "*") else m.group(1)
    ident, classes, attrs = None, [], []
    for p in _PART.finditer(m.group(2) or ""):
        if p.group(1):
            ident = p.group(1)
        elif p.group(2):
            classes.append(p.group(2))
        else:
            attrs.append((p.group(3), p.group(4)))
    return _Simple(tag, ident, tuple(classes), tuple(attrs))


@dataclass
class _Rule:
    chain: list[tuple[str, _Simple]]  # (combinator before it: " " or ">", simple selector), left to right
    declarations: dict[str, str]

    def matches(self, el: ET.Element, ancestors: list[ET.Element]) -> bool:
        *rest, (_, last) = self.chain
        if not last.matches(el):
            return False
        return _match_up(rest, self.chain[-1][0], ancestors)


def _match_up(rest: list[tuple[str, _Simple]], combinator: str, ancestors: list[ET.Element]) -> bool:
    if not rest:
        return True
    *before, (comb, simple) = rest
    if combinator == ">":
        return bool(ancestors) and simple.matches(ancestors[-1]) and _match_up(before, comb, ancestors[:-1])
    for k in range(len(ancestors) - 1, -1, -1):
        if simple.matches(ancestors[k]) and _match_up(before, comb, ancestors[:k]):
            return True
    return False


def parse_css(text: str) -> list[_Rule]:
    """The rules of a stylesheet (at-rules such as @keyframes are dropped)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules: list[_Rule] = []
    pos = 0
    while pos < len(text):
        open_at = text.find("{", pos)
        if open_at < 0:
            break
        head = text[pos:open_at].strip()
        if head.startswith("@"):  # skip the whole block, nested braces included
            depth, i = 0, open_at
            while i < len(text):
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
                if depth == 0:
                    break
            pos = i
            continue
        close_at = text.find("}", open_at)
        body = text[open_at + 1:close_at]
        pos = close_at + 1
        decls = {}
        for decl in body.split(";"):
            if ":" in decl:
                k, v = decl.split(":", 1)
                decls[k.strip()] = v.replace("!important", "").strip()
        for selector in head.split(","):
            chain = _parse_selector(selector.strip())
            if chain:
                rules.append(_Rule(chain, decls))
    return rules


def _parse_selector(selector: str) -> list[tuple[str, _Simple]] | None:
    tokens = re.findall(r">|[^\s>]+", selector)
    chain, combinator = [], " "
    for token in tokens:
        if token == ">":
            combinator = ">"
            continue
        simple = _parse_simple(token)
        if simple is None:
            return None
        chain.append((combinator, simple))
        combinator = " "
    return chain or None


# ----- drawing ------------------------------------------------------------------------------------
@dataclass
class _Canvas:
    draw: ImageDraw.ImageDraw
    k: float  # pixels per SVG unit (supersampled)
    background: tuple[int, int, int]
    rules: list[_Rule] = field(default_factory=list)

    def px(self, x: float, y: float, m: tuple[float, float, float, float]) -> tuple[float, float]:
        sx, sy, tx, ty = m
        return ((x * sx + tx) * self.k, (y * sy + ty) * self.k)


def svg_to_image(svg: str, scale: float = 4 / 3, background: str = "#ffffff") -> Image.Image:
    """Draw `svg` (graphviz's subset) as an RGB image; `scale` = pixels per SVG unit (pt -> px is 4/3)."""
    root = ET.fromstring(svg.encode("utf-8"))
    vx, vy, vw, vh = (float(v) for v in root.get("viewBox", "0 0 100 100").replace(",", " ").split())
    width, height = max(1, round(vw * scale)), max(1, round(vh * scale))
    k = scale * SUPERSAMPLE
    bg = _rgb(background) or (255, 255, 255)
    image = Image.new("RGB", (width * SUPERSAMPLE, height * SUPERSAMPLE), bg)
    rules: list[_Rule] = []
    for style in root.iter(f"{SVG}style"):
        rules.extend(parse_css(style.text or ""))
    canvas = _Canvas(ImageDraw.Draw(image), k, bg, rules)
    _draw_children(canvas, root, [], {}, (1.0, 1.0, -vx, -vy), 1.0)
    return image.resize((width, height), Image.LANCZOS)


def _draw_children(c: _Canvas, parent: ET.Element, ancestors: list[ET.Element], inherited: dict[str, str],
                   m: tuple[float, float, float, float], opacity: float) -> None:
    path = [*ancestors, parent]
    for el in parent:
        tag = _local(el.tag)
        if tag in ("style", "title", "defs"):
            continue
        style = dict(inherited)
        for key in INHERITED + ("opacity", "font-family"):
            if el.get(key) is not None:
                style[key] = el.get(key)
        for rule in c.rules:
            if rule.matches(el, path):
                style.update(rule.declarations)
        for part in (el.get("style") or "").split(";"):
            if ":" in part:
                key, value = part.split(":", 1)
                style[key.strip()] = value.strip()
        if style.get("display") == "none":
            continue
        alpha = opacity * float(style.get("opacity", 1.0))
        if tag in ("g", "a", "svg"):
            child_m = _compose(m, el.get("transform", ""))
            _draw_children(c, el, path, {k: v for k, v in style.items() if k != "opacity"}, child_m, alpha)
        else:
            _draw_shape(c, el, tag, style, m, alpha)


def _draw_shape(c: _Canvas, el: ET.Element, tag: str, style: dict[str, str],
                m: tuple[float, float, float, float], alpha: float) -> None:
    fill = _paint(style.get("fill", "black"), c, alpha)
    stroke = _paint(style.get("stroke", "none"), c, alpha)
    width = _length(style.get("stroke-width", "1")) * c.k * abs(m[0])
    dashes = _dashes(style.get("stroke-dasharray"), c.k * abs(m[0]))
    if tag in ("polygon", "polyline"):
        nums = [float(v) for v in _NUMBER.findall(el.get("points", ""))]
        points = [c.px(nums[i], nums[i + 1], m) for i in range(0, len(nums) - 1, 2)]
        if len(points) < 2:
            return
        if tag == "polygon" and fill is not None:
            c.draw.polygon(points, fill=fill)
        if stroke is not None:
            _stroke(c, points + ([points[0]] if tag == "polygon" else []), stroke, width, dashes)
    elif tag == "path":
        for points, closed in _path_points(el.get("d", ""), c, m):
            if closed and fill is not None and len(points) > 2:
                c.draw.polygon(points, fill=fill)
            if stroke is not None:
                _stroke(c, points, stroke, width, dashes)
    elif tag == "ellipse" or tag == "circle":
        cx, cy = c.px(float(el.get("cx", 0)), float(el.get("cy", 0)), m)
        rx = float(el.get("rx", el.get("r", 0))) * c.k * abs(m[0])
        ry = float(el.get("ry", el.get("r", 0))) * c.k * abs(m[1])
        box = [cx - rx, cy - ry, cx + rx, cy + ry]
        if fill is not None:
            c.draw.ellipse(box, fill=fill)
        if stroke is not None and width > 0:
            c.draw.ellipse([box[0] - width / 2, box[1] - width / 2, box[2] + width / 2, box[3] + width / 2],
                           outline=stroke, width=max(1, round(width)))
    elif tag == "rect":
        x, y = float(el.get("x", 0)), float(el.get("y", 0))
        w, h = float(el.get("width", 0)), float(el.get("height", 0))
        x0, y0 = c.px(x, y, m)
        x1, y1 = c.px(x + w, y + h, m)
        r = float(el.get("rx", 0)) * c.k
        box = [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
        if fill is not None:
            c.draw.rounded_rectangle(box, radius=r, fill=fill)
        if stroke is not None and width > 0:
            if dashes:
                x0, y0, x1, y1 = box
                _stroke(c, [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], stroke, width, dashes)
            else:
                c.draw.rounded_rectangle(box, radius=r, outline=stroke, width=max(1, round(width)))
    elif tag == "line":
        p0 = c.px(float(el.get("x1", 0)), float(el.get("y1", 0)), m)
        p1 = c.px(float(el.get("x2", 0)), float(el.get("y2", 0)), m)
        if stroke is not None:
            _stroke(c, [p0, p1], stroke, width, dashes)
    elif tag == "text":
        _draw_text(c, el, style, m, fill)


def _draw_text(c: _Canvas, el: ET.Element, style: dict[str, str], m: tuple[float, float, float, float],
               fill: tuple[int, int, int] | None) -> None:
    if fill is None:
        return
    runs = []
    spans = [s for s in el if _local(s.tag) == "tspan"]
    if spans:
        for s in spans:
            runs.append((s.get("x", el.get("x", "0")), s.get("y", el.get("y", "0")), "".join(s.itertext())))
    else:
        runs.append((el.get("x", "0"), el.get("y", "0"), "".join(el.itertext())))
    size = _length(style.get("font-size", "14")) * c.k * abs(m[1])
    bold = style.get("font-weight", "normal") in ("bold", "bolder", "600", "700", "800", "900")
    italic = style.get("font-style", "normal") in ("italic", "oblique")
    font = _font(round(size), bold, italic)
    anchor = {"start": "ls", "middle": "ms", "end": "rs"}.get(style.get("text-anchor", "start"), "ls")
    for x, y, text in runs:
        if text.strip():
            c.draw.text(c.px(float(x), float(y), m), text, font=font, fill=fill, anchor=anchor)


def _stroke(c: _Canvas, points: list[tuple[float, float]], colour: tuple[int, int, int], width: float,
            dashes: list[float] | None) -> None:
    w = max(1, round(width))
    if not dashes:
        c.draw.line(points, fill=colour, width=w, joint="curve")
        return
    for piece in _dash_pieces(points, dashes):
        if len(piece) > 1:
            c.draw.line(piece, fill=colour, width=w, joint="curve")


def _dash_pieces(points: list[tuple[float, float]], dashes: list[float]) -> list[list[tuple[float, float]]]:
    """Split a polyline into its dashes (on, off, on, ...), following its corners."""
    pieces: list[list[tuple[float, float]]] = []
    k, left, on = 0, dashes[0], True
    current = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        seg = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        done = 0.0
        while seg - done > left:
            done += left
            t = done / seg
            p = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            if on:
                current.append(p)
                pieces.append(current)
            current = [p]
            on = not on
            k = (k + 1) % len(dashes)
            left = dashes[k]
        left -= seg - done
        if on:
            current.append((x1, y1))
        else:
            current = [(x1, y1)]
    if on and len(current) > 1:
        pieces.append(current)
    return pieces


def _path_points(d: str, c: _Canvas, m: tuple[float, float, float, float]):
    """The polylines of a path of absolute M, L, C and Z commands (what graphviz writes)."""
    tokens = re.findall(r"[MLCZmlcz]|" + _NUMBER.pattern, d)
    out, current, cmd, i = [], [], "M", 0
    pos = (0.0, 0.0)
    start = pos
    while i < len(tokens):
        t = tokens[i]
        if t in "MLCZmlcz":
            cmd = t.upper()
            i += 1
            if cmd == "Z":
                if current:
                    current.append(c.px(*start, m))
                    out.append((current, True))
                current = []
            continue
        if cmd == "M":
            if len(current) > 1:
                out.append((current, False))
            pos = (float(tokens[i]), float(tokens[i + 1]))
            start = pos
            current = [c.px(*pos, m)]
            i += 2
            cmd = "L"
        elif cmd == "L":
            pos = (float(tokens[i]), float(tokens[i + 1]))
            current.append(c.px(*pos, m))
            i += 2
        elif cmd == "C":
            p1 = (float(tokens[i]), float(tokens[i + 1]))
            p2 = (float(tokens[i + 2]), float(tokens[i + 3]))
            p3 = (float(tokens[i + 4]), float(tokens[i + 5]))
            for s in range(1, 17):
                t_ = s / 16
                a, b, cc, dd = (1 - t_) ** 3, 3 * (1 - t_) ** 2 * t_, 3 * (1 - t_) * t_ ** 2, t_ ** 3
                x = a * pos[0] + b * p1[0] + cc * p2[0] + dd * p3[0]
                y = a * pos[1] + b * p1[1] + cc * p2[1] + dd * p3[1]
                current.append(c.px(x, y, m))
            pos = p3
            i += 6
        else:
            i += 1
    if len(current) > 1:
        out.append((current, False))
    return out


def _compose(m: tuple[float, float, float, float], transform: str) -> tuple[float, float, float, float]:
    """Apply an SVG transform made of scale(...), translate(...) and rotate(0) (graphviz's kind)."""
    sx, sy, tx, ty = m
    for name, args in re.findall(r"(\w+)\(([^)]*)\)", transform):
        nums = [float(v) for v in _NUMBER.findall(args)]
        if name == "translate" and nums:
            dx, dy = nums[0], nums[1] if len(nums) > 1 else 0.0
            tx, ty = tx + sx * dx, ty + sy * dy
        elif name == "scale" and nums:
            fx, fy = nums[0], nums[1] if len(nums) > 1 else nums[0]
            sx, sy = sx * fx, sy * fy
    return sx, sy, tx, ty


def _paint(value: str | None, c: _Canvas, alpha: float) -> tuple[int, int, int] | None:
    rgb = _rgb(value)
    if rgb is None:
        return None
    if alpha >= 1.0:
        return rgb
    bg = c.background  # opacity over the page's background: what the eye sees for faint marks
    return tuple(round(a * alpha + b * (1 - alpha)) for a, b in zip(rgb, bg))


def _rgb(value: str | None) -> tuple[int, int, int] | None:
    if value is None:
        return None
    value = value.strip()
    if value in ("none", "transparent", ""):
        return None
    try:
        return ImageColor.getrgb(value)[:3]
    except ValueError:
        return (0, 0, 0)


def _length(value: str) -> float:
    found = _NUMBER.search(str(value))
    return float(found.group()) if found else 1.0


def _dashes(value: str | None, k: float) -> list[float] | None:
    if not value or value == "none":
        return None
    nums = [float(v) * k for v in _NUMBER.findall(value)]
    nums = [n for n in nums if n > 0]
    return nums if nums else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
