"""`test_predictions_landed`, live against the local platform, healthy and broken."""

from __future__ import annotations

import pytest

from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import REPO, run_checks

CHECK = str(REPO / "checks/daily/test_predictions.py") + "::test_predictions_landed"


def test_passes_on_the_healthy_platform(healthy: Sandbox, pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, CHECK, "--target", "sandbox")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*opscheck LIVE*target sandbox*today 2026-02-09*"])


def test_passes_on_a_day_without_games(healthy: Sandbox, pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, CHECK, "--target", "sandbox", "--date", "2025-12-24", "-rA")  # Christmas Eve
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(("fault", "active"), [("morning-run-missing", 0), ("partial-run", 24)])
def test_fails_naming_date_and_counts(
    healthy: Sandbox, pytester: pytest.Pytester, fault: str, active: int
) -> None:
    faults.inject(healthy, fault)
    result = run_checks(pytester, CHECK, "--target", "sandbox")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([  # the floor rounds up: 48 x 0.9 = 43.2 players
        f"*2026-02-09: {active} players have an active catboost_v9 prediction, expected at least 44 "
        "(48 players with lines in 6 games x coverage 0.9)*"
    ])


def test_a_game_day_whose_lines_never_arrived_fails_naming_the_lines(
    healthy: Sandbox, pytester: pytest.Pytester
) -> None:
    """No lines, no predictions, six games: it passed, the floor being 0 players x 0.9 (issue 18)."""
    faults.inject(healthy, "lines-missing")
    result = run_checks(pytester, CHECK, "--target", "sandbox")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*2026-02-09: 6 of 6 scheduled games have no prop lines at all: their players get "
                                 "no prediction, and none is counted as due; next: check the scrapers*"])
