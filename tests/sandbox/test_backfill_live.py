"""`opscheck backfill`'s plan live on the local platform: the faults' repairs, from the views the checks read."""

from __future__ import annotations

import os
import subprocess
import sys

from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import REPO


def backfill(platform: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "opscheck.cli", "backfill", "--target", "sandbox", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, "OPSCHECK_SANDBOX_DIR": str(platform.state_dir)})


def test_the_plan_names_each_repair_in_order_and_nothing_on_a_healthy_platform(healthy: Sandbox) -> None:
    calm = backfill(healthy, "--dates", "2026-02-01..2026-02-09")
    assert calm.returncode == 0 and "nothing to backfill for 2026-02-01..2026-02-09" in calm.stdout, calm.stderr
    faults.inject(healthy, "subsets-missing")
    faults.inject(healthy, "partial-run")
    planned = backfill(healthy, "--dates", "2026-02-01..2026-02-09", "all")
    assert planned.returncode == 1, planned.stderr
    rows = [line.split()[1:3] for line in planned.stdout.splitlines() if line[:1].isdigit()]
    assert rows == [[f"2026-02-0{d}", "subsets"] for d in range(1, 9)] + [["2026-02-09", "predictions"],
                                                                         ["2026-02-09", "subsets"]]
    assert "dry run: 10 step(s) for 2026-02-01..2026-02-09; nothing was called" in planned.stdout
