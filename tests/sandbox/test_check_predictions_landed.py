"""`test_predictions_landed`, live against the local platform, healthy and broken."""

from __future__ import annotations

import pytest

from opscheck.sandbox import faults
from opscheck.sandbox.local import LocalPlatform
from tests.helpers import REPO, run_checks

CHECK = str(REPO / "checks/daily/test_predictions.py") + "::test_predictions_landed"


def test_passes_on_the_healthy_platform(healthy: LocalPlatform, pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, CHECK, "--target", "sandbox")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*opscheck LIVE*target sandbox*today 2026-02-09*"])


def test_passes_on_a_day_without_games(healthy: LocalPlatform, pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, CHECK, "--target", "sandbox", "--date", "2025-12-24", "-rA")  # Christmas Eve
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(("fault", "active"), [("morning-run-missing", 0), ("partial-run", 24)])
def test_fails_naming_date_and_counts(
    healthy: LocalPlatform, pytester: pytest.Pytester, fault: str, active: int
) -> None:
    faults.inject(healthy, fault)
    result = run_checks(pytester, CHECK, "--target", "sandbox")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        f"*2026-02-09: {active} active catboost_v9 predictions, expected at least 43 "
        "(48 players with lines in 6 games x coverage 0.9)*"
    ])
