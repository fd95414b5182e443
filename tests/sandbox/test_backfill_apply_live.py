"""`opscheck backfill --apply` for real, each story on a platform of its own.

Own platforms: a real rerun adds superseded rows and leaves batches in the coordinator's tracker, which
healing a fault on the shared platform cannot take back (its rows would be active twice).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from opscheck.backfill.actions import ActionLog
from opscheck.sandbox import faults, schema
from opscheck.sandbox.faults.common import sql
from opscheck.sandbox.lifecycle import Sandbox, running
from tests.conftest import require_standins
from tests.helpers import REPO, run_checks

RANGE = "2026-02-01..2026-02-09"
PROJECT = "nba-props-platform"


def configured(folder: Path, extra: str = "") -> Path:
    """The shipped opscheck.toml in `folder`: its action log and history land there, not in the project's."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text() + extra)
    return config


def backfill_command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "opscheck.cli", "backfill", "--opscheck-config", str(config), "--dates", RANGE,
            "all", *args]


def backfill(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(backfill_command(config, *args), capture_output=True, text=True, cwd=REPO, timeout=300,
                          stdin=subprocess.DEVNULL)


def actions_of(config: Path) -> list[dict[str, Any]]:
    return ActionLog(str(config.parent / ".opscheck" / "backfill-actions.jsonl"), "").read()


def outcome_rows(stdout: str) -> list[list[str]]:
    """The before → after table's rows: date, step, and the rest of the line."""
    return [line.split(None, 2) for line in stdout.splitlines() if "→" in line and line[:4] == "2026"]


def test_a_backfill_repairs_what_the_checks_failed_then_plans_nothing_then_stops_at_a_stall(
    tmp_path: Path, pytester: pytest.Pytester,
) -> None:
    require_standins()
    config = configured(tmp_path / "project")
    with running(tmp_path / "platform") as platform:
        faults.inject(platform, "subsets-missing")
        faults.inject(platform, "partial-run")

        # On Google Cloud (here: the same services, named as a gcp target) nothing is called unconfirmed.
        gcp = tmp_path / "gcp" / "opscheck.toml"
        gcp.parent.mkdir()
        gcp.write_text(platform.target_file.read_text().replace("[run]\n", '[run]\ntarget = "gcp"\nmode = "live"\n', 1))
        unconfirmed = backfill(gcp, "--apply")
        assert unconfirmed.returncode == 2, unconfirmed.stdout + unconfirmed.stderr
        assert f"--apply on project {PROJECT}: confirmation needed and no terminal to ask on: pass --yes" in \
            unconfirmed.stderr
        assert actions_of(gcp) == [] and not (tmp_path / "gcp" / ".opscheck" / "backfill-actions.jsonl").exists()

        repaired = backfill(config, "--target", "sandbox", "--apply", "--yes")
        assert repaired.returncode == 0, repaired.stdout[-3000:] + repaired.stderr
        rows = outcome_rows(repaired.stdout)
        assert [r[:2] for r in rows] == [[f"2026-02-0{d}", "subsets"] for d in range(1, 9)] + [
            ["2026-02-09", "predictions"], ["2026-02-09", "subsets"]]
        assert all(" yes " in r[2] and r[2].rstrip().endswith("done") for r in rows), rows
        assert "24/48 active → 48/48 active" in rows[8][2]
        assert "10 of 10 step(s) done, 10 verified" in repaired.stdout
        watched = [line for line in repaired.stdout.splitlines() if line.startswith("2026-02-09 predictions batch-")]
        assert watched and watched[-1].split(": ")[-1].startswith("done in"), watched  # plain lines, not a tty
        assert "\x1b" not in repaired.stdout
        log = actions_of(config)
        assert [(a["what"]["request"], a["what"]["body"]) for a in log] == [
            *[("POST /materialize", {"start_date": f"2026-02-0{d}", "end_date": f"2026-02-0{d}"}) for d in range(1, 9)],
            ("POST /start", {"game_date": "2026-02-09"}),
            ("POST /materialize", {"start_date": "2026-02-09", "end_date": "2026-02-09"})]
        assert all(a["answer"]["status"] == 200 and a["who"] and a["when"] for a in log), log

        checks = run_checks(pytester, str(REPO / "checks" / "daily"), "--target", "sandbox", "--dates", RANGE)
        assert checks.ret == pytest.ExitCode.OK, checks.stdout.str()[-3000:]

        again = backfill(config, "--target", "sandbox", "--apply", "--yes")
        assert again.returncode == 0 and f"nothing to backfill for {RANGE}" in again.stdout, again.stdout
        assert len(actions_of(config)) == len(log)  # idle: nothing called

        # The morning's run lost again, and the push subscription aimed at the old worker URL.
        faults.inject(platform, "morning-run-missing")
        faults.inject(platform, "push-endpoint-stale")
        stalled = backfill(config, "--target", "sandbox", "--apply", "--yes")
        assert stalled.returncode == 1, stalled.stdout[-3000:] + stalled.stderr
        assert "STALLED at 0/48" in stalled.stdout
        lines = [r[2] for r in outcome_rows(stalled.stdout)]
        assert "stalled: batch batch-20260209-" in lines[0] and "most likely push-endpoint-stale" in lines[0], lines
        assert "not started: waits for predictions of 2026-02-09" in lines[1], lines
        assert "stall diagnosis (most likely first):" in stalled.stdout
        assert "0 of 2 step(s) done" in stalled.stdout


def test_dates_side_by_side_then_ctrl_c_after_the_request_in_flight_then_a_running_batch_refused(
    tmp_path: Path,
) -> None:
    """--concurrency 2 starts both dates' batches before either's subsets (the second not judged stalled while it
    waits behind the first on the one push subscription); Ctrl-C then stops after the request in flight; and a
    date whose batch still runs is refused."""
    require_standins()
    config = configured(tmp_path / "project")
    with running(tmp_path / "platform") as platform:
        # Two dates to rerun: Feb 8's run lost, Feb 9's stopped halfway.
        withdraw(platform, "2026-02-08")
        faults.inject(platform, "partial-run")
        side_by_side = backfill(config, "--target", "sandbox", "--apply", "--yes", "--concurrency", "2")
        assert side_by_side.returncode == 0, side_by_side.stdout[-3000:] + side_by_side.stderr
        requests = [(a["what"]["request"], a["what"]["body"].get("game_date", a["what"]["body"].get("start_date")))
                    for a in actions_of(config)]
        assert requests[:2] == [("POST /start", "2026-02-08"), ("POST /start", "2026-02-09")] or \
            requests[:2] == [("POST /start", "2026-02-09"), ("POST /start", "2026-02-08")], requests  # not waiting
        assert sorted(requests[2:]) == [("POST /materialize", "2026-02-08"), ("POST /materialize", "2026-02-09")]
        assert "4 of 4 step(s) done, 4 verified" in side_by_side.stdout

        withdraw(platform, "2026-02-09")  # lost again (never healed: its rows would come back as active twice)
        slow(platform)
        child = subprocess.Popen(backfill_command(config, "--target", "sandbox", "--apply", "--yes"), cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        assert child.stdout is not None
        seen = []
        for line in child.stdout:  # the first progress line: the batch has started and is being watched
            seen.append(line)
            if line.startswith("2026-02-09 predictions batch-"):
                break
        child.send_signal(signal.SIGINT)
        rest, errors = child.communicate(timeout=120)
        out = "".join(seen) + rest
        assert child.returncode == 130, out + errors
        assert "Ctrl-C: stopping after the request in flight" in errors
        rows = [r[2] for r in outcome_rows(out)]
        assert "interrupted: batch batch-20260209-" in rows[0] and "left running" in rows[0], rows
        assert "not started: waits for predictions of 2026-02-09" in rows[1], rows
        assert "interrupted: 0 of 2 step(s) done" in out and "2026-02-09 predictions (interrupted)" in out
        started = [a for a in actions_of(config) if a["what"]["request"] == "POST /start"]
        assert len(started) == 3  # the two side by side; then the request in flight finished, and was written down

        twice = backfill(config, "--target", "sandbox", "--apply", "--yes")
        assert twice.returncode == 1, twice.stdout + twice.stderr
        assert "refused: batch batch-20260209-" in twice.stdout and "still running" in twice.stdout
        assert "a second /start would leave duplicate active rows" in twice.stdout
        assert len([a for a in actions_of(config) if a["what"]["request"] == "POST /start"]) == 3


def withdraw(platform: Sandbox, day: str) -> None:
    """A date's run lost: its predictions gone (its picks stay, naming them)."""
    sql(platform, f"DELETE FROM {schema.PREDICTIONS} WHERE game_date = '{day}'")


def slow(platform: Sandbox) -> None:
    """Every prediction takes 2 s (a fault switch of the worker): the batch outlasts both backfills."""
    faults.misbehave(platform, "prediction-worker", SANDBOX_SLOW_PREDICT="2")
