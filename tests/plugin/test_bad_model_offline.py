"""A bad model caught before it costs a day, offline on the bundled recordings (issue 21).

The recordings were made from the local platform with a really trained flawed model (its target shifted by
one row) put into production the normal way; the matrix (test_scenarios.py) holds which checks each fails.
These say what the failures tell the person reading them, and what the page shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from opscheck.sandbox import models
from tests.helpers import REPO, daily_page, outcomes, run_checks

DRIFT = "test_prediction_drift[2026-02-09]"


def drift_outcome(result: pytest.RunResult) -> str:
    return next(o for test_id, o in outcomes(result).items() if test_id.endswith(DRIFT))


def test_the_first_morning_of_a_bad_model_fails_drift_naming_what_moved(pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, str(REPO / "checks" / "daily"), "--scenario", "bad-model-serving", "-rA")
    assert drift_outcome(result) == "FAILED"
    result.stdout.fnmatch_lines([
        f"E * 2026-02-09: the predictions of {models.BAD.version} moved against {models.PRODUCTION.version} on "
        "2026-02-06, 2026-02-07, 2026-02-08 (the previous model: today is a model switch): edge vs line: edges "
        "moved -0.* points per point of line (slope -0.* -> -1.*) (gap 0.*, alarm line 0.*)*; next: backtest it*"])


def test_a_good_model_switch_and_a_bad_model_judged_by_its_own_days_pass_drift(pytester: pytest.Pytester) -> None:
    for scenario in ("model-switch", "bad-model-graded", "healthy"):
        result = run_checks(pytester, str(REPO / "checks" / "daily" / "test_drift.py"), "--scenario", scenario, "-rA")
        assert drift_outcome(result) == "PASSED", (scenario, result.stdout.str()[-2000:])


def test_no_prediction_to_judge_is_a_skip_saying_so(pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, str(REPO / "checks" / "daily" / "test_drift.py"), "--scenario", "lines-missing",
                        "-rA")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED * 2026-02-09: no active prediction to judge (test_predictions_landed*"])


def test_the_gate_blocks_the_promoted_bad_model_naming_both_hit_rates(pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, str(REPO / "checks"), "-m", "deploy", "--scenario", "bad-model-promoted", "-rA")
    result.stdout.fnmatch_lines([
        f"E * {models.BAD.file} (the manifest's production model) hit 5*% of * picks on 2026-02-01..2026-02-08 "
        f"(* graded days after its window), the serving model {models.PRODUCTION.version} 7*% of the same picks: "
        "worse by 1*.* points, at least *.* with 95% confidence, more than the margin of 3; next: do not roll it "
        "out*"])


def test_with_the_model_serving_there_is_nothing_to_backtest(pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, str(REPO / "checks" / "deploy" / "test_backtest.py"), "--scenario", "healthy",
                        "-rA")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED * the worker serves the manifest's production model *: nothing to "
                                 "backtest; give --candidate FILE to backtest a model before promoting it"])


@pytest.fixture(scope="module")
def drift_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return daily_page("bad-model-serving", tmp_path_factory.mktemp("drift"))


def test_the_page_shows_both_histograms(chromium: Any, drift_page: Path) -> None:
    page = chromium.new_page(viewport={"width": 390, "height": 900})
    page.goto(drift_page.as_uri())
    card = page.locator("article.check", has_text="test_prediction_drift")
    histograms = card.locator("table.histogram")
    assert histograms.count() == 3  # edge, calls, confidence
    first = histograms.first
    first.scroll_into_view_if_needed()
    assert first.locator("th").all_inner_texts()[1:] == ["■ reference", "■ today"]
    bars = first.locator("td span[style*='width']")
    assert bars.count() > 4 and any(b.bounding_box()["width"] > 5 for b in bars.all())  # drawn, not just numbers
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
