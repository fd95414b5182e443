"""On-call memory: every run remembered, each incident told once, since when, acknowledged or held.

`store` keeps the rows (SQLite), `memory` reads them (streaks, strips, flapping, fingerprints),
`incidents` moves a run's incidents on and decides what to tell, `acks` records who is on it.
Offline replays keep their own store (history.offline_path): a replayed recording is not the platform,
so its runs never mix into live history.
"""

from __future__ import annotations

from pathlib import Path

from opscheck.history.store import Store
from opscheck.session import Session


def store_of(session: Session) -> Store | None:
    """The session's store (live and record runs share one, offline replays another); None: no history kept."""
    history = session.config.history
    path = history.offline_path if session.mode == "offline" else history.path
    return Store(Path(path), history.busy_seconds) if path else None


def lineage(session: Session) -> str:
    """Which runs a run remembers: its own kind (mode, target, project, environment; offline, its scenario)."""
    kind = "offline" if session.mode == "offline" else "live"
    scenario = session.scenario.name if session.mode == "offline" and session.scenario else ""
    return "|".join((kind, session.target, session.config.gcp.project, session.env or "", scenario))
