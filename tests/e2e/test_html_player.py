"""The exported HTML player from file:// in Chromium: its script (widgets/player_assets/player.js) steps
it with the buttons, the slider, Play and the keys, offline, without a console error; a hostile label is
text; and the PNG frames (resvg) look like the browser's own drawing of the same SVG."""

from __future__ import annotations

import io

import pytest
from e2e.harness import wait_until

from autograd_core import Value
from tests.conftest import require
from widgets import GraphStepper, TopoSortPlayer

pytestmark = pytest.mark.browser

# What a student sees of the page's drawing: each SVG element's text and computed style.
# The numbers a student can see in the drawing (text hidden by CSS excluded).
JS_VISIBLE_NUMBERS = """
() => {
  const out = [];
  for (const t of document.querySelectorAll('svg text')) {
    let el = t, shown = true;
    for (; el && el.tagName !== 'BODY'; el = el.parentElement) {
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden' || cs.opacity === '0') shown = false;
    }
    const m = t.textContent.replace('\u2212', '-').match(/-?\\d+(\\.\\d+)?/g);
    if (shown && m) out.push(...m.map(Number));
  }
  return out;
}
"""

JS_PAGE_DRAWING = """
() => {
  const parts = [];
  for (const el of document.querySelectorAll('svg text, svg path, svg polygon, svg ellipse, svg polyline')) {
    const cs = getComputedStyle(el);
    parts.push([el.tagName, el.textContent, cs.display, cs.visibility, cs.opacity, cs.fill, cs.stroke,
                cs.strokeWidth].join('|'));
  }
  return parts.join('\\n');
}
"""


def mse(label_w: str = "w") -> Value:
    w, x, y = Value(3.0, label=label_w), Value(-4.0, label="x"), Value(2.0, label="y")
    loss = (w * x - y) ** 2
    loss.label = "loss"
    return loss


def mse_stepper(**options) -> GraphStepper:
    return GraphStepper(mse(), **options)


class Watched:
    """A page with everything that must not happen recorded: script errors, console errors, dialogs,
    requests that leave the file."""

    def __init__(self, browser, path) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 720})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("svg")

    def count(self) -> str:
        return self.page.locator(".bp-count").inner_text()

    def disabled(self) -> dict[str, bool]:
        return {b: self.page.locator(f".bp-{b}").is_disabled() for b in ("first", "prev", "next", "last")}

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"JavaScript or console errors in the player: {self.errors}"
        assert not self.dialogs, f"the page opened dialogs: {self.dialogs}"
        outside = [u for u in self.requests if not u.startswith(("file:", "data:", "blob:", "about:"))]
        assert not outside, f"the player made network requests (it must work offline): {outside}"


@pytest.fixture
def player(tmp_path):
    stepper = mse_stepper()
    path = tmp_path / "mse player.html"  # a space in the name: file:// URLs must cope
    stepper.save_html(path)
    assert path.exists() and path.stat().st_size > 0
    return path


def test_html_player_steps_offline(browser, player, artifacts):
    watched = Watched(browser, player)
    page = watched.page
    try:
        start = page.evaluate(JS_PAGE_DRAWING)
        assert start, "the player shows no SVG drawing"

        # the Next button steps forward, the Prev button steps back to the same picture
        page.locator(".bp-next").first.click()
        after_next = wait_until(lambda: (d := page.evaluate(JS_PAGE_DRAWING)) != start and d, 5,
                                "the Next button to change the drawing")
        page.locator(".bp-prev").first.click()
        wait_until(lambda: page.evaluate(JS_PAGE_DRAWING) == start, 5, "the Prev button to step back")

        # the arrow keys do the same
        page.locator("body").click(position={"x": 5, "y": 5})
        page.keyboard.press("ArrowRight")
        wait_until(lambda: page.evaluate(JS_PAGE_DRAWING) == after_next, 5, "ArrowRight to step forward")
        page.keyboard.press("ArrowRight")
        wait_until(lambda: page.evaluate(JS_PAGE_DRAWING) not in (start, after_next), 5, "a second step")
        page.keyboard.press("ArrowLeft")
        wait_until(lambda: page.evaluate(JS_PAGE_DRAWING) == after_next, 5, "ArrowLeft to step back")
        assert 112.0 not in page.evaluate(JS_VISIBLE_NUMBERS), "a gradient shows before the backward pass"

        # the last frame shows the article's numbers: loss 196, dloss/dw 112, dloss/dx -84, dloss/dy 28
        page.keyboard.press("End")
        shown = wait_until(lambda: (n := page.evaluate(JS_VISIBLE_NUMBERS)) and 112.0 in n and n, 5,
                           "End to show the last frame")
        for number in (196.0, 112.0, -84.0, 28.0):
            assert number in shown, f"{number} is not visible in the player's last frame: {shown}"
        page.screenshot(path=str(artifacts / "html-player-last-frame.png"))
    finally:
        watched.close()


