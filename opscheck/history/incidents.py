"""A run remembered: its rows written, its incidents opened, carried or closed, its notifications decided.

All in one transaction of the store, so two runs at once never both tell the same incident: the run that
writes first claims it (`told_at`), the other sees it told. A claim is given back when the webhook could
not be reached, so the next run tells it instead. An incident is one check failing for one reason
(history.memory.fingerprint); it is told once ("new"), again after `remind_after_hours` while it stays
open, and once when it recovers. An acknowledgement or a maintenance window holds its "new" and reminders
(a recovery of a told incident is always told). Once a check is flapping (history.flapping_changes in
its strip), a failure reopens its last incident of the same cause instead of opening a new one, and the
incident stays open until the check has passed `settle_runs` times in a row: its flaps are one incident,
not one a day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import sqlite3
from collections.abc import Sequence
from typing import Any

from opscheck.config.oncall import HistoryConfig, Window
from opscheck.history.memory import FAILING, Result, Streak, fingerprint, streak, worst
from opscheck.history.store import RESULT_COLUMNS, Store

LOOK_BACK = 500  # runs a streak is counted over (over a season of mornings, more than twice daily)


@dataclasses.dataclass(frozen=True)
class RunFacts:
    run_id: str
    lineage: str
    started: str  # this machine's clock, UTC
    as_of: dt.datetime  # the platform's clock: incidents, reminders and acknowledgements are timed on it
    mode: str
    target: str
    project: str
    environment: str | None
    scenario: str | None
    suite: str
    exit_code: int
    single_day: str | None  # the one date validated, when the run validated one date; else None (a range)
    today: str
    version: str
    platform_commit: str | None


@dataclasses.dataclass
class Notice:
    """One incident in one notification."""

    kind: str  # new | reminder | resolved
    incident: int
    key: str
    result: Result
    fingerprint: str
    since: str
    previous: tuple[str | None, str | None] = (None, None)  # told_at, reminded_at before this run's claim


@dataclasses.dataclass
class Memory:
    """What the store said about this run's checks, and what is to be told."""

    seq: int
    streaks: dict[str, Streak]
    fingerprints: dict[str, str]
    incidents: dict[str, dict[str, Any]]  # the open incident of each failing check, after this run
    acks: dict[str, dict[str, Any]]  # the acknowledgement holding a check's notifications
    windows: dict[str, Window]  # the maintenance window holding them
    notices: list[Notice]


def scope(facts: RunFacts, failing: Sequence[Result]) -> str:
    """The dates a failure is about: "today" on a morning run (one incident from day to day), else the dates."""
    days = sorted({r.day for r in failing if r.day})
    if not days or (facts.single_day == facts.today and days == [facts.today]):
        return "today"
    return ",".join(days)


def remember(store: Store, facts: RunFacts, results: Sequence[Result], history: HistoryConfig,
             windows: Sequence[Window], telling: bool) -> Memory:
    """Write the run, move its incidents on, and (when `telling`) claim what its notification must say."""
    by_key: dict[str, list[Result]] = {}
    for result in results:
        by_key.setdefault(result.check_key, []).append(result)
    when = facts.as_of.astimezone(dt.UTC).isoformat(timespec="seconds")
    with store.writing() as db:
        seq = db.execute("INSERT INTO runs (run_id, lineage, started, as_of, suite, exit_code, checks, bytes_billed) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (facts.run_id, facts.lineage, facts.started, when, facts.suite, facts.exit_code,
                          len(results), sum(r.bytes_billed for r in results))).lastrowid
        assert seq is not None
        prints = {key: fingerprint(key, scope(facts, failing), [r.message for r in failing])
                  for key, rs in by_key.items() if (failing := [r for r in rs if r.outcome in FAILING])}
        db.executemany(f"INSERT INTO results VALUES ({', '.join('?' * len(RESULT_COLUMNS))})",
                       [tuple(row(facts, seq, when, r, prints.get(r.check_key))[c] for c in RESULT_COLUMNS)
                        for r in results])
        streaks = {key: _streak(db, facts.lineage, key, history) for key in by_key}
        acks = [dict(a) for a in db.execute("SELECT * FROM acks WHERE lineage = ? AND cleared IS NULL AND until > ?",
                                            (facts.lineage, when))]
        memory = Memory(seq, streaks, prints, {}, {}, {}, [])
        if telling:
            _untold_recoveries(db, memory, facts.lineage)
        for key, rs in by_key.items():
            _move_on(db, memory, facts, key, rs, when, history, acks, windows, telling)
    return memory


