"""The history store and what is read from it: streaks, flapping, fingerprints, incidents, acknowledgements.

On real SQLite files: a corrupted one, one locked by another connection, one of another schema.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from opscheck.config.oncall import HistoryConfig, Window
from opscheck.errors import HistoryError, OpscheckError
from opscheck.history import acks
from opscheck.history.incidents import RunFacts, give_back, remember
from opscheck.history.memory import Result, about, check_key, fingerprint, streak
from opscheck.history.store import Store

NY = dt.timezone(dt.timedelta(hours=-5))
MORNING = dt.datetime(2026, 2, 9, 7, 30, tzinfo=NY)
LINEAGE = "live|sandbox|p||"
LANDED = "checks/daily/test_predictions.py::test_predictions_landed"


def facts(day: int, run: str) -> RunFacts:
    moment = MORNING + dt.timedelta(days=day)
    today = moment.date().isoformat()
    return RunFacts(run, LINEAGE, moment.isoformat(), moment, "live", "sandbox", "p", None, None, "daily", 1, today,
                    today, "0", None)


def landed(day: int, outcome: str, message: str = "24 players have an active prediction, expected at least 44"
           ) -> Result:
    today = (MORNING + dt.timedelta(days=day)).date().isoformat()
    return Result(f"{LANDED}[{today}]", LANDED, "test_predictions_landed", f"test_predictions_landed[{today}]",
                  today, outcome, "fail", f"{today}: {message}" if outcome == "failed" else "")


RUNS = iter(range(10**6))


def morning(store: Store, day: int, outcome: str, telling: bool = True, windows: tuple[Window, ...] = (),
            **kw: str) -> list[str]:
    run = f"r{day}-{next(RUNS)}"
    memory = remember(store, facts(day, run), [landed(day, outcome, **kw)], HistoryConfig(), windows, telling)
    return [n.kind for n in memory.notices]


def test_an_incident_is_told_once_reminded_each_day_and_resolved_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite")
    told = [morning(store, day, outcome) for day, outcome in enumerate(["passed", "failed", "failed", "failed",
                                                                         "passed", "passed"])]
    assert told == [[], ["new"], ["reminder"], ["reminder"], ["resolved"], []]


def test_a_reminder_waits_for_remind_after_hours(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite")
    first = remember(store, facts(0, "a"), [landed(0, "failed")], HistoryConfig(), (), True)
    later = dataclasses.replace(facts(0, "b"), as_of=MORNING + dt.timedelta(hours=23))
    again = remember(store, later, [landed(0, "failed")], HistoryConfig(), (), True)
    assert [n.kind for n in first.notices] == ["new"] and again.notices == []


def test_a_different_cause_is_a_new_incident_but_other_counts_are_not(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite")
    assert morning(store, 0, "failed") == ["new"]
    assert morning(store, 0, "failed", message="30 players have an active prediction, expected at least 40") == []
    assert morning(store, 0, "failed", message="no prop lines for today") == ["new"]


def test_a_flapping_check_is_one_incident_until_it_settles(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite")
    pattern = ["failed", "passed", "failed", "passed", "failed", "passed", "passed", "passed"]
    told = [k for day, outcome in enumerate(pattern) for k in morning(store, day, outcome)]
    # two real changes each way are told; from the fourth change it is flapping: the third failure reopens the
    # same incident (not news), which resolves only after three passes in a row
    # (still told as open once a day: it was last told two mornings before)
    assert told == ["new", "resolved", "new", "resolved", "reminder", "resolved"]
    flapping = streak([{"seq": i, "run_id": str(i), "as_of": str(i), "outcome": o} for i, o in enumerate(pattern)],
                      14, 4)
    assert flapping.flapping and flapping.changes == 5 and flapping.length == 0


def test_an_acknowledgement_holds_its_failure_until_it_expires_or_the_cause_changes(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite")
    assert morning(store, 0, "failed", telling=False) == []  # failing, nobody told yet (no --notify)
    acks.acknowledge(store, LINEAGE, "test_predictions_landed", None, dt.timedelta(hours=36), "rerunning",
                     "ana", MORNING)
    assert morning(store, 0, "failed") == []  # held
    assert morning(store, 0, "failed", message="no prop lines for today") == ["new"]  # another cause: told
    assert morning(store, 2, "failed", message="no prop lines for today") == ["reminder"]


def test_an_acknowledgement_expires(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite")
    acks.acknowledge(store, LINEAGE, "test_predictions_landed", None, dt.timedelta(hours=20), "on it", "ana", MORNING)
    assert morning(store, 0, "failed") == []
    assert morning(store, 1, "failed") == ["new"]


def test_a_maintenance_window_holds_news_of_its_checks_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite")
    window = Window(MORNING - dt.timedelta(hours=1), MORNING + dt.timedelta(hours=1), ("test_predictions_*",), "x")
    other = Window(MORNING - dt.timedelta(hours=1), MORNING + dt.timedelta(hours=1), ("test_service_*",), "y")
    assert morning(store, 0, "failed", windows=(window,)) == []
    assert morning(store, 1, "failed", windows=(window,)) == ["new"]  # the window is over
    assert morning(Store(tmp_path / "other.sqlite"), 0, "failed", windows=(other,)) == ["new"]


def test_claims_go_back_when_the_webhook_was_not_reached(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite")
    first = remember(store, facts(0, "a"), [landed(0, "failed")], HistoryConfig(), (), True)
    give_back(store, first.notices)
    assert morning(store, 0, "failed") == ["new"]
    recovered = remember(store, facts(1, "b"), [landed(1, "passed")], HistoryConfig(), (), True)
    assert [n.kind for n in recovered.notices] == ["resolved"]
    give_back(store, recovered.notices)  # the recovery could not be told either
    assert morning(store, 2, "passed") == ["resolved"]  # told by the next run, once
    assert morning(store, 3, "passed") == []


def test_a_streak_starts_at_its_first_failing_run_and_skips_neither_extend_nor_end_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite")
    for day, outcome in enumerate(["passed", "failed", "skipped", "failed"]):
        memory = remember(store, facts(day, f"r{day}"), [landed(day, outcome)], HistoryConfig(), (), False)
    shown = memory.streaks[LANDED]
    assert (shown.length, shown.since_run) == (2, "r1")
    assert [s["outcome"] for s in shown.strip] == ["passed", "failed", "skipped", "failed"]


def test_keys_fingerprints_and_what_a_failure_is_about() -> None:
    assert check_key(f"{LANDED}[2026-02-09]", {"day": "2026-02-09"}) == LANDED
    assert check_key("x.py::test_service_healthy[scrapers]", {"service_name": "scrapers"}) == \
        "x.py::test_service_healthy[scrapers]"
    assert about("2026-02-10: 38 of 48 active (sha 1a2b3c4d)") == about("2026-02-11: 40 of 48 active (sha 99ffee00)")
    assert fingerprint("k", "today", ["a"]) != fingerprint("k", "2026-02-09", ["a"])  # more dates: another


def test_a_corrupted_store_is_one_line_naming_the_file_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError, match=r"h.sqlite is not a usable SQLite database .*move it aside"):
        morning(Store(path), 0, "passed")


def test_a_locked_store_gives_up_after_busy_seconds(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    morning(Store(path), 0, "passed")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryError, match=r"locked by another run for over 0.2s \(history.busy_seconds\)"):
            morning(Store(path, busy_seconds=0.2), 1, "passed")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_store_of_another_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE results (run TEXT, check_name TEXT, outcome TEXT)")
    with pytest.raises(HistoryError, match=r"table results has columns run, check_name, outcome, not opscheck's"):
        morning(Store(path), 0, "passed")


def test_an_unwritable_store_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # even root cannot make a folder inside a file
    with pytest.raises(HistoryError, match=r"a-file/h.sqlite cannot be opened .*fix history.path"):
        morning(Store(blocker / "h.sqlite"), 0, "passed")


@pytest.mark.parametrize(("text", "hours"), [("24h", 24), ("90m", 1.5), ("2d", 48), ("1h30m", 1.5), ("1w", 168)])
def test_durations(text: str, hours: float) -> None:
    assert acks.duration(text) == dt.timedelta(hours=hours)


@pytest.mark.parametrize("text", ["24", "tomorrow", "24x", "", "0h", "31d", "-2h"])
def test_a_duration_that_does_not_parse_is_one_line(text: str) -> None:
    with pytest.raises(OpscheckError, match=r"^--for .*(not a duration; write it like 24h|at most 30d)"):
        acks.duration(text)


def test_an_unknown_check_names_the_closest_one(tmp_path: Path) -> None:
    known = acks.known_checks(Path(__file__).parents[2] / "checks")
    assert "test_predictions_landed" in known and "test_candidate_backtest" in known
    with pytest.raises(OpscheckError, match=r"^ack test_predictions_landd: no such check \(did you mean "
                                            r"test_predictions_landed\?\)$"):
        acks.existing("test_predictions_landd", known)
    assert acks.existing("test_service_healthy[scrapers]", known) == "test_service_healthy[scrapers]"


@pytest.mark.parametrize(("toml", "line"), [
    ("[[maintenance]]\nstart = 2026-02-12T06:00:00-05:00\nend = 2026-02-11T09:00:00-05:00\nwhy = 'x'\n",
     r"maintenance\[0\]: ends \(2026-02-11T09:00:00-05:00\) before it starts \(2026-02-12T06:00:00-05:00\): a window "
     r"must end after it starts; swap start and end"),
    ("[[maintenance]]\nstart = 2026-02-12T06:00:00\nend = 2026-02-12T09:00:00-05:00\n",
     r"maintenance\[0\].start: must be a date-time with its offset, like 2026-02-12T06:00:00-05:00"),
    ("[[maintenance]]\nstart = 2026-02-12T06:00:00-05:00\n", r"maintenance\[0\]: end missing"),
    ("[[maintenance]]\nstart = 2026-02-12T06:00:00-05:00\nend = 2026-02-12T09:00:00-05:00\nuntil = 1\n",
     r"maintenance\[0\].until: unknown key"),
    ("[checks.test_x]\nseverity = 'page'\n", r"checks.test_x.severity: must be one of fail, warn"),
    ("[checks.test_x]\nrunbook = 'wiki/drift'\n", r"checks.test_x.runbook: must be a URL"),
    ("[suites.dialy]\nowner = 'x'\n", r"suites.dialy: no such suite \(suites: daily, deploy"),
    ("[history]\nremind_after_hours = 0\n", r"history.remind_after_hours: must be a positive number of hours"),
])
def test_on_call_configuration_that_cannot_be_meant_is_one_line(tmp_path: Path, toml: str, line: str) -> None:
    from opscheck.config import load
    from opscheck.errors import ConfigError

    path = tmp_path / "opscheck.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=line):
        load(path)


def test_a_check_policy_wins_over_its_suite_field_by_field(tmp_path: Path) -> None:
    from opscheck.config import load

    path = tmp_path / "opscheck.toml"
    path.write_text("[suites.daily]\nowner = 'oncall'\nseverity = 'warn'\n[checks.test_a]\nseverity = 'fail'\n")
    config = load(path)
    assert config.policy("test_a", ["daily"]) == type(config.policy("x", []))("fail", "oncall", "")
    assert config.policy("test_b", ["daily"]).severity == "warn"
    assert config.policy("test_b", ["deploy"]).severity == "fail"
