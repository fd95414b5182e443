"""`opscheck history [CHECK] [--since D]` and `opscheck ack CHECK --for 24h --why "…"` (`--list`, `--clear`).

Both read the store of the session they are given (mode, target, environment as the checks resolve
them), so `--target sandbox` acknowledges on the local platform, never production. Exit codes:
history 0 when nothing shown fails in its latest run, 1 when something does; ack 0 done, 1 nothing to
clear; both 2 when they cannot run (no store, a corrupted one, a check that does not exist, a bad
duration).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from opscheck import history
from opscheck.config.loading import find_config
from opscheck.errors import OpscheckError
from opscheck.history import acks
from opscheck.history.incidents import LOOK_BACK, outcomes
from opscheck.history.memory import FAILING, streak
from opscheck.history.store import Store
from opscheck.reports.evidence import render_table
from opscheck.session import Session

OK, FAILING_NOW, CANNOT_RUN = 0, 1, 2
LETTER = {"passed": "P", "failed": "F", "error": "E", "skipped": "S"}
SessionOf = Callable[[argparse.Namespace], AbstractContextManager[Session]]


def _store(session: Session, given: Path | None) -> Store:
    if given is not None:
        return Store(given, session.config.history.busy_seconds)
    store = history.store_of(session)
    if store is None:
        raise OpscheckError("history is off (history.path is empty in opscheck.toml): nothing is remembered")
    return store


def _checks_folder() -> Path:
    found = find_config(Path.cwd())
    return (found.parent if found else Path.cwd()) / "checks"


def show(session: Session, check: str | None, since: dt.date | None, given: Path | None = None) -> int:
    """The checks' memory as a table (or one check's runs); exit 1 when a shown check fails now."""
    store, lineage = _store(session, given), history.lineage(session)
    config = session.config.history
    start = (since or dt.date(2000, 1, 1)).isoformat()
    keys = store.read("SELECT check_key, MIN(name) AS name FROM results WHERE lineage = ? AND as_of >= ? "
                      "GROUP BY check_key ORDER BY check_key", (lineage, start))
    if check is not None:
        acks.existing(check, acks.known_checks(_checks_folder(), store), "history")
        keys = [k for k in keys if check in (k["name"], k["check_key"], k["check_key"].rsplit("::", 1)[-1])]
        if not keys:
            print(f"{check}: no run remembered since {start} ({store.path})")
            return OK
    if not keys:
        print(f"no run remembered since {start} for {lineage.replace('|', ' · ')} ({store.path})")
        return OK
    with store.reading() as db:  # one consistent read of every check's runs
        runs = {k["check_key"]: outcomes(db, lineage, k["check_key"], LOOK_BACK) for k in keys}
    runs = {key: [r for r in rs if r["as_of"] >= start] for key, rs in runs.items()}
    failing = False
    rows: list[dict[str, Any]] = []
    for key, rs in runs.items():
        if not rs:
            continue
        memory = streak(rs, config.strip_runs, config.flapping_changes)
        failing |= rs[-1]["outcome"] in FAILING
        rows.append({"check": key.rsplit("::", 1)[-1], "latest": rs[-1]["outcome"], "as of": rs[-1]["as_of"][:16],
                     "failing since": (memory.since or "")[:16], "runs failing": memory.length or "",
                     "last runs (oldest first)": "".join(LETTER[s["outcome"]] for s in memory.strip),
                     "flapping": "yes" if memory.flapping else ""})
    rows.sort(key=lambda r: r["latest"] not in FAILING)  # what fails now, first
    if check is not None and len(keys) == 1:
        detail = store.read("SELECT as_of, run_id, day, outcome, severity, message FROM results WHERE lineage = ? "
                            "AND check_key = ? AND as_of >= ? ORDER BY seq DESC LIMIT ?",
                            (lineage, keys[0]["check_key"], start, config.strip_runs))
        print(render_table([{**r, "as_of": r["as_of"][:16], "message": (r["message"] or "")[:100]} for r in detail]))
    print(render_table(rows))
    return FAILING_NOW if failing else OK


def ack(session: Session, args: argparse.Namespace) -> int:
    store, lineage, now = _store(session, args.history), history.lineage(session), session.as_of
    if args.list:
        rows = [{"check": a["target"], "date": a["day"] or "", "by": a["by"], "until": a["until"][:16],
                 "why": a["why"]} for a in acks.active(store, lineage, now)]
        print(render_table(rows) if rows else "no acknowledgement in force")
        return OK
    if not args.check:
        raise OpscheckError("ack: name the check (or --list)")
    target = acks.existing(args.check, acks.known_checks(_checks_folder(), store))
    if args.clear:
        cleared = acks.clear(store, lineage, target, args.date, now)
        print(f"cleared {cleared} acknowledgement(s) of {target}" if cleared else f"{target}: nothing to clear")
        return OK if cleared else FAILING_NOW
    if args.for_ is None:
        raise OpscheckError("ack: say for how long with --for (24h, 90m, 2d)")
    made = acks.acknowledge(store, lineage, target, args.date, acks.duration(args.for_), args.why or "",
                            args.by or os.environ.get("OPSCHECK_USER") or getpass.getuser(), now)
    print(f"acknowledged {target}" + (f" for {args.date}" if args.date else "") +
          f" until {made['until']} by {made['by']}: {made['why']}" +
          (" (bound to its current failure)" if made["fingerprint"] else ""))
    return OK


def install(commands: Any, session_options: Callable[[argparse.ArgumentParser], None], session_of: SessionOf,
            iso_date: Callable[[str], dt.date]) -> None:
    """Add `history` and `ack` to the `opscheck` parser."""
    shown = commands.add_parser("history", help="each check's memory: since when it fails, its last runs, flapping")
    shown.add_argument("check", nargs="?", help="one check (its name, or name[param]); default: every check")
    shown.add_argument("--since", type=iso_date, help="only runs as of this date or later")
    session_options(shown)
    shown.add_argument("--history", type=Path, metavar="PATH", help="the store to read (default: history.path)")

    def run_show(args: argparse.Namespace) -> int:
        with session_of(args) as session:
            return show(session, args.check, args.since, args.history)

    shown.set_defaults(handler=run_show)
    acked = commands.add_parser("ack", help="someone is on it: hold a check's notifications for a while")
    acked.add_argument("check", nargs="?", help="the check (its name, or name[param])")
    acked.add_argument("--date", type=iso_date, help="only this date's failure of it")
    acked.add_argument("--for", dest="for_", metavar="DURATION", help="how long: 24h, 90m, 2d (at most 30d)")
    acked.add_argument("--why", help="what is being done about it (shown on the page and to the next on-call)")
    acked.add_argument("--by", help="who (default: $OPSCHECK_USER, else the login name)")
    what = acked.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="the acknowledgements in force")
    what.add_argument("--clear", action="store_true", help="end the check's acknowledgements now")
    session_options(acked)
    acked.add_argument("--history", type=Path, metavar="PATH", help="the store to write (default: history.path)")

    def run_ack(args: argparse.Namespace) -> int:
        with session_of(args) as session:
            return ack(session, args)

    acked.set_defaults(handler=run_ack)
