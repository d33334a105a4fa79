"""Exports of GraphStepper and TopoSortPlayer: GIF frames, SVG/PNG files, the standalone HTML player."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from autograd_core import Value
from tests.conftest import require
from widgets import GraphStepper, TopoSortPlayer
from widgets.raster import RasterUnavailable, svg_to_image
from widgets.themes import LIGHT

EVIL = "</script><img src=x onerror=alert(1)>"
ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "widgets" / "player_assets"


@pytest.fixture
def resvg():
    return require("resvg_py", "save_gif, save_video and PNG frames draw each frame's SVG with resvg")


def mse(label_w: str = "w"):
    w, x, y = Value(3.0, label=label_w), Value(-4.0, label="x"), Value(2.0, label="y")
    loss = (w * x - y) ** 2
    loss.label = "loss"
    return loss


class _Page(HTMLParser):
    """The tags, attributes and script texts of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs).get("id", "code")
            self.scripts[self._script] = ""

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self.scripts[self._script] += data


def page_of(path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.mark.parametrize("make", [lambda: GraphStepper(mse()), lambda: TopoSortPlayer(mse())],
                         ids=["stepper", "sort player"])
def test_the_gif_has_one_frame_per_step(tmp_path, make, resvg):
    player = make()
    path = player.save_gif(tmp_path / "anim.gif", fps=2, hold_last=3)
    with Image.open(path) as gif:
        assert gif.n_frames == len(player.steps)
        durations = []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
    assert durations[:-1] == [500] * (len(player.steps) - 1) and durations[-1] == 3000


def test_gif_frames_show_what_the_frames_show(tmp_path, resvg):
    stepper = GraphStepper(mse())
    path = stepper.save_gif(tmp_path / "mse.gif")
    current = np.array(Image.new("RGB", (1, 1), LIGHT.current_fill)).reshape(3)
    grad = np.array(Image.new("RGB", (1, 1), LIGHT.grad)).reshape(3)

    def count(frame: int, colour: np.ndarray) -> int:
        with Image.open(path) as gif:
            gif.seek(frame)
            pixels = np.asarray(gif.convert("RGB")).reshape(-1, 3)
        return int(np.all(pixels == colour, axis=1).sum())

    # frame 0: nothing current, no gradient drawn; a backward frame: the current gate filled, gradients shown
    assert count(0, current) == 0 and count(0, grad) == 0
    root = len(stepper.names) - 1
    backward = next(f.index for f in stepper.steps if f.phase == "backward" and f.node != root)
    assert count(backward, current) > 50 and count(backward, grad) > 50
    with Image.open(path) as gif:
        assert gif.convert("RGB").getpixel((1, 1)) == (255, 255, 255)  # the background stays white


def test_save_frames_writes_one_svg_per_frame_and_the_narration(tmp_path):
    stepper = GraphStepper(mse())
    paths = stepper.save_frames(tmp_path / "frames")
    assert len(paths) == len(stepper.steps)
    assert [p.name for p in paths[:2]] == ["frame_000.svg", "frame_001.svg"]
    last = ET.parse(paths[-1]).getroot()
    drawn = {"".join(t.itertext()) for t in last.iter("{http://www.w3.org/2000/svg}text")}
    assert {"196.0000", "112.0000", "-84.0000", "28.0000"} <= drawn  # ARTICLE.md row 5
    first = ET.parse(paths[0]).getroot()
    assert "112.0000" not in {"".join(t.itertext()) for t in first.iter("{http://www.w3.org/2000/svg}text")}
    notes = (tmp_path / "frames" / "narration.txt").read_text(encoding="utf-8")
    assert "\u2202loss/\u2202w" in notes and notes.count("[") >= len(stepper.steps)


def test_save_frames_png_draws_each_frame_at_the_chosen_scale(tmp_path, resvg):
    player = TopoSortPlayer(mse())
    paths = player.save_frames(tmp_path / "png", format="png", scale=1)
    assert len(paths) == len(player.steps)
    view_box = ET.fromstring(player.svg).get("viewBox").split()
    with Image.open(paths[3]) as im:  # 1 pt = 4/3 px (resvg sizes the picture to within a pixel)
        width, height = float(view_box[2]) * 4 / 3, float(view_box[3]) * 4 / 3
        assert abs(im.width - width) < 1 and abs(im.height - height) < 1
    with Image.open(paths[0]) as a, Image.open(paths[-1]) as b:
        assert np.asarray(a).shape == np.asarray(b).shape and not np.array_equal(np.asarray(a), np.asarray(b))


def test_bad_export_arguments_are_refused_with_what_to_do(tmp_path):
    stepper = GraphStepper(mse())
    with pytest.raises(ValueError, match="'svg' or 'png'"):
        stepper.save_frames(tmp_path, format="jpg")
    with pytest.raises(ValueError, match="fps must be a positive number"):
        stepper.save_gif(tmp_path / "a.gif", fps=0)
    with pytest.raises(IsADirectoryError, match="give a file name"):
        stepper.save_html(tmp_path)


@pytest.mark.parametrize("make", [lambda: GraphStepper(mse()), lambda: TopoSortPlayer(mse())],
                         ids=["stepper", "sort player"])
def test_the_html_player_holds_every_frame_and_loads_nothing(tmp_path, make):
    player = make()
    path = player.save_html(tmp_path / "player.html")
    text = path.read_text(encoding="utf-8")
    page = page_of(path)
    data = json.loads(page.scripts["bp-data"])
    assert len(data["css"]) == len(player.steps)
    assert data["narration"] == [f.narration.html for f in player.steps]
    # the frames restyle the one SVG in the page: it holds every number the last frame shows
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert len(svgs) == 1 and "112.0000" in text and "196.0000" in text
    # the controls the browser test and a student use
    classes = {c for _, attrs in page.tags for c in (attrs.get("class") or "").split()}
    assert {"bp-next", "bp-prev", "bp-first", "bp-last", "bp-play", "bp-slider", "bp-narration"} <= classes
    assert "ArrowRight" in page.scripts["code"] and "ArrowLeft" in page.scripts["code"]
    # nothing is fetched: no src/href to anywhere, no stylesheet link, no CSS import or url()
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        for key in ("src", "href", "data", "action"):
            value = attrs.get(key)
            assert value is None or value.startswith("#"), (tag, key, value)
    assert not re.search(r"@import|url\(|https?://(?!www\.w3\.org/(2000/svg|1999/xlink))", text)


def test_hostile_label_is_text_in_the_html_player_and_the_svg_frames(tmp_path):
    stepper = GraphStepper(mse(label_w=EVIL))
    path = stepper.save_html(tmp_path / "evil.html")
    text = path.read_text(encoding="utf-8")
    page = page_of(path)
    assert not [t for t, _ in page.tags if t == "img"]
    assert "<img" not in text and "</script><img" not in text
    assert len([t for t, _ in page.tags if t == "script"]) == 2  # the data and the player, nothing injected
    data = json.loads(page.scripts["bp-data"])
    assert any("&lt;img src=x onerror=alert(1)&gt;" in n for n in data["narration"])
    frames = stepper.save_frames(tmp_path / "evil")
    for svg in frames:
        root = ET.parse(svg).getroot()
        assert not [el for el in root.iter() if el.tag.endswith("img") or el.tag.endswith("script")]
    drawn = {"".join(t.itertext()) for t in ET.parse(frames[-1]).getroot().iter("{http://www.w3.org/2000/svg}text")}
    assert EVIL in drawn


def test_raster_applies_the_frame_stylesheet(resvg):
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" id="s" viewBox="0 0 40 20">'
        "<style>#s #a ellipse{fill:#F0E442}#s #b > rect{display:none}@keyframes k{to{opacity:1}}</style>"
        '<g id="a"><ellipse cx="10" cy="10" rx="8" ry="8" fill="#ffffff" stroke="none"/></g>'
        '<g id="b"><rect x="22" y="2" width="16" height="16" fill="#0072B2"/></g></svg>'
    )
    im = svg_to_image(svg, scale=1)
    assert im.getpixel((10, 10)) == (0xF0, 0xE4, 0x42)  # the stylesheet beat the fill attribute
    assert im.getpixel((30, 10)) == (255, 255, 255)  # display:none: not drawn


