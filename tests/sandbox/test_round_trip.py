"""Record from the local platform, replay offline: the same outcome for every check."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import REPO, interruptible, outcomes, run_checks

DAILY = str(REPO / "checks" / "daily")


@pytest.mark.parametrize("fault", [None, "partial-run", "service-down"])
def test_record_then_replay_gives_the_same_outcomes(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path, fault: str | None
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


def test_ctrl_c_during_record_mode_writes_nothing(healthy: Sandbox, tmp_path: Path) -> None:
    """It printed "recorded scenario written" and left a partial scenario that replayed (issue 18)."""
    bigquery = healthy.proc("bigquery").pid
    env = {**os.environ, "OPSCHECK_SANDBOX_DIR": str(healthy.state_dir)}
    os.kill(bigquery, signal.SIGSTOP)  # the run waits on its first query: interrupt it there
    try:
        child = subprocess.Popen(interruptible(["-m", "pytest", "-p", "no:cacheprovider", DAILY, "--mode", "record",
                                  "--target", "sandbox", "--scenario", "cut", "--recordings", str(tmp_path)]),
                                 cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert child.stdout is not None
        for line in child.stdout:
            if "opscheck RECORD" in line and "=" in line:  # collected, the prefetch under way
                break
        child.send_signal(signal.SIGINT)
        output = child.communicate(timeout=120)[0]
    finally:
        os.kill(bigquery, signal.SIGCONT)
    assert child.returncode == pytest.ExitCode.INTERRUPTED, output
    assert f"opscheck: record mode did not finish: nothing written to {tmp_path / 'cut'}" in output
    assert "recorded scenario written" not in output and list(tmp_path.iterdir()) == []
