"""The stepper's frames in a real browser: the fixed SVG plus a frame's stylesheet shows what the frame says.

No Jupyter here: the page holds the widget's two HTML values (the SVG and the `<style>`) inside an
element with the stepper's classes, exactly as the widget's HTML widgets put them in the page, and
the test swaps the stylesheet as a step does. The browser decides what is visible.
"""

from __future__ import annotations

import pytest
from article_graphs import mse_loss
from e2e.harness import browser  # noqa: F401  (the session's Chromium)

from widgets import GraphStepper

pytestmark = pytest.mark.browser

# What is visible and not covered by something drawn on top of it.
JS_SHOWN = """
() => {
  const svg = document.querySelector('.bp-view svg');
  const shown = [];
  for (const t of svg.querySelectorAll('text')) {
    const r = t.getBoundingClientRect();
    if (r.width === 0) continue;  // display: none (checkVisibility() is not reliable inside an SVG)
    const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    if (top && (top === t || t.contains(top))) shown.push(t.textContent.trim());
  }
  return shown;
}
"""


def stepper_html(stepper: GraphStepper) -> str:
    classes = " ".join(stepper._dom_classes)
    return (
        f'<div class="{classes}"><div class="bp-style">{stepper.style_html.value}</div>'
        f'<div class="bp-view">{stepper.view.value}</div></div>'
    )


def page_html(*steppers: GraphStepper) -> str:
    return '<html><body style="margin:0">' + "".join(map(stepper_html, steppers)) + "</body></html>"


def show_frame(page, stepper: GraphStepper, i: int) -> list[str]:
    stepper.goto(i)
    swap = "(html) => { document.querySelector('.bp-style').innerHTML = html; }"
    page.evaluate(swap, stepper.style_html.value)
    return page.evaluate(JS_SHOWN)


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    p = context.new_page()
    yield p
    context.close()


@pytest.mark.parametrize("theme", ["light", "projector"])
def test_each_frame_shows_exactly_its_numbers_in_the_browser(page, theme):
    stepper = GraphStepper(mse_loss(), theme=theme, digits=4)
    page.set_content(page_html(stepper))
    n = 7  # w, x, w*x, y, -y, w*x - y, loss

    start = show_frame(page, stepper, 0)
    assert start.count("?") == 2 * n and "196.0000" not in start

    forward_end = show_frame(page, stepper, n)
    assert "196.0000" in forward_end and "-12.0000" in forward_end
    assert forward_end.count("?") == n  # every gradient still unknown

    middle = show_frame(page, stepper, n + 2)  # the loss, then (w*x - y) passed their gradients on
    assert "1.0000" in middle and middle.count("-28.0000") == 3 and "112.0000" not in middle

    end = show_frame(page, stepper, len(stepper.steps) - 1)
    assert "?" not in end  # every `?` is covered by its number
    for number in ("196.0000", "112.0000", "-84.0000", "28.0000"):
        assert number in end


def test_two_steppers_on_one_page_do_not_restyle_each_other(page):
    a, b = GraphStepper(mse_loss()), GraphStepper(mse_loss())
    a.last()
    page.set_content(page_html(a, b))
    shown = page.evaluate(
        """() => [...document.querySelectorAll('.bp-view svg')].map(svg =>
            [...svg.querySelectorAll('text')].filter(t => t.getBoundingClientRect().width > 0)
            .map(t => t.textContent.trim()))"""
    )
    assert "112.0000" in shown[0] and "112.0000" not in shown[1]
