"""The build, error-log and line-drift checks on hand-edited answers of `healthy`: the branches no fault of the local
platform takes (a service never built, a log read cut at its bound, counts at the allowance, no history)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, edited_scenario, run_checks

BUILDS = str(REPO / "checks" / "deploy" / "test_commits.py") + "::test_builds_made_serving_revisions"
LOGS = str(REPO / "checks" / "daily" / "test_error_logs.py")


def edit_builds(change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> Callable[[dict[str, Any]], None]:
    def edit(call: dict[str, Any]) -> None:
        if call["operation"] == "builds_of":
            call["result"] = change(call["result"])
    return edit


def errors(count: int, truncated: bool = False) -> Callable[[dict[str, Any]], None]:
    def edit(call: dict[str, Any]) -> None:
        if call["operation"] == "errors":
            call["result"].update(read=count, truncated=truncated, messages=[
                {"service": "prediction-worker", "severity": "ERROR", "message": "feature store read timed out",
                 "count": count, "first": "2026-02-09T12:05:01+00:00", "last": "2026-02-09T12:06:00+00:00"}])
    return edit


def test_a_service_with_no_build_of_the_commit_fails(pytester: pytest.Pytester, tmp_path: Path) -> None:
    edit = edit_builds(lambda builds: [b for b in builds if b["service"] != "scrapers"])
    result = run_checks(pytester, BUILDS, "--recordings", str(edited_scenario(tmp_path, "build", edit)))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*scrapers: no build of * (was it deployed by hand, or never built?)*"])


def test_a_build_whose_image_does_not_serve_fails(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """The build succeeded but something else was deployed (by hand, from another build): not "made by it"."""
    def other_image(builds: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**b, "images": [b["images"][0] + "-rebuilt"]} if b["service"] == "grading" else b for b in builds]

    result = run_checks(pytester, BUILDS, "--recordings", str(edited_scenario(tmp_path, "build", edit_builds(
        other_image))))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*grading: its build * succeeded, but grading-* runs *, not the build's *-rebuilt*"])


@pytest.mark.parametrize(("count", "truncated", "outcome", "line"), [
    (5, False, "passed", None),
    (6, False, "failed", "*6 ERROR-or-worse log entries from prediction-coordinator and prediction-worker since *"
                         "more than 5 (thresholds.max_error_logs): 6x prediction-worker ERROR 'feature store read*"),
    (1000, True, "failed", "*at least 1000 (the first 1000 read) ERROR-or-worse log entries*"),
], ids=["at-the-allowance", "one-over", "cut-at-the-bound"])
def test_error_logs_against_the_allowance(pytester: pytest.Pytester, tmp_path: Path, count: int, truncated: bool,
                                          outcome: str, line: str | None) -> None:
    result = run_checks(pytester, LOGS, "--recordings", str(edited_scenario(tmp_path, "logging", errors(
        count, truncated))))
    result.assert_outcomes(**{outcome: 1})
    if line:
        result.stdout.fnmatch_lines([line])


LINES = str(REPO / "checks" / "daily" / "test_lines.py")


def drift(**values: Any) -> Callable[[dict[str, Any]], None]:
    def edit(call: dict[str, Any]) -> None:
        if call["args"].get("query") == "line_drift":
            for row in call["result"]:
                row.update(values)
    return edit


@pytest.mark.parametrize(("values", "outcome", "line"), [
    ({"judged": 40, "moved": 8}, "passed", None),
    ({"judged": 40, "moved": 9, "example_player": "lukabrookslac02", "example_line": 62.5, "example_usual": 25.1},
     "failed", "*9 of 40 players' lines (22%) lie far from their own last 30 days * e.g. lukabrookslac02 at "
               "62.5, usually 25.1*"),
    ({"impossible": 1, "example_player": "x", "example_line": 0.0, "example_usual": None},
     "failed", "*1 of * prop lines cannot be (missing, not above 0, or above 80 points): e.g. x at 0*"),
    ({"judged": 0, "moved": 0}, "skipped", "*none of the * players with a line has 3 earlier days of lines*"),
], ids=["at-the-share", "over-the-share", "impossible", "no-history"])
def test_line_drift_against_the_allowance(pytester: pytest.Pytester, tmp_path: Path, values: dict[str, Any],
                                          outcome: str, line: str | None) -> None:
    result = run_checks(pytester, LINES, "-rs", "--recordings", str(edited_scenario(tmp_path, "bigquery", drift(
        **values))))
    result.assert_outcomes(**{outcome: 1})
    if line:
        result.stdout.fnmatch_lines([line])