def test_every_control_of_the_player(browser, tmp_path):
    """The count, disabled ends, the keys (and modifiers left alone), the slider, Play to the end, space."""
    stepper = mse_stepper(speed=100)  # Play steps every 100 ms
    last = len(stepper.steps) - 1
    watched = Watched(browser, stepper.save_html(tmp_path / "controls.html"))
    page = watched.page
    try:
        assert watched.count() == f"step 0 of {last}"
        assert watched.disabled() == {"first": True, "prev": True, "next": False, "last": False}
        page.locator(".bp-last").click()
        assert watched.count() == f"step {last} of {last}"
        assert watched.disabled() == {"first": False, "prev": False, "next": True, "last": True}
        page.keyboard.press("ArrowRight")  # past the end: stays at the end
        assert watched.count() == f"step {last} of {last}"
        page.locator(".bp-first").click()
        assert watched.count() == f"step 0 of {last}"
        first_narration = page.locator(".bp-narration").inner_text()

        page.locator("body").click(position={"x": 5, "y": 5})
        for key, shown in (("PageDown", 1), ("ArrowDown", 2), ("ArrowUp", 1), ("End", last), ("Home", 0),
                           ("PageUp", 0)):
            page.keyboard.press(key)
            assert watched.count() == f"step {shown} of {last}", key
        page.keyboard.press("Control+ArrowRight")  # the browser's shortcuts are left alone
        assert watched.count() == f"step 0 of {last}"

        # the slider: dragging it (an input event) shows that frame, its narration and phase
        page.locator(".bp-slider").evaluate("s => { s.value = '7'; s.dispatchEvent(new Event('input')); }")
        assert watched.count() == f"step 7 of {last}"
        narration = page.locator(".bp-narration").inner_text()
        assert narration.strip() and narration != first_narration
        assert page.locator(".bp-phase").inner_text().strip() == "forward pass: values"

        # Play runs to the last frame by itself and stops there
        page.locator(".bp-play").click()
        assert page.locator(".bp-play").get_attribute("aria-pressed") == "true"
        assert "Pause" in page.locator(".bp-play").inner_text()
        wait_until(lambda: watched.count() == f"step {last} of {last}", 10, "Play to reach the last frame")
        wait_until(lambda: page.locator(".bp-play").get_attribute("aria-pressed") == "false", 2,
                   "Play to stop at the end")
        assert "Play" in page.locator(".bp-play").inner_text()

        # space plays (from the start again, since it was at the end) and pauses
        page.locator("body").click(position={"x": 5, "y": 5})
        page.keyboard.press(" ")
        wait_until(lambda: watched.count() not in (f"step 0 of {last}", f"step {last} of {last}"), 5,
                   "space to play from the start")
        page.keyboard.press(" ")
        paused = watched.count()
        page.wait_for_timeout(400)  # four steps' time
        assert watched.count() == paused, "space did not pause"
        assert page.locator(".bp-play").get_attribute("aria-pressed") == "false"
        # a button press while playing stops the playing
        page.keyboard.press(" ")
        page.locator(".bp-first").click()
        page.wait_for_timeout(300)
        assert watched.count() == f"step 0 of {last}"
    finally:
        watched.close()


def test_hostile_labels_are_text_in_the_browser(browser, tmp_path):
    evil = "</script><img src=x onerror=alert(1)>"
    stepper = GraphStepper(mse(label_w=evil + "{{script}}"))
    watched = Watched(browser, stepper.save_html(tmp_path / "evil.html"))
    page = watched.page
    try:
        page.keyboard.press("End")
        assert page.locator("img").count() == 0 and page.locator("script").count() == 2
        drawn = page.evaluate("() => [...document.querySelectorAll('svg text')].map(t => t.textContent)")
        assert evil + "{{script}}" in drawn
        page.locator(".bp-slider").evaluate("s => { s.value = '1'; s.dispatchEvent(new Event('input')); }")
        assert evil in page.locator(".bp-narration").inner_text()
    finally:
        watched.close()


def test_the_sort_players_page_steps_to_the_order(browser, tmp_path):
    player = TopoSortPlayer(mse())
    last = len(player.steps) - 1
    watched = Watched(browser, player.save_html(tmp_path / "sort.html"))
    page = watched.page
    try:
        start = page.evaluate(JS_PAGE_DRAWING)
        page.keyboard.press("ArrowRight")
        wait_until(lambda: page.evaluate(JS_PAGE_DRAWING) != start, 5, "ArrowRight to change the drawing")
        page.keyboard.press("End")
        assert watched.count() == f"step {last} of {last}"
        shown = page.evaluate(JS_VISIBLE_NUMBERS)
        for number in (112.0, -84.0, 28.0):  # the backward pass over the order ends at the article's numbers
            assert number in shown, f"{number} is not visible in the sort player's last frame: {shown}"
    finally:
        watched.close()


def test_png_frames_look_like_the_browsers_drawing(browser, tmp_path):
    """save_frames(format='png') (resvg) against Chromium's own drawing of the same frame SVGs."""
    require("resvg_py", "PNG frames are drawn by resvg")
    import numpy as np
    from PIL import Image

    from widgets.export import frame_image

    for player in (mse_stepper(), TopoSortPlayer(mse())):
        pack = player.export_pack()
        for k in (len(pack) // 2, len(pack) - 1):
            ours = np.asarray(frame_image(pack, k), dtype=int)  # what save_frames(format="png") writes
            height, width = ours.shape[:2]
            page = browser.new_page(viewport={"width": width, "height": height})
            try:
                page.set_content(f"<body style='margin:0;background:#fff'>{pack.frame_svg(k)}</body>")
                page.evaluate("([w, h]) => document.querySelector('svg').setAttribute('style', "
                              "`width:${w}px;height:${h}px;display:block`)", [width, height])
                shot = page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": height})
            finally:
                page.close()
            theirs = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=int)
            off = np.abs(ours - theirs).max(axis=2)
            # measured: 1.5-2.2 mean, 0.7-1.0 % of pixels off by more than a quarter (anti-aliasing, hinting)
            assert off.mean() < 4, (type(player).__name__, k, off.mean())
            assert (off > 64).mean() < 0.02, (type(player).__name__, k, (off > 64).mean())