def _untold_recoveries(db: sqlite3.Connection, memory: Memory, lineage: str) -> None:
    """Recoveries an earlier run could not deliver (the webhook was down): told with this run's news."""
    for row in db.execute("SELECT * FROM incidents WHERE lineage = ? AND state = 'untold'", (lineage,)).fetchall():
        db.execute("UPDATE incidents SET state = 'resolved' WHERE id = ?", (row["id"],))
        title = row["check_key"].rsplit("::", 1)[-1]
        memory.notices.append(Notice("resolved", row["id"], row["check_key"],
                                     Result(row["check_key"], row["check_key"], row["name"], title, None, "passed",
                                            "fail"), row["fingerprint"], row["opened_at"]))


def row(facts: RunFacts, seq: int, when: str, r: Result, print_: str | None) -> dict[str, Any]:
    """One result as history keeps it, by column (the SQLite store and the BigQuery copy write the same)."""
    return {"run_id": facts.run_id, "seq": seq, "lineage": facts.lineage, "started": facts.started, "as_of": when,
            "mode": facts.mode, "target": facts.target, "project": facts.project, "environment": facts.environment,
            "scenario": facts.scenario, "suite": facts.suite, "check_id": r.check_id, "check_key": r.check_key,
            "name": r.name, "day": r.day, "outcome": r.outcome, "severity": r.severity,
            "duration": round(r.duration, 3), "message": r.message.split("\n", 1)[0], "next_step": r.next_step,
            "fingerprint": print_ if r.outcome in FAILING else None, "bytes_billed": r.bytes_billed,
            "opscheck_version": facts.version, "platform_commit": facts.platform_commit}


def outcomes(db: sqlite3.Connection, lineage: str, key: str, limit: int) -> list[dict[str, Any]]:
    """One check's outcome in each of its last `limit` runs (the worst over its dates), oldest first."""
    rows = db.execute("SELECT seq, run_id, as_of, group_concat(outcome) AS outcomes FROM results "
                      "WHERE lineage = ? AND check_key = ? GROUP BY seq ORDER BY seq DESC LIMIT ?",
                      (lineage, key, limit)).fetchall()
    return [{"seq": r["seq"], "run_id": r["run_id"], "as_of": r["as_of"], "outcome": worst(r["outcomes"].split(","))}
            for r in reversed(rows)]


def _streak(db: sqlite3.Connection, lineage: str, key: str, history: HistoryConfig) -> Streak:
    """The strip of the last runs, and the current failing streak as far back as LOOK_BACK runs."""
    return streak(outcomes(db, lineage, key, LOOK_BACK), history.strip_runs, history.flapping_changes)


def holding(name: str, title: str, key: str, day: str | None, print_: str, acks: Sequence[dict[str, Any]]
            ) -> dict[str, Any] | None:
    """The acknowledgement that holds this failure's notifications, if any (its check, date and cause)."""
    for ack in acks:
        if ack["target"] not in (name, title, key) or (ack["day"] and ack["day"] != day):
            continue
        if ack["fingerprint"] in (None, print_):
            return ack
    return None


def in_window(name: str, moment: dt.datetime, windows: Sequence[Window]) -> Window | None:
    return next((w for w in windows if w.covers(moment)
                 and (not w.checks or any(fnmatch.fnmatchcase(name, p) for p in w.checks))), None)


