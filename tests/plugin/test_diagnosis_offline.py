"""`opscheck diagnose stall` and `diagnose morning` offline: each bundled scenario replays the diagnoses it recorded.

Every scenario holds the diagnosis's calls (`make recordings` runs it after the
checks), so on-call can rehearse an incident's diagnosis with no network: the
delivery faults' causes come first, as live, and a scenario whose delivery
path is sound names no suspect and exits 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opscheck import cli
from tests.helpers import DELIVERY_CAUSES, MORNING_CAUSES, MORNING_QUIET, RECORDINGS, REPO, edited_scenario

CONFIG = ("--opscheck-config", str(REPO / "opscheck.toml"))
SCENARIOS = sorted(p.parent.name for p in RECORDINGS.glob("*/meta.json"))


def diagnose(capsys: pytest.CaptureFixture[str], scenario: str, what: str = "stall") -> tuple[int, str]:
    code = cli.main(["diagnose", what, "--scenario", scenario, *CONFIG])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("fault", sorted(DELIVERY_CAUSES))
def test_each_delivery_faults_cause_is_ranked_first(capsys: pytest.CaptureFixture[str], fault: str) -> None:
    code, out = diagnose(capsys, fault)
    assert code == 1 and f"most likely {DELIVERY_CAUSES[fault]}: " in out.splitlines()[-1], out


def test_healthy_names_no_suspect(capsys: pytest.CaptureFixture[str]) -> None:
    assert diagnose(capsys, "healthy") == (
        0, "no suspect found: push endpoint, worker, scaling, dead letters and tracker all look right\n")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_holds_the_diagnosis_calls(capsys: pytest.CaptureFixture[str], scenario: str) -> None:
    """A missing recording would read as a suspect ("unreadable: …") and send on-call the wrong way."""
    code, out = diagnose(capsys, scenario)
    assert code in (0, 1) and "no recording of" not in out, out


@pytest.mark.parametrize("fault", sorted(MORNING_CAUSES))
def test_each_morning_faults_cause_is_ranked_first(capsys: pytest.CaptureFixture[str], fault: str) -> None:
    code, out = diagnose(capsys, fault, "morning")
    assert code == 1 and out.splitlines()[-1].startswith(f"most likely {MORNING_CAUSES[fault]}: "), out


@pytest.mark.parametrize("scenario", MORNING_QUIET)
def test_a_morning_with_nothing_wrong_names_nothing(capsys: pytest.CaptureFixture[str], scenario: str) -> None:
    code, out = diagnose(capsys, scenario, "morning")
    assert code == 0 and out.startswith("2026-02-09: nothing to diagnose"), out


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_holds_the_morning_diagnosis_calls(capsys: pytest.CaptureFixture[str], scenario: str) -> None:
    code, out = diagnose(capsys, scenario, "morning")
    assert code in (0, 1) and "no recording of" not in out and "unreadable" not in out, out


def test_a_morning_after_today_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diagnose", "morning", "--date", "2026-02-10", "--scenario", "healthy", *CONFIG]) == 2
    assert "--date 2026-02-10 is after today (2026-02-09)" in capsys.readouterr().err


def test_an_earlier_morning_is_diagnosed_from_its_own_day(capsys: pytest.CaptureFixture[str]) -> None:
    """Feb 5's predictions landed; the job's last attempt (Feb 9's) says nothing of Feb 5's run, so it is not read."""
    assert cli.main(["diagnose", "morning", "--date", "2026-02-05", "--scenario", "healthy", *CONFIG]) == 0
    assert capsys.readouterr().out.startswith("2026-02-05: nothing to diagnose")


def test_a_stalled_batch_of_the_day_is_handed_to_the_stall_diagnosis(capsys: pytest.CaptureFixture[str],
                                                                      tmp_path: Path) -> None:
    """No fault of the local platform leaves today's own batch stalled, so the recording is edited: the
    coordinator's tracker shows the day's batch at 3/48, three of its rows in the warehouse."""
    def stalled(call: dict[str, Any]) -> None:
        if call["args"]["url"].endswith("/status"):
            call["result"]["body"] = json.dumps({"batches": [{
                "batch_id": "batch-20260209-stalled", "game_date": "2026-02-09", "expected": 48, "completed": 3,
                "started_at": "2026-02-09T12:20:00+00:00", "updated_at": "2026-02-09T12:21:00+00:00"}]})

    folder = edited_scenario(tmp_path, "http", stalled, name="morning-run-missing")
    queries = folder / "morning-run-missing" / "bigquery.json"
    recorded = json.loads(queries.read_text())
    recorded["calls"].append({"operation": "query", "args": {"query": "batch_rows", "params": {
        "dates": ["2026-02-09"], "since": "2026-02-09T12:20:00+00:00", "system_id": "catboost_v9"}},
        "result": [{"game_date": "2026-02-09", "second": "2026-02-09T12:20:30+00:00", "probe": "", "rows": 3}]})
    queries.write_text(json.dumps(recorded))
    code = cli.main(["diagnose", "morning", "--scenario", "morning-run-missing", "--recordings", str(folder), *CONFIG])
    last = capsys.readouterr().out.splitlines()[-1]
    assert code == 1 and last.startswith("most likely stalled-batch: batch batch-20260209-stalled is at 3/48; "
                                         "the stall diagnosis: "), last
    assert "unreadable" not in last, last  # every part the stall diagnosis reads was answered