def test_picture_exports_without_resvg_say_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "resvg_py", None)  # `import resvg_py` now fails
    stepper = GraphStepper(mse())
    with pytest.raises(RasterUnavailable, match=r"pip install resvg-py.*save_html"):
        stepper.save_gif(tmp_path / "steps.gif")
    with pytest.raises(RasterUnavailable, match=r"pip install resvg-py"):
        stepper.save_frames(tmp_path / "png", format="png")
    assert isinstance(RasterUnavailable(), ImportError)
    assert not list(tmp_path.iterdir())  # refused before any file or folder was made
    # what needs no picture still works
    assert stepper.save_html(tmp_path / "steps.html").stat().st_size > 0
    assert len(stepper.save_frames(tmp_path / "svg")) == len(stepper.steps)
    # in JupyterLite (Pyodide) installing does not help: say what to use instead
    monkeypatch.setattr(sys, "platform", "emscripten")
    with pytest.raises(RasterUnavailable, match=r"no build for Pyodide.*save_html"):
        stepper.save_gif(tmp_path / "steps.gif")


def _imports(path: Path) -> set[str]:
    """The modules a file imports, relative ones as written (`.stepper`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_the_exports_import_no_player_and_the_players_import_the_exports():
    """One way only: the players hand `export_pack()` to the exports (no export <-> stepper circle)."""
    players = {".stepper", ".toposort", ".player", ".scene", ".frames", ".folded_story"}
    for module in ("export.py", "raster.py"):
        assert not _imports(ROOT / "widgets" / module) & players, module
    for module in ("stepper.py", "toposort.py"):
        assert ".export" in _imports(ROOT / "widgets" / module), module
    for player in (GraphStepper(mse()), TopoSortPlayer(mse())):
        pack = player.export_pack()
        assert len(pack) == len(player.steps) and pack.narration_text[-1] == player.steps[-1].narration.text


def test_the_player_page_is_its_package_files_filled_in(tmp_path):
    stepper = GraphStepper(mse(label_w="{{script}}"))  # a label that reads like a placeholder stays text
    text = stepper.save_html(tmp_path / "p.html").read_text(encoding="utf-8")
    page = page_of(tmp_path / "p.html")
    assert page.scripts["code"] == (ASSETS / "player.js").read_text(encoding="utf-8")
    assert (ASSETS / "player.css").read_text(encoding="utf-8") in text
    assert text.count((ASSETS / "player.js").read_text(encoding="utf-8")) == 1
    assert "{{script}}" in text and not re.search(r"\{\{(title|theme|player_css|svg|data|scope)\}\}", text)
    # the theme reaches the page as the variables player.css reads
    assert "--bp-background:#ffffff" in text and "--bp-title-size:18px" in text
    projector = GraphStepper(mse(), theme="projector").save_html(tmp_path / "big.html").read_text("utf-8")
    assert "--bp-title-size:26px" in projector and "--bp-control-size:20px" in projector


@pytest.mark.slow
def test_the_wheel_carries_the_player_files(tmp_path):
    """The player's files are package data: a wheel (and so the JupyterLite site's) has them."""
    source = tmp_path / "src"  # a copy: building in the repository would leave build/ behind
    for folder in ("autograd_core", "widgets"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    try:
        import setuptools

        local = int(setuptools.__version__.split(".")[0]) >= 77  # what pyproject.toml asks for
    except ImportError:
        local = False
    isolation = "--no-build-isolation" if local else "--use-pep517"  # else pip fetches setuptools
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", isolation,
                            "--wheel-dir", str(tmp_path), str(source)], capture_output=True, text=True,
                           cwd=tmp_path, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = tmp_path.glob("backprop_lab-*.whl")
    with zipfile.ZipFile(wheel) as z:
        for name in ("player.html", "player.css", "player.js"):
            assert z.read(f"widgets/player_assets/{name}") == (ASSETS / name).read_bytes(), name
