"""A finished run meets history: written to the store, and each check's record given its memory.

Called once per run by the report collector (the controller under pytest-xdist), after the verdict and
before the page, summary.json and the notification, which all read what history said. A store that
cannot be written costs one warning line: the run still reports, and its exit code is the checks'.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from opscheck import __version__, history
from opscheck.errors import OpscheckError
from opscheck.history import warehouse
from opscheck.history.incidents import Memory, RunFacts, remember
from opscheck.history.memory import Result, check_key
from opscheck.reports.page import Run
from opscheck.session import Session
from opscheck.views import ExpectedCommit, Views


def results(run: Run) -> list[Result]:
    return [Result(c.id, check_key(c.id, c.params), c.name, c.title, c.date, c.outcome, c.severity, c.message,
                   c.next_step, c.duration, c.bytes_billed, c.owner, c.runbook) for c in run.checks]


def facts(session: Session, views: Views, run: Run) -> RunFacts:
    days = views.context.days
    single = days.first.isoformat() if days.first == days.last else None
    return RunFacts(run.run_id, history.lineage(session), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    session.as_of, session.mode, session.target, session.config.gcp.project, session.env,
                    session.scenario.name if session.scenario else None, run.suite, run.exit_code, single,
                    session.today.isoformat(), __version__, _commit(views))


def _commit(views: Views) -> str | None:
    """The platform commit the run checked against, if a check resolved it (never a new call at the end)."""
    made = views.made(ExpectedCommit)
    try:
        resolved = made.resolved if made is not None else None
    except OpscheckError:
        return None
    return resolved[0] if resolved else None


def into_history(session: Session, views: Views, run: Run, telling: bool) -> tuple[Memory | None, str | None]:
    """Remember the run and annotate its records; returns the memory and a warning line, if any."""
    run.run_id = run.run_id or uuid.uuid4().hex[:12]
    store = history.store_of(session)
    if store is None:
        run.history.update(store=None, written=False, note="history is off (history.path is empty)")
        return None, None
    run.history.update(store=str(store.path), written=False, note=None)
    if not run.checks:
        run.history["note"] = "nothing ran: nothing remembered"
        return None, None
    told, checked = facts(session, views, run), results(run)
    try:
        memory = remember(store, told, checked, session.config.history, session.config.maintenance, telling)
    except OpscheckError as exc:
        run.history["note"] = f"not remembered: {exc}"
        return None, f"opscheck: warning: this run is not remembered ({exc}); its verdict and exit code stand"
    run.history["written"] = True
    annotate(run, memory)
    if session.config.history.table and session.mode != "offline":
        try:
            warehouse.export(session, told, checked, memory.fingerprints)
        except OpscheckError as exc:
            run.history["note"] = f"not copied to BigQuery: {exc}"
            return memory, f"opscheck: warning: {exc}; the run is remembered in {store.path}, its exit code stands"
    return memory, None


def annotate(run: Run, memory: Memory) -> None:
    for check in run.checks:
        key = check_key(check.id, check.params)
        streak = memory.streaks.get(key)
        check.streak = streak.summary() if streak else None
        if not check.failing:
            continue
        check.fingerprint = memory.fingerprints.get(key)
        ack = memory.acks.get(key)
        check.ack = _shown(ack, ("by", "why", "until", "created")) if ack else None
        window = memory.windows.get(key)
        check.window = {"why": window.why, "start": window.start.isoformat(), "until": window.end.isoformat()} \
            if window else None


def _shown(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: row[k] for k in keys}
