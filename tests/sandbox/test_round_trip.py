"""Record from the local platform, replay offline: the same outcome for every check."""

from __future__ import annotations

from pathlib import Path

import pytest

from opscheck.sandbox import faults
from opscheck.sandbox.local import LocalPlatform
from tests.helpers import REPO, outcomes, run_checks

DAILY = str(REPO / "checks" / "daily")


@pytest.mark.parametrize("fault", [None, "partial-run", "service-down"])
def test_record_then_replay_gives_the_same_outcomes(
    healthy: LocalPlatform, pytester: pytest.Pytester, tmp_path: Path, fault: str | None
) -> None:
    if fault:
        faults.inject(healthy, fault)
    recorded = run_checks(pytester, DAILY, "--mode", "record", "--target", "sandbox",
                          "--scenario", "trip", "--recordings", str(tmp_path), "-rA")
    recorded.stdout.fnmatch_lines(["*opscheck RECORD*target sandbox, recording trip*",
                                   f"*recorded scenario written to {tmp_path / 'trip'}"])
    faults.heal(healthy)  # replay must not depend on the platform any more
    replayed = run_checks(pytester, DAILY, "--scenario", "trip", "--recordings", str(tmp_path), "-rA")
    replayed.stdout.fnmatch_lines(["*opscheck OFFLINE · scenario trip*"])
    assert outcomes(recorded) and outcomes(replayed) == outcomes(recorded)
    assert ("FAILED" in outcomes(recorded).values()) == (fault is not None)
