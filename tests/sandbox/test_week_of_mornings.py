"""A week of mornings on the local platform: history, incidents, reminders, acknowledgements, windows.

The platform's clock advances a day at a time (opscheck.sandbox.mornings: every service restarted on
the new day, the night's grading, the scrapers' lines, the morning job through Pub/Sub), faults are
injected and healed on chosen days, and each morning the daily checks run live with --notify pointed at
a local webhook receiver, as ci/morning.sh runs them. Feb 13-15 are the All-Star break (no games).

  Feb 9   healthy                                      -> nothing told
  Feb 10  scrapers stopped (service-down)              -> new
  Feb 11  still stopped                                -> one reminder (24 h on)
  Feb 12  scrapers back; dead letters, acked for 36 h  -> resolved (scrapers); dead letters held
  Feb 13  dead letters (acked); scrapers stopped inside
          a maintenance window                         -> nothing
  Feb 14  the acknowledgement expired; the window over,
          scrapers redeployed before the run           -> new (dead letters)
  Feb 15  dead letters drained                         -> resolved (dead letters)
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from opscheck.sandbox import faults, mornings
from opscheck.sandbox.lifecycle import running
from tests.conftest import require_standins
from tests.helpers import REPO, json_server, run_checks

DAILY = str(REPO / "checks" / "daily")
SCRAPERS = "test_service_healthy[scrapers]"
DEAD = "test_dead_letter_backlog_empty"
WINDOW = """
[[maintenance]]
start = 2026-02-13T00:00:00-05:00
end = 2026-02-14T00:00:00-05:00
checks = ["test_service_healthy"]
why = "scrapers moved to a new host"
"""


def _ack(history: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "opscheck.cli", "ack", *args, "--target", "sandbox",
                           f"--history={history}", "--by", "ana"], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


def test_a_week_of_mornings_tells_each_incident_once(tmp_path: Path, pytester: pytest.Pytester) -> None:
    require_standins()
    config = tmp_path / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text() + WINDOW)
    history = tmp_path / "history.sqlite"
    posted: list[dict[str, Any]] = []

    def receive(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        posted.append(json.loads(body)["opscheck"])
        return 200, {"ok": True}

    summaries: dict[str, dict[str, Any]] = {}
    told: dict[str, list[tuple[str, list[str]]]] = {}
    with running(tmp_path / "platform") as platform, json_server(receive) as url:
        def ack_dead_letters() -> None:
            acked = _ack(history, DEAD, "--for", "36h", "--why", "replaying the dead letters")
            assert acked.returncode == 0, acked.stdout + acked.stderr

        week: dict[str, list[Callable[[], Any]]] = {
            "2026-02-09": [],
            "2026-02-10": [lambda: faults.inject(platform, "service-down")],
            "2026-02-11": [],
            "2026-02-12": [lambda: faults.heal(platform), lambda: faults.inject(platform, "dead-letters"),
                           ack_dead_letters],
            "2026-02-13": [lambda: faults.inject(platform, "service-down")],  # inside the window
            "2026-02-14": [lambda: platform.restart_service("scrapers")],  # redeployed by hand, before anyone knew
            "2026-02-15": [lambda: faults.heal(platform)],
        }
        for number, (day, actions) in enumerate(week.items()):
            if number:
                mornings.next_morning(platform)
            assert platform.today.isoformat() == day
            for action in actions:
                action()
            start = len(posted)
            result = run_checks(pytester, DAILY, "--target", "sandbox", f"--opscheck-config={config}",
                                f"--history={history}", f"--notify={url}/hook", f"--report-dir={tmp_path / day}")
            assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), result.stdout.str()[-3000:]
            summaries[day] = json.loads((tmp_path / day / "summary.json").read_text())
            told[day] = [(p["kind"], [i["check"] for i in p["incidents"]]) for p in posted[start:]]
        shown = subprocess.run([sys.executable, "-m", "opscheck.cli", "history", "--target", "sandbox",
                                f"--history={history}"], capture_output=True, text=True, cwd=REPO, timeout=120)

    assert told == {
        "2026-02-09": [], "2026-02-10": [("new", [SCRAPERS])], "2026-02-11": [("reminder", [SCRAPERS])],
        "2026-02-12": [("resolved", [SCRAPERS])], "2026-02-13": [], "2026-02-14": [("new", [DEAD])],
        "2026-02-15": [("resolved", [DEAD])],
    }, json.dumps(told, indent=1)

    def check(day: str, key: str) -> dict[str, Any]:
        return next(c for c in summaries[day]["checks"] if c["id"].rsplit("::", 1)[-1] == key)

    # the streaks match the injected days
    assert check("2026-02-11", SCRAPERS)["streak"]["length"] == 2
    assert check("2026-02-11", SCRAPERS)["streak"]["since"].startswith("2026-02-10")
    assert check("2026-02-15", SCRAPERS)["streak"]["strip"] == ["passed", "failed", "failed", "passed", "failed",
                                                               "passed", "passed"]
    assert check("2026-02-14", DEAD)["streak"]["length"] == 3
    assert check("2026-02-14", DEAD)["streak"]["since"].startswith("2026-02-12")
    assert check("2026-02-15", DEAD)["streak"]["strip"] == ["passed"] * 3 + ["failed"] * 3 + ["passed"]
    # held, and said so: acknowledged on Feb 12-13, in the window on Feb 13; not after
    for day in ("2026-02-12", "2026-02-13"):
        assert check(day, DEAD)["ack"]["by"] == "ana" and check(day, DEAD)["ack"]["why"] == "replaying the dead letters"
    assert check("2026-02-14", DEAD)["ack"] is None
    assert check("2026-02-13", SCRAPERS)["maintenance"]["why"] == "scrapers moved to a new host"
    assert summaries["2026-02-13"]["history"]["maintenance"][0]["checks"] == ["test_service_healthy"]
    assert all(s["history"]["written"] for s in summaries.values())
    assert [s["verdict"] for s in summaries.values()] == ["PASS", "FAIL", "FAIL", "FAIL", "FAIL", "FAIL", "PASS"]
    # and `opscheck history` reads the same memory: every check passes on its latest run (exit 0)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    row = next(line for line in shown.stdout.splitlines() if line.startswith(DEAD))
    assert "PPPFFFP" in row, shown.stdout
