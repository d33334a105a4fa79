"""Notebooks 07 and 08 in JupyterLab (1280x800, file browser open): the folded network and a Tensor layer.

07 steps the backward pass of the network the student trained, folded into boxes, and opens a layer;
08 steps a Linear layer whose narration states each vector-Jacobian product with its shapes.
"""

from __future__ import annotations

import pytest
from e2e.harness import copy_notebooks, jupyter_server, open_and_run, settle, text_of, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("large")
    copy_notebooks(root)
    with jupyter_server("lab", root, tmp_path_factory.mktemp("large-home")) as server:
        yield server


@pytest.fixture
def laptop_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_07_steps_the_trained_network_folded_and_opens_a_layer(lab, laptop_page, artifacts):
    page = laptop_page
    run = open_and_run(page, lab, "notebooks/07_mini_framework.ipynb", timeout_s=300)
    all_steppers = run.steppers()
    folded = [all_steppers.nth(k) for k in range(all_steppers.count())
              if all_steppers.nth(k).locator(".bp-expand").is_visible()]
    assert len(folded) == 1, "07 shows one folded stepper (the trained network)"
    stepper = folded[0]
    stepper.scroll_into_view_if_needed()
    assert "folded into" in text_of(stepper, ".bp-narration")
    stepper.locator(".bp-last").first.click()
    wait_until(lambda: "gradient" in text_of(stepper, ".bp-narration"), 10, "the last backward frame")
    settle(stepper)
    stepper.locator(".bp-prev").first.click()
    settle(stepper)
    page.screenshot(path=str(artifacts / "lab-07-folded-network-backward-page.png"))
    stepper.screenshot(path=str(artifacts / "lab-07-folded-network-backward-stepper.png"))
    before = stepper.locator(".bp-view svg text").count()
    stepper.locator(".bp-expand").first.click()  # open the first layer in the box menu
    wait_until(lambda: stepper.locator(".bp-view svg text").count() != before, 15, "the layer opened")
    settle(stepper)
    assert "Neuron" in stepper.locator(".bp-view").inner_text()
    stepper.screenshot(path=str(artifacts / "lab-07-folded-layer-opened-stepper.png"))


def test_08_narrates_a_linear_layer_in_dimensions(lab, laptop_page, artifacts):
    page = laptop_page
    run = open_and_run(page, lab, "notebooks/08_tensors.ipynb", timeout_s=180)
    stepper = run.steppers().nth(run.steppers().count() - 1)
    stepper.scroll_into_view_if_needed()
    stepper.locator(".bp-last").first.click()
    for _ in range(3):
        stepper.locator(".bp-prev").first.click()
        settle(stepper)
    texts = []
    for _ in range(3):
        stepper.locator(".bp-next").first.click()
        settle(stepper)
        texts.append(text_of(stepper, ".bp-narration"))
        if "x\u1d40" in texts[-1]:
            break
    joined = "\n".join(texts)
    assert "x\u1d40" in joined and "(3\u00d75)" in joined, joined
    page.screenshot(path=str(artifacts / "lab-08-linear-layer-dimensions-page.png"))
    stepper.screenshot(path=str(artifacts / "lab-08-linear-layer-dimensions-stepper.png"))
