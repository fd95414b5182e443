"""The morning job's reports say loudly which mode produced them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO, run_checks


def test_daily_offline_writes_html_and_allure_stating_the_mode(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    html, allure = tmp_path / "daily.html", tmp_path / "allure"
    result = run_checks(pytester, str(REPO / "checks" / "daily"), f"--html={html}",
                        "--self-contained-html", f"--alluredir={allure}")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["opscheck OFFLINE · scenario healthy · project nba-props-platform"
                                 " · today 2026-02-09 · as of 2026-*"])
    page = html.read_text()
    assert "opscheck OFFLINE · scenario healthy · project nba-props-platform · today 2026-02-09" in page
    environment = (allure / "environment.properties").read_text()
    assert "opscheck.mode=OFFLINE" in environment and "opscheck.scenario=healthy" in environment
    assert "opscheck.as.of=2026-" in environment
    assert "opscheck.target=none: replaying a recording made on sandbox at 2026-" in environment


def test_failure_evidence_reaches_the_html_report(pytester: pytest.Pytester, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    result = run_checks(pytester, str(REPO / "checks" / "daily"), "--scenario", "subsets-missing",
                        f"--html={html}", "--self-contained-html")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    page = html.read_text()
    assert "missing (date, subset) pairs" in page and "POST /materialize" in page
