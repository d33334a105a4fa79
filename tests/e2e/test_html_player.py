"""The exported HTML player from file:// in Chromium: buttons and arrow keys step it, offline."""

from __future__ import annotations

import pytest
from e2e.harness import wait_until

from autograd_core import Value
from widgets import GraphStepper

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


def mse_stepper() -> GraphStepper:
    w, x, y = Value(3.0, label="w"), Value(-4.0, label="x"), Value(2.0, label="y")
    loss = (w * x - y) ** 2
    loss.label = "loss"
    return GraphStepper(loss)


@pytest.fixture
def player(tmp_path):
    stepper = mse_stepper()
    path = tmp_path / "mse player.html"  # a space in the name: file:// URLs must cope
    stepper.save_html(path)
    assert path.exists() and path.stat().st_size > 0
    return path


def test_html_player_steps_offline(browser, player, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(player.as_uri())
        page.wait_for_selector("svg")
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
        context.close()
    assert not errors, f"JavaScript errors in the player: {errors}"
    outside = [u for u in requests if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert not outside, f"the player made network requests (it must work offline): {outside}"
