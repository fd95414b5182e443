"""Every bundled scenario fails exactly the checks docs/recordings.md says, in every suite."""

from __future__ import annotations

import pytest

from opscheck.replay import available
from opscheck.sandbox.faults import FAULTS
from tests.helpers import RECORDINGS, REPO, check_markers, failed_by_suite, fault_table, run_checks

TABLE = fault_table()


def test_table_and_bundle_cover_every_fault() -> None:
    assert set(TABLE) == {"healthy", *FAULTS}
    assert set(available(RECORDINGS)) == set(TABLE), "run `make recordings`"


@pytest.mark.parametrize("scenario", sorted(TABLE))
def test_scenario_fails_exactly_its_checks(pytester: pytest.Pytester, scenario: str) -> None:
    markers = check_markers(pytester)
    result = run_checks(pytester, str(REPO / "checks"), "--scenario", scenario, "-rA")
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), result.stdout.str()
    live_only = {name for name, marks in markers.items() if "active" in marks}  # active probes skip offline
    expected = {suite: checks - live_only for suite, checks in TABLE[scenario].items()}
    assert failed_by_suite(result, markers, tuple(expected)) == expected, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines([f"*opscheck OFFLINE · scenario {scenario} · *today 2026-02-09*"])
