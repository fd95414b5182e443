"""From injecting a stall to opscheck naming its cause, on a running local platform.

One run per cause of incident 9: inject the fault, start a backfill (a batch
that stalls; `tracker-stuck` starts its own), then run `opscheck diagnose
stall --batch ID`, the command on-call runs, until its first finding names
the injected cause. Prints each run's time from injection and the
diagnosis command's own time, then the p50 over the runs. Targets: p50 at
most 30 s from injection; the diagnosis itself under 5 s.
Run: `.venv/bin/python bench/stall_detection.py`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from _figures import against
from _live import REPO, local_platform

from opscheck.sandbox import faults, schema, season
from opscheck.sandbox.lifecycle import Sandbox

CAUSES = {"push-endpoint-stale": "push-endpoint-stale", "cold-start-503": "cold-start-503",
          "dead-letters": "dead-lettered", "dlq-unsubscribed": "dlq-unsubscribed", "tracker-stuck": "tracker-stuck"}
TARGET_FROM_INJECTION = 30.0
TARGET_DIAGNOSIS = 5.0


def diagnose(platform: Sandbox, batch: str) -> tuple[float, str]:
    """Wall time of `opscheck diagnose stall --batch ID`, and the cause it ranks first."""
    env = {**os.environ, "OPSCHECK_SANDBOX_DIR": str(platform.state_dir)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "opscheck.cli", "diagnose", "stall", "--target", "sandbox",
                           "--batch", batch], cwd=REPO, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    first = done.stdout.splitlines()[2].split()[1] if done.returncode == 1 else "none"
    return elapsed, first


def run(platform: Sandbox, fault: str) -> tuple[float, float]:
    """(seconds from injection to the right cause ranked first, the diagnosis' own seconds)."""
    started = time.perf_counter()
    detail = faults.inject(platform, fault)
    batch = detail.get("batch_id") or platform.call(
        "prediction-coordinator", "/start", {"game_date": season.TODAY.isoformat()})["batch_id"]
    while True:
        took, first = diagnose(platform, batch)
        if first == CAUSES[fault]:
            return time.perf_counter() - started, took
        if time.perf_counter() - started > 120:
            raise SystemExit(f"{fault}: after 120 s the diagnosis still ranks {first} first")


def settle(platform: Sandbox) -> None:
    """Heal, and start the next run from empty queues and tracker.

    The stalled backfill's requests cannot be waited for: after failed pushes
    with a retry policy, the emulator's redelivery can stop for good (a
    documented quirk), so the push subscription is recreated, which drops
    them, the dead-letter queue is drained and the tracker emptied.
    """
    faults.heal(platform)
    subscriber = platform.subscriber()
    spec = platform.push_subscription_spec(platform.worker_push_endpoint())
    subscriber.delete_subscription(subscription=spec["name"], timeout=30)
    subscriber.create_subscription(request=spec, timeout=30)
    faults.drain(platform, schema.DEAD_LETTER_SUBSCRIPTION)
    platform.call("prediction-coordinator", "/reset", {})


def main() -> None:
    os.chdir(REPO)
    rows = []
    with local_platform() as platform:
        for fault in CAUSES:
            total, diagnosis = run(platform, fault)
            rows.append((fault, total, diagnosis))
            print(f"  {fault:22} named after {total:5.1f} s from injection (diagnosis {diagnosis:.1f} s)", flush=True)
            settle(platform)
    print(against("p50 from injection to the named cause", statistics.median(r[1] for r in rows),
                  TARGET_FROM_INJECTION, " s"))
    print(against("p50 diagnosis", statistics.median(r[2] for r in rows), TARGET_DIAGNOSIS, " s"))
    print(against("slowest diagnosis", max(r[2] for r in rows), TARGET_DIAGNOSIS, " s"))


if __name__ == "__main__":
    main()
