"""`opscheck backfill`'s plan live on the local platform: the faults' repairs, from the views the checks read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_a_service_that_refuses_opscheck_is_named_with_the_role_it_needs(healthy: Sandbox, tmp_path: Path) -> None:
    faults.inject(healthy, "subsets-missing")
    faults.misbehave(healthy, "subset-materializer", SANDBOX_DENY="1")  # Cloud Run's IAM in front of it says 403
    config = tmp_path / "opscheck.toml"  # the action log lands beside it
    config.write_text((REPO / "opscheck.toml").read_text())
    done = backfill(healthy, "--dates", "2026-02-01..2026-02-08", "subsets", "--apply", "--yes",
                    f"--opscheck-config={config}")
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("failed: subset-materializer /materialize: HTTP 403: opscheck may not call it: grant roles/run.invoker "
            "on subset-materializer to anonymous (a stand-in)") in done.stdout
    assert "0 of 8 step(s) done" in done.stdout  # refused once: the backfill stops, it does not try every date
    logged = (tmp_path / ".opscheck" / "backfill-actions.jsonl").read_text().splitlines()
    assert len(logged) == 1 and '"status": 403' in logged[0]
