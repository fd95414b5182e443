"""Delivery probes live against the local platform: each stall is named, and probes leave nothing behind."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from opscheck.delivery import diagnosis
from opscheck.delivery.probes import EXPIRY_MARGIN, Prober
from opscheck.platform import Platform
from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.session import Session
from opscheck.views import Coordinator, Delivery, Services, Views
from tests.helpers import DELIVERY_CAUSES, REPO, interruptible, outcomes, run_checks

ACTIVE = str(REPO / "checks" / "probe" / "test_active.py")
NOTHING = {"subscriptions": [], "rows": 0, "batches": []}


def prober(live: Session, **probes: Any) -> Prober:
    """A Prober on a fresh Platform (nothing remembered from earlier calls), probes config changed."""
    config = dataclasses.replace(live.config, probes=dataclasses.replace(live.config.probes, **probes))
    platform = Platform(config)
    views = Views.of(platform, config.today())
    return Prober(platform, views.get(Delivery), views.get(Services), views.get(Coordinator))


@pytest.mark.parametrize("fault", sorted(DELIVERY_CAUSES))
def test_diagnosis_ranks_the_injected_cause_first(healthy: Sandbox, live: Session, fault: str) -> None:
    cause = DELIVERY_CAUSES[fault]
    before = diagnosis.diagnose(diagnosis.Suspects.of(Platform(live.config)))
    # Healthy, nothing above a lead: refused pushes of earlier tests may still be in Monitoring's window.
    assert all(f.likelihood <= 0.65 and f.cause != cause for f in before), [f.row() for f in before]
    faults.inject(healthy, fault)
    findings = diagnosis.diagnose(diagnosis.Suspects.of(Platform(live.config)))  # how fast: bench/stall_detection.py
    assert findings and findings[0].cause == cause, [f.row() for f in findings]


def test_active_probes_pass_report_latency_and_leave_nothing(
    healthy: Sandbox, pytester: pytest.Pytester, live: Session
) -> None:
    result = run_checks(pytester, ACTIVE, "--target", "sandbox", "-rA")
    assert set(outcomes(result).values()) == {"PASSED"} and len(outcomes(result)) == 3
    result.stdout.fnmatch_lines(['*"p50_ms": *', '*"p95_ms": *'])
    assert prober(live).leftovers() == NOTHING


def test_canary_through_a_temporary_filtered_subscription(healthy: Sandbox, live: Session) -> None:
    """The live-GCP path, run for real on the emulator (which ignores the filter: the client filters too)."""
    probes = prober(live, canary_via="subscription")
    with probes.probing("c", 20) as probe:
        latencies = probes.canary(probe)
        assert probe.subscription in probes.platform.pubsub.subscriptions("opscheck-canary-")
    assert len(latencies) == live.config.probes.canary_messages and all(x >= 0 for x in latencies)
    assert probes.leftovers() == NOTHING


def test_a_stalled_probe_batch_is_diagnosed_and_cleaned_up(
    healthy: Sandbox, pytester: pytest.Pytester, live: Session
) -> None:
    faults.inject(healthy, "tracker-stuck")
    result = run_checks(pytester, f"{ACTIVE}::test_probe_batch", "--target", "sandbox")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*probe batch probe-b* at 0/2 after *s (deadline *); most likely tracker-stuck: *"])
    assert prober(live).leftovers() == NOTHING


def test_ctrl_c_during_a_probe_leaves_nothing(healthy: Sandbox, live: Session) -> None:
    faults.inject(healthy, "tracker-stuck")  # the probe batch will wait for its whole deadline
    watcher = prober(live)
    env = {**os.environ, "OPSCHECK_SANDBOX_DIR": str(healthy.state_dir)}
    child = subprocess.Popen(interruptible(["-m", "pytest", "-p", "no:cacheprovider", "-q",
                              f"{ACTIVE}::test_probe_batch", "--target", "sandbox"]), cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not watcher.leftovers()["rows"]:  # the probe's rows have landed: it is mid-flight
            assert child.poll() is None and time.monotonic() < deadline, "the probe never got going"
            time.sleep(0.2)
        child.send_signal(signal.SIGINT)
        output, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "KeyboardInterrupt" in output
    assert watcher.leftovers() == NOTHING


def test_rows_landing_after_an_interrupted_probe_are_swept_once_it_expires(
    healthy: Sandbox, live: Session, tmp_path: Path
) -> None:
    """Ctrl-C during the probe batch: its cleanup ran, then its in-flight requests still wrote rows, which the
    next probe run left alone (issue 18). Expired probes' leftovers are now swept by any probe run."""
    faults.misbehave(healthy, "prediction-worker", SANDBOX_SLOW_PREDICT="6")  # its rows land 6 s after /start
    config = tmp_path / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text().replace("# batch_deadline_seconds = 20",
                                                                     "batch_deadline_seconds = 2"))
    watcher = prober(live)
    env = {**os.environ, "OPSCHECK_SANDBOX_DIR": str(healthy.state_dir)}
    child = subprocess.Popen(interruptible(["-m", "pytest", "-p", "no:cacheprovider", "-q",
                              f"{ACTIVE}::test_probe_batch", "--target", "sandbox", f"--opscheck-config={config}"]),
                             cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not watcher.leftovers()["batches"]:  # /start answered: its requests are on their way
            assert child.poll() is None and time.monotonic() < deadline, "the probe batch never started"
            time.sleep(0.1)
        child.send_signal(signal.SIGINT)
        output, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == pytest.ExitCode.INTERRUPTED, output
    assert watcher.leftovers()["batches"] == []  # its cleanup forgot the batch
    deadline = time.monotonic() + 30
    while not watcher.leftovers()["rows"]:  # and then its requests landed anyway
        assert time.monotonic() < deadline, "the interrupted probe's requests never landed"
        time.sleep(0.3)
    time.sleep(2 + EXPIRY_MARGIN)  # the probe's deadline and margin: past its expiry, nothing of it moves
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                             f"{ACTIVE}::test_canary_round_trip", "--target", "sandbox"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-2000:]
    assert watcher.leftovers() == NOTHING
