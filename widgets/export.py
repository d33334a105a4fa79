"""Exports for slides and hand-outs: a GIF, a video (MP4/WebM), one file per frame, and an HTML player.

Every export shows the frames the widget shows, from the same one layout: the HTML player carries
the widget's fixed SVG and each frame's small stylesheet (as in the notebook), the SVG and PNG files
are the scene's standalone frame pictures (PNG drawn by resvg, raster.py), and the GIF and the video are
those pictures one after the other (the video through imageio-ffmpeg's own ffmpeg). resvg-py and
imageio-ffmpeg are optional extras; without them the export says what to install.
Nothing here lays a graph out again or computes a number.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from .dotgraph import printable
from .themes import Theme


@dataclass
class Pack:
    """What any player hands to the exports: its frames as stylesheets over one SVG, and as pictures."""

    title: str
    theme: Theme
    live_svg: str  # the fixed picture (every number in it, hidden until a frame's stylesheet shows it)
    frame_css: list[str]  # one stylesheet per frame, over live_svg
    narration_html: list[str]
    narration_text: list[str]
    phase_html: list[str]
    page_css: str  # how the narration looks (scoped to `scope`)
    scope: str  # the class the page's narration styles are scoped to
    frame_svg: Callable[[int], str]  # a standalone SVG of frame i (only what it shows is in it)
    interval_ms: int = 1000

    def __len__(self) -> int:
        return len(self.frame_css)


# The video formats slides take (PowerPoint, Keynote, Google Slides): suffix -> ffmpeg's codec and options.
# H.264 in MP4 with yuv420p plays everywhere; -tune stillimage suits frames that do not move between steps.
VIDEO_CODECS = {
    ".mp4": ("libx264", ["-crf", "20", "-tune", "stillimage", "-movflags", "+faststart"]),
    ".webm": ("libvpx-vp9", ["-crf", "32", "-b:v", "0", "-row-mt", "1"]),
}
VIDEO_HELP = (
    "save_video needs imageio-ffmpeg (it brings its own ffmpeg): pip install imageio-ffmpeg "
    "(or pip install \"backprop-lab[video]\"), then run this again. save_gif needs no ffmpeg."
)


class VideoUnavailable(ImportError):
    """save_video without imageio-ffmpeg installed; the message says how to install it."""

    def __init__(self, message: str = VIDEO_HELP) -> None:
        super().__init__(message)


class Exports:
    """`save_gif`, `save_video`, `save_frames` and `save_html` for any player with an `export_pack()`.

    The mixin reads nothing else of the player: `export_pack()` is its whole surface (so this module
    imports no player, and each player imports it).
    """

    def export_pack(self) -> Pack:  # pragma: no cover - each player defines it
        """The frames as the exports see them (raises GraphvizNotFound when they cannot be drawn)."""
        raise NotImplementedError

    def save_gif(self, path: str | os.PathLike, fps: float = 1.0, *, scale: float = 1.0,
                 hold_last: float = 2.0) -> Path:
        """An animated GIF with one frame per step, `fps` frames per second, the last held `hold_last` s.

        scale: 1 draws at the widget's size (1 pt = 4/3 px); 2 for a sharper, larger picture.
        """
        fps = _positive(fps, "fps", "frames per second, e.g. fps=1 leaves a second to read each step")
        scale = _positive(scale, "scale", "1 is the widget's size, 2 twice as large")
        if not isinstance(hold_last, (int, float)) or isinstance(hold_last, bool) or hold_last < 0:
            raise ValueError(f"hold_last is how long the last frame stays, in seconds (>= 0): {hold_last!r}")
        path = _target(path, ".gif")
        _need_raster()
        pack = self.export_pack()
        images = [frame_image(pack, i, scale) for i in range(len(pack))]
        palette = _palette(pack, images)
        frames = [_to_palette(im, palette) for im in images]
        step_ms = round(1000 / fps)
        durations = [step_ms] * len(frames)
        durations[-1] = max(step_ms, round(1000 * hold_last))
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0,
                       optimize=False, disposal=1)
        return path

    def save_video(self, path: str | os.PathLike, fps: float = 1.0, *, scale: float = 1.0,
                   hold_last: float = 2.0) -> Path:
        """A video for slides, one step per `fps`-th of a second: MP4 (H.264) or WebM (VP9), by suffix.

        The frames are the GIF's (same pictures, same timing); the last is held `hold_last` s
        (rounded up to whole steps). scale: 1 draws at the widget's size, 2 for a sharper video.
        Needs imageio-ffmpeg (pip install imageio-ffmpeg).
        """
        fps = _positive(fps, "fps", "steps per second, e.g. fps=1 leaves a second to read each step")
        scale = _positive(scale, "scale", "1 is the widget's size, 2 twice as large")
        if not isinstance(hold_last, (int, float)) or isinstance(hold_last, bool) or hold_last < 0:
            raise ValueError(f"hold_last is how long the last frame stays, in seconds (>= 0): {hold_last!r}")
        suffix = Path(path).suffix.lower()
        if suffix not in VIDEO_CODECS:
            raise ValueError(
                f"save_video writes .mp4 (H.264, for PowerPoint and Keynote) or .webm (VP9, for the web); "
                f"{os.fspath(path)!r} ends in {suffix or 'no suffix'}: name the file e.g. 'steps.mp4'"
            )
        ffmpeg = _imageio_ffmpeg()
        _need_raster()
        pack = self.export_pack()
        path = _target(path, suffix)
        images = [frame_image(pack, i, scale) for i in range(len(pack))]
        extra = max(0, math.ceil(round(hold_last * fps, 6)) - 1)  # the last step already lasts 1/fps
        write_video(ffmpeg, path, images + [images[-1]] * extra, fps, pack.theme.background)
        return path

    def save_frames(self, folder: str | os.PathLike, format: str = "svg", *,
                    scale: float = 2.0) -> list[Path]:
        """One file per frame in `folder` (created if needed): frame_000.svg, frame_001.svg, ...

        format: "svg" (sharp at any size: best for slides) or "png" (drawn at `scale` x the widget's size).
        Also writes narration.txt: each frame's narration, for the speaker's notes.
        """
        if format not in ("svg", "png"):
            raise ValueError(f"format must be 'svg' or 'png', got {format!r}")
        scale = _positive(scale, "scale", "1 is the widget's size, 2 twice as large")
        if format == "png":
            _need_raster()
        pack = self.export_pack()
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"save_frames: {folder} is a file; give a folder to put the frames in")
        folder.mkdir(parents=True, exist_ok=True)
        digits = max(3, len(str(len(pack) - 1)))
        paths = []
        for i in range(len(pack)):
            target = folder / f"frame_{i:0{digits}d}.{format}"
            if format == "svg":
                target.write_text(_xml_prolog(pack.frame_svg(i)), encoding="utf-8")
            else:
                frame_image(pack, i, scale).save(target, optimize=True)
            paths.append(target)
        notes = "\n\n".join(f"[{i}] {printable(text)}" for i, text in enumerate(pack.narration_text))
        (folder / "narration.txt").write_text(notes + "\n", encoding="utf-8")
        return paths

    def save_html(self, path: str | os.PathLike, title: str | None = None) -> Path:
        """One self-contained HTML page that plays the frames: no kernel, no network, opens from file://.

        Buttons, a slider, Play, and the keyboard (left/right arrows, Home/End, space to play).
        """
        pack = self.export_pack()
        path = _target(path, ".html")
        # Labels are the student's text: a control character or a lone surrogate in one is shown escaped.
        path.write_text(printable(player_html(pack, title), keep="\n\t\r"), encoding="utf-8")
        return path


def frame_image(pack: Pack, i: int, scale: float = 1.0) -> Any:
    """Frame i as a Pillow image: its standalone SVG drawn by resvg (raster.py), 1 pt = 4/3 px at scale 1."""
    from .raster import svg_to_image  # resvg and Pillow load only when a picture is exported

    return svg_to_image(pack.frame_svg(i), scale=4 / 3 * scale, background=pack.theme.background)


def _need_raster() -> None:
    """Say that resvg-py is missing before any frame is drawn (RasterUnavailable says how to install it)."""
    from .raster import load_resvg

    load_resvg()


def _imageio_ffmpeg() -> Any:
    try:
        import imageio_ffmpeg
    except ImportError:
        raise VideoUnavailable() from None
    return imageio_ffmpeg


def write_video(ffmpeg: Any, path: Path, images: list, fps: float, background: str) -> None:
    """Encode Pillow images (one per video frame) with imageio-ffmpeg's ffmpeg, codec chosen by suffix.

    The picture is padded to even width and height with the background (yuv420p needs even sizes).
    """
    from PIL import Image

    codec, options = VIDEO_CODECS[path.suffix.lower()]
    width = max(im.width for im in images)
    height = max(im.height for im in images)
    width, height = width + width % 2, height + height % 2
    writer = ffmpeg.write_frames(
        str(path), (width, height), fps=fps, codec=codec, quality=None, pix_fmt_out="yuv420p",
        macro_block_size=1, output_params=options, ffmpeg_log_level="error",
    )
    writer.send(None)  # start ffmpeg
    try:
        for im in images:
            canvas = Image.new("RGB", (width, height), background)
            canvas.paste(im.convert("RGB"), (0, 0))
            writer.send(canvas.tobytes())
    finally:
        writer.close()


def _palette(pack: Pack, images: list) -> Any:
    """One GIF palette for every frame, so colours never flicker: the drawing's own colours, exactly,
    and their blends with the background and the text (the anti-aliased edges)."""
    from PIL import Image, ImageColor

    found = set(re.findall(r"#[0-9a-fA-F]{6}\b", "".join(pack.frame_svg(i) for i in range(len(pack)))))
    base = [ImageColor.getrgb(pack.theme.background), ImageColor.getrgb(pack.theme.text)]
    base += sorted({ImageColor.getrgb(c)[:3] for c in found} - set(base))
    colours: list[tuple[int, ...]] = []
    for c in base:
        for under in base[:2]:
            for k in range(12):
                t = k / 12
                mix = tuple(round(a * (1 - t) + b * t) for a, b in zip(c, under))
                if mix not in colours:
                    colours.append(mix)
    if len(colours) > 256:  # too many colours to list: let Pillow choose from a sample of the frames
        sample = images[:: max(1, len(images) // 12)]
        strip = Image.new("RGB", (max(im.width for im in sample), sum(im.height for im in sample)))
        y = 0
        for im in sample:
            strip.paste(im, (0, y))
            y += im.height
        return strip.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for c in colours for v in c])
    return palette


def _to_palette(image: Any, palette: Any) -> Any:
    """`image` with each pixel replaced by the nearest palette colour (exactly: Pillow's own lookup
    rounds colours, which turns a white background light grey)."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(image.convert("RGB"), dtype=np.int32)
    colours = np.array(palette.getpalette()[: 3 * 256], dtype=np.int32).reshape(-1, 3)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    unique, inverse = np.unique(packed.ravel(), return_inverse=True)
    points = np.stack([unique >> 16, (unique >> 8) & 255, unique & 255], axis=1)
    nearest = np.argmin(((points[:, None, :] - colours[None, :, :]) ** 2).sum(axis=2), axis=1)
    indices = nearest[inverse].reshape(packed.shape).astype(np.uint8)
    out = Image.fromarray(indices, mode="P")
    out.putpalette(colours.ravel().tolist())
    return out


def _positive(value: Any, name: str, meaning: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number ({meaning}), got {value!r}")
    return float(value)


ALTERNATIVES = {
    ".gif": "for still pictures use save_frames(folder, format='png'), for a page save_html('steps.html')",
    ".html": "for an animation use save_gif('steps.gif'), for pictures save_frames(folder)",
}


def _target(path: str | os.PathLike, suffix: str) -> Path:
    """The file to write, checked before any work: not a folder, and ending in `suffix`."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: give a file name ending in {suffix}")
    accepted = (".htm", ".html") if suffix == ".html" else (suffix,)
    if path.suffix.lower() not in accepted:
        got = f"ends in {path.suffix!r}" if path.suffix else "has no suffix"
        raise ValueError(
            f"{str(path)!r} {got}, but this writes a {suffix[1:].upper()} file: the name must end in "
            f"{' or '.join(accepted)}, e.g. {path.with_suffix(suffix).name!r} "
            f"({ALTERNATIVES.get(suffix, '')})"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _xml_prolog(svg: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"


def _script_json(data: Any) -> str:
    """JSON that is safe inside <script>: no `</script>`, no `<!--`, whatever the labels say."""
    text = json.dumps(data, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ----- the standalone player (its page, stylesheet and script are files in player_assets/) ------------
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("player_assets", name).read_text(encoding="utf-8")


def player_html(pack: Pack, title: str | None = None) -> str:
    """The HTML page of a standalone player: the SVG once, the frames' stylesheets and narrations as data."""
    t = pack.theme
    heading = escape(title if title is not None else pack.title)
    big = t.name == "projector"
    theme = (
        f":root{{--bp-background:{t.background};--bp-text:{t.text};--bp-wire:{t.wire};"
        f"--bp-gate-fill:{t.gate_fill};--bp-font:\"{t.font}\", \"DejaVu Sans\", Verdana, sans-serif;"
        f"--bp-title-size:{'26px' if big else '18px'};--bp-control-size:{'20px' if big else '15px'}}}"
    )
    data = {"css": pack.frame_css, "narration": pack.narration_html, "phase": pack.phase_html,
            "interval": int(pack.interval_ms)}
    script = _asset("player.js")
    if "</script" in script.lower():  # it is inlined in a <script> element
        raise ValueError("player_assets/player.js must not contain '</script'")
    parts = {
        "title": heading, "theme": theme, "player_css": _asset("player.css"), "narration_css": pack.page_css,
        "scope": escape(pack.scope), "svg": pack.live_svg, "data": _script_json(data), "script": script,
    }
    # one pass: a label that reads "{{script}}" inside the SVG or the data stays text
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _asset("player.html"))
