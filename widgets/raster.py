"""SVG -> Pillow image for the PNG, GIF and video exports, drawn by resvg (resvg-py, an optional extra).

resvg renders all of SVG and its stylesheets, from one wheel with no system library (Linux, macOS,
Windows). It draws with the DejaVu fonts that matplotlib ships, the notebook's font, and no other:
a frame looks the same on every machine, and like the browser's (docs/architecture.md, "Exports").
"""

from __future__ import annotations

import importlib.util
import io
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

RASTER_HELP = (
    "save_gif, save_video and save_frames(format='png') draw their pictures with resvg: "
    "pip install resvg-py (or pip install \"backprop-lab[export]\"), then run this again. "
    "save_html and save_frames(folder) (SVG files, sharp on slides) need nothing extra."
)
PYODIDE_HELP = (
    "resvg-py has no build for Pyodide, so this JupyterLite kernel cannot draw GIF, PNG or video frames: "
    "use save_html('steps.html') or save_frames(folder) (SVG files), or export from a local Jupyter, "
    "Binder or Colab."
)
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")


class RasterUnavailable(ImportError):
    """A picture export without resvg-py installed; the message says how to install it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (PYODIDE_HELP if sys.platform == "emscripten" else RASTER_HELP))


def load_resvg() -> Any:
    """The resvg_py module, or RasterUnavailable (saying how to install it)."""
    try:
        import resvg_py
    except ImportError:
        raise RasterUnavailable() from None
    return resvg_py


@lru_cache(maxsize=1)
def _font_files() -> tuple[str, ...]:
    """matplotlib's DejaVu Sans files (found without importing matplotlib)."""
    spec = importlib.util.find_spec("matplotlib")
    locations = (spec.submodule_search_locations or []) if spec is not None else []
    folders = [Path(p) / "mpl-data" / "fonts" / "ttf" for p in locations]
    return tuple(str(f / name) for f in folders for name in FONTS if (f / name).exists())


def svg_to_image(svg: str, scale: float = 4 / 3, background: str = "#ffffff") -> Any:
    """`svg` as an RGB Pillow image, `scale` pixels per SVG unit (graphviz's pt -> px is 4/3)."""
    resvg = load_resvg()
    from PIL import Image

    fonts = _font_files()  # none found (no matplotlib): the machine's own fonts
    only = {"skip_system_fonts": True, "font_files": list(fonts)} if fonts else {}
    png = resvg.svg_to_bytes(svg_string=svg, zoom=scale, background=background, **only)
    return Image.open(io.BytesIO(bytes(png))).convert("RGB")
