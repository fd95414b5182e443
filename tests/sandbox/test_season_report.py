"""The on-call page of a season-long range stays small enough to open on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import REPO, run_checks, summary_of

LIMIT = 2 * 1024**2


def test_a_season_long_range_with_a_fault_makes_a_page_under_2_mb(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    faults.inject(healthy, "subsets-missing")  # fails a dated check on many dates
    result = run_checks(pytester, str(REPO / "checks" / "daily"), "--target", "sandbox",
                        "--dates", "2025-10-21..2026-02-09", f"--report-dir={tmp_path}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    [page] = tmp_path.glob("daily-*.html")
    summary = summary_of(tmp_path)
    assert summary["counts"]["passed"] > 600 and summary["dates"] == ["2025-10-21", "2026-02-09"]
    failed = [c for c in summary["checks"] if c["outcome"] == "failed"]
    assert {c["first_failed"] for c in failed} == {"2026-02-01"}  # since when, for the whole range
    assert page.stat().st_size < LIMIT