def _move_on(db: sqlite3.Connection, memory: Memory, facts: RunFacts, key: str, rs: list[Result], when: str,
             history: HistoryConfig, acks: list[dict[str, Any]], windows: Sequence[Window], telling: bool) -> None:
    outcome = worst(r.outcome for r in rs)
    incident = db.execute("SELECT * FROM incidents WHERE lineage = ? AND check_key = ? AND state = 'open'",
                          (facts.lineage, key)).fetchone()
    incident = dict(incident) if incident else None
    failing = [r for r in rs if r.outcome in FAILING]
    first = failing[0] if failing else rs[0]
    window = in_window(first.name, facts.as_of, windows)
    if window is not None:
        memory.windows[key] = window
    if outcome in FAILING:
        print_ = memory.fingerprints[key]
        if incident is not None and incident["fingerprint"] != print_:  # a different cause, or more dates
            db.execute("UPDATE incidents SET state = 'changed', closed_at = ? WHERE id = ?", (when, incident["id"]))
            incident = None
        if incident is None and memory.streaks[key].flapping:  # flapping: the same incident again, not news
            last = db.execute("SELECT * FROM incidents WHERE lineage = ? AND check_key = ? AND fingerprint = ? AND "
                              "state = 'resolved' ORDER BY id DESC LIMIT 1", (facts.lineage, key, print_)).fetchone()
            if last is not None:
                db.execute("UPDATE incidents SET state = 'open', closed_at = NULL WHERE id = ?", (last["id"],))
                incident = dict(last)
        if incident is None:
            new_id = db.execute("INSERT INTO incidents (lineage, check_key, name, fingerprint, state, opened_seq, "
                                "opened_at, last_seq) VALUES (?, ?, ?, ?, 'open', ?, ?, ?)",
                                (facts.lineage, key, first.name, print_, memory.seq, when, memory.seq)).lastrowid
            incident = dict(db.execute("SELECT * FROM incidents WHERE id = ?", (new_id,)).fetchone())
        else:
            db.execute("UPDATE incidents SET last_seq = ?, passes = 0 WHERE id = ?", (memory.seq, incident["id"]))
        ack = next((a for r in failing if (a := holding(r.name, r.title, key, r.day, print_, acks))), None)
        if ack is not None:
            memory.acks[key] = ack
            if ack["fingerprint"] is None:  # bound to the failure it first held: a new cause is told
                db.execute("UPDATE acks SET fingerprint = ? WHERE id = ?", (print_, ack["id"]))
        memory.incidents[key] = incident
        if telling and ack is None and window is None:
            _claim(db, memory, incident, key, first, when, history)
    elif outcome == "passed" and incident is not None:
        passes = incident["passes"] + 1
        if memory.streaks[key].flapping and passes < history.settle_runs:
            db.execute("UPDATE incidents SET passes = ? WHERE id = ?", (passes, incident["id"]))
            memory.incidents[key] = incident
            return
        db.execute("UPDATE incidents SET state = 'resolved', closed_at = ? WHERE id = ?", (when, incident["id"]))
        if telling and incident["told_at"]:
            memory.notices.append(Notice("resolved", incident["id"], key, first, incident["fingerprint"],
                                         incident["opened_at"]))


def _claim(db: sqlite3.Connection, memory: Memory, incident: dict[str, Any], key: str, result: Result, when: str,
           history: HistoryConfig) -> None:
    previous = (incident["told_at"], incident["reminded_at"])
    if incident["told_at"] is None:
        kind = "new"
    else:
        last = dt.datetime.fromisoformat(incident["reminded_at"] or incident["told_at"])
        if dt.datetime.fromisoformat(when) - last < dt.timedelta(hours=history.remind_after_hours):
            return
        kind = "reminder"
    db.execute("UPDATE incidents SET told_at = COALESCE(told_at, ?), reminded_at = ? WHERE id = ?",
               (when, when, incident["id"]))
    memory.notices.append(Notice(kind, incident["id"], key, result, incident["fingerprint"], incident["opened_at"],
                                 previous))


def give_back(store: Store, notices: Sequence[Notice]) -> None:
    """The webhook was not reached: the claims go back, so the next run tells these incidents."""
    with store.writing() as db:
        for notice in notices:
            if notice.kind == "resolved":  # closed all the same; its recovery is told by the next run that tells
                db.execute("UPDATE incidents SET state = 'untold' WHERE id = ? AND state = 'resolved'",
                           (notice.incident,))
            else:
                db.execute("UPDATE incidents SET told_at = ?, reminded_at = ? WHERE id = ?",
                           (*notice.previous, notice.incident))
