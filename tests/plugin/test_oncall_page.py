"""The on-call page as a phone and a desktop show it: Debian's Chromium, headless, reading the rendered DOM."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, daily_page

SCREENSHOTS = REPO / "reports"


@pytest.fixture(scope="module")
def failing_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of a failing scenario: half the players have no prediction."""
    return daily_page("partial-run", tmp_path_factory.mktemp("oncall"))


@pytest.mark.parametrize(("width", "label"), [(1280, "desktop"), (390, "390px")])
def test_the_page_says_verdict_mode_failures_first_with_evidence_next_step_and_trend(
    chromium: Any, failing_page: Path, width: int, label: str
) -> None:
    page = chromium.new_page(viewport={"width": width, "height": 900})
    page.goto(failing_page.as_uri())
    banner = page.locator("#banner")
    assert banner.is_visible()
    assert banner.inner_text().startswith("FAIL · 1 failed")
    assert "OFFLINE replay of scenario partial-run" in banner.inner_text()
    failure = page.locator("article.check").first
    passed = page.locator("details#passed")
    assert failure.bounding_box()["y"] < passed.bounding_box()["y"]  # failures come before the passes
    assert failure.locator("h3").inner_text() == "test_predictions_landed[2026-02-09]"
    assert failure.locator("table").first.is_visible()  # evidence is a real table
    next_step = failure.locator("p.next")
    assert next_step.is_visible() and next_step.inner_text().startswith("Next: check the coordinator's /status")
    chart = page.locator("#trend-predictions svg.chart")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible() and chart.bounding_box()["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing forces sideways scrolling
    assert not passed.locator("table").is_visible()  # passed checks stay folded
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"oncall-{label}.png"), full_page=True)
    page.close()


def test_the_page_is_one_file_that_fetches_nothing(failing_page: Path) -> None:
    text = failing_page.read_text()
    assert "<script" not in text and "<link" not in text and "<img" not in text and "src=" not in text
    assert set(re.findall(r'href="([^"]*)"', text)) <= {"#trend-predictions", "#trend-hit-rate"}  # in-page only
