"""Live against the local platform, each fault changes its raw state, fails exactly its checks in every suite
(as it declares), and heals back; where the morning diagnosis has a cause to name, it names it first."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from opscheck import cli
from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import (
    MORNING_CAUSES,
    MORNING_QUIET,
    REPO,
    check_markers,
    failed_by_suite,
    failed_checks,
    fault_table,
    outcomes,
    run_checks,
)

TABLE = fault_table()


@pytest.mark.parametrize("scenario", sorted(TABLE))
def test_fault_fails_exactly_its_checks_live(
    healthy: Sandbox, pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str], scenario: str,
    record_property: Callable[[str, object], None],
) -> None:
    """Broken, the fault changes what it declares it changes, every suite fails exactly its checks, and
    `opscheck diagnose morning` ranks its cause first (MORNING_CAUSES; exit 0 where there is none to name);
    healed, that raw state is back. One injection serves all (a fault costs seconds to inject)."""
    markers = check_markers(pytester)
    record_property("checks", len(markers))  # what the matrix line at the end counts (from xdist workers too)
    observe = faults.FAULTS[scenario].observe if scenario != "healthy" else None
    before = observe(healthy) if observe else None
    if observe:
        detail = faults.inject(healthy, scenario)
        assert detail["fault"] == scenario and healthy.faults == [scenario]
        assert observe(healthy) != before, f"{scenario} changed nothing observable: {before!r}"
    result = run_checks(pytester, str(REPO / "checks"), "--target", "sandbox", "-rA")
    expected = TABLE[scenario]
    assert failed_by_suite(result, markers, tuple(expected)) == expected, result.stdout.str()[-3000:]
    if scenario in MORNING_CAUSES or scenario in MORNING_QUIET:
        capsys.readouterr()
        code = cli.main(["diagnose", "morning", "--target", "sandbox", f"--opscheck-config={REPO / 'opscheck.toml'}"])
        said = capsys.readouterr().out.splitlines()[-1]
        if scenario in MORNING_QUIET:
            assert (code, said.split(":")[1]) == (0, " nothing to diagnose"), said
        else:
            assert code == 1 and said.startswith(f"most likely {MORNING_CAUSES[scenario]}: "), said
    if observe:
        assert faults.heal(healthy) == [scenario]
        assert observe(healthy) == before, f"{scenario}: healed, its raw state is not what it was"
        assert healthy.faults == []


def test_backfill_range_reports_per_date(healthy: Sandbox, pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, str(REPO / "checks" / "daily"), "--target", "sandbox",
                        "--dates", "2026-02-01..2026-02-09", "-rA")
    landed = {test_id.split("::")[-1]: outcome for test_id, outcome in outcomes(result).items()
              if "test_predictions_landed" in test_id}
    assert landed == {f"test_predictions_landed[2026-02-0{day}]": "PASSED" for day in range(1, 10)}
    result.stdout.fnmatch_lines(["SKIPPED *2026-02-01: v9_20260201_011018 made no active prediction on "
                                 "2026-01-25..2026-01-31*"])
    assert failed_checks(result) == set()
