"""`pytest -n 2 checks --target sandbox` gives what the serial run gives, check by check.

Live, the delivery probes matter most: an active probe's messages in flight
would read as backlog to a passive probe running beside it, so under `-n`
they share one worker (opscheck/plugin/xdist.py). cold-start-503 fails checks in
the deploy suite and in both kinds of probe.
"""

from __future__ import annotations

import pytest

from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import REPO, outcomes, run_checks


@pytest.mark.parametrize("fault", ["healthy", "cold-start-503"])
def test_two_workers_agree_with_one_live(healthy: Sandbox, pytester: pytest.Pytester, fault: str) -> None:
    if fault != "healthy":
        faults.inject(healthy, fault)
    runs = {workers: run_checks(pytester, str(REPO / "checks"), "--target", "sandbox", "-rA", "-n", workers)
            for workers in ("0", "2")}
    serial, parallel = outcomes(runs["0"]), outcomes(runs["2"])
    assert serial and parallel == serial, runs["2"].stdout.str()[-3000:]
    assert runs["2"].ret == runs["0"].ret
