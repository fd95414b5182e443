"""`opscheck ack`: someone is on it. The check still runs and shows ACKED; its notifications wait.

An acknowledgement names a check (its name, `name[param]`, or one date of it with `--date`), who, why and
until when. It holds the failure it was given for: made while the check fails, it is bound to that
failure's fingerprint; made before, to the first failure it holds. A different cause or more dates is a
new incident, told at once; so is the same one after the acknowledgement expires (or is cleared).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

from opscheck.errors import OpscheckError
from opscheck.history.store import Store

MAX_FOR = dt.timedelta(days=30)  # an acknowledgement is a promise to look, not a silence for the season
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_TEST = re.compile(r"^def (test_\w+)\(", re.MULTILINE)


def duration(text: str) -> dt.timedelta:
    """"24h", "90m", "2d", "1h30m": anything else is one line saying how to write it."""
    compact = text.strip().lower().replace(" ", "")
    parts = _PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise OpscheckError(f"--for {text!r}: not a duration; write it like 24h, 90m, 2d or 1h30m")
    length = dt.timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))
    if not dt.timedelta(0) < length <= MAX_FOR:
        raise OpscheckError(f"--for {text}: must be more than 0 and at most 30d (an acknowledgement expires; "
                            "make a new one if the work takes longer)")
    return length


def known_checks(checks_folder: Path, store: Store | None = None) -> set[str]:
    """Every check name in the checks folder (and any the store remembers)."""
    names = {m for path in checks_folder.rglob("test_*.py") for m in _TEST.findall(path.read_text())}
    if store is not None and store.path.exists():
        names |= {r["name"] for r in store.read("SELECT DISTINCT name FROM results")}
    return names


def existing(target: str, known: set[str], command: str = "ack") -> str:
    """`target` if it names a check; else one line naming the closest one."""
    name = target.split("[", 1)[0]
    if name in known:
        return target
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else "`opscheck history` lists the checks it remembers"
    raise OpscheckError(f"{command} {target}: no such check ({hint})")


def acknowledge(store: Store, lineage: str, target: str, day: dt.date | None, length: dt.timedelta, why: str,
                by: str, now: dt.datetime) -> dict[str, Any]:
    """Record an acknowledgement (bound to the check's open incident, if it fails now); returns it."""
    if not why.strip():
        raise OpscheckError("ack: --why is required: say what is being done, so the next on-call knows")
    stamp = now.astimezone(dt.UTC)
    with store.writing() as db:
        open_ = db.execute("SELECT fingerprint FROM incidents WHERE lineage = ? AND state = 'open' AND "
                           "(name = ? OR check_key = ? OR check_key LIKE ?) ORDER BY id DESC",
                           (lineage, target, target, f"%::{target}")).fetchall()
        print_ = open_[0]["fingerprint"] if len(open_) == 1 and day is None else None
        row = (lineage, target, day.isoformat() if day else None, print_, by, why.strip(),
               stamp.isoformat(timespec="seconds"), (stamp + length).isoformat(timespec="seconds"))
        made = db.execute("INSERT INTO acks (lineage, target, day, fingerprint, by, why, created, until) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row).lastrowid
        return dict(db.execute("SELECT * FROM acks WHERE id = ?", (made,)).fetchone())


def active(store: Store, lineage: str, now: dt.datetime) -> list[dict[str, Any]]:
    if not store.path.exists():
        return []
    return store.read("SELECT * FROM acks WHERE lineage = ? AND cleared IS NULL AND until > ? ORDER BY until",
                      (lineage, now.astimezone(dt.UTC).isoformat(timespec="seconds")))


def clear(store: Store, lineage: str, target: str, day: dt.date | None, now: dt.datetime) -> int:
    """End the check's acknowledgements now; returns how many there were."""
    stamp = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    with store.writing() as db:
        where = "lineage = ? AND target = ? AND cleared IS NULL AND until > ?"
        params: list[Any] = [lineage, target, stamp]
        if day is not None:
            where, params = where + " AND day = ?", [*params, day.isoformat()]
        return db.execute(f"UPDATE acks SET cleared = ? WHERE {where}", [stamp, *params]).rowcount
