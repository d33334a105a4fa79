"""Fixtures for the browser tests: headless Chromium through Playwright, and the timings summary."""

from __future__ import annotations

import pytest
from e2e.harness import (
    ARTIFACTS,
    NEXT_TARGET_S,
    TIMINGS,
    VIEWPORT,
    browser,
)


@pytest.fixture
def page(browser):
    """A fresh 1280x720 page; console errors are kept on `page.console_errors`."""
    context = browser.new_context(viewport=VIEWPORT)
    p = context.new_page()
    p.console_errors = []
    p.on("console", lambda m: p.console_errors.append(m.text) if m.type == "error" else None)
    p.set_default_timeout(20_000)  # clicks and waits; notebook runs pass their own
    yield p
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


__all__ = ["browser"]  # defined in harness so tests outside tests/e2e can share it


def pytest_terminal_summary(terminalreporter):
    tr = terminalreporter
    counts = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        reports = [r for r in tr.stats.get(outcome, []) if "browser" in getattr(r, "keywords", {})]
        if outcome != "passed" or reports:  # count each test once (its call, or setup when it did not run)
            counts[outcome] = len({r.nodeid for r in reports})
    if not TIMINGS and not any(counts.values()):
        return
    tr.section("browser tests (real JupyterLab / Notebook 7 / file:// in headless Chromium)")
    tr.write_line("browser-marked tests: " + ", ".join(f"{n} {outcome}" for outcome, n in counts.items()))
    for what, seconds in TIMINGS:
        flag = ""
        if what.startswith("Next round trip"):
            ok = seconds < NEXT_TARGET_S
            flag = f"  ok (< {NEXT_TARGET_S} s)" if ok else f"  SLOWER than the {NEXT_TARGET_S} s target"
        tr.write_line(f"{what:<78} {seconds:8.3f} s{flag}")
