"""The history store: one row per check per run, the incidents told, the acknowledgements.

An embedded SQLite file (no server for the on-call to keep alive), in WAL mode so readers never wait for
a writer, and every write one `BEGIN IMMEDIATE` transaction: two runs at once (a cron overlap, two
pipelines) queue for `history.busy_seconds` instead of interleaving, so a run's rows, its incidents and
its claims on notifications land together or not at all. Rows carry a *lineage* (mode, target, project,
environment, scenario): a run only ever reads the memory of its own kind of run.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from opscheck.errors import HistoryError

VERSION = 1
RESULT_COLUMNS = ("run_id", "seq", "lineage", "started", "as_of", "mode", "target", "project", "environment",
                  "scenario", "suite", "check_id", "check_key", "name", "day", "outcome", "severity", "duration",
                  "message", "next_step", "fingerprint", "bytes_billed", "opscheck_version", "platform_commit")
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL UNIQUE,
  lineage TEXT NOT NULL, started TEXT NOT NULL, as_of TEXT NOT NULL, suite TEXT NOT NULL, exit_code INTEGER,
  checks INTEGER NOT NULL, bytes_billed INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS results ({", ".join(RESULT_COLUMNS)}, PRIMARY KEY (run_id, check_id));
CREATE INDEX IF NOT EXISTS results_by_check ON results (lineage, check_key, seq);
CREATE TABLE IF NOT EXISTS incidents (id INTEGER PRIMARY KEY AUTOINCREMENT, lineage TEXT NOT NULL,
  check_key TEXT NOT NULL, name TEXT NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL,
  opened_seq INTEGER NOT NULL, opened_at TEXT NOT NULL, last_seq INTEGER NOT NULL, told_at TEXT,
  reminded_at TEXT, closed_at TEXT, passes INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS one_open_incident ON incidents (lineage, check_key) WHERE state = 'open';
CREATE TABLE IF NOT EXISTS acks (id INTEGER PRIMARY KEY AUTOINCREMENT, lineage TEXT NOT NULL,
  target TEXT NOT NULL, day TEXT, fingerprint TEXT, by TEXT NOT NULL, why TEXT NOT NULL, created TEXT NOT NULL,
  until TEXT NOT NULL, cleared TEXT);
"""
Row = dict[str, Any]


class Store:
    """One history file, opened lazily; every method a short transaction."""

    def __init__(self, path: Path, busy_seconds: float = 10.0) -> None:
        self.path = path
        self.busy_seconds = busy_seconds

    @contextlib.contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection]:
        if not write and not self.path.exists():
            raise HistoryError(f"history store {self.path} does not exist yet: no run has been remembered here "
                               "(a live or record run creates it; offline replays keep history.offline_path)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.busy_seconds, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"history store {self.path} cannot be opened ({_reason(exc)}); "
                               "fix history.path in opscheck.toml or the folder's permissions") from None
        connection.row_factory = sqlite3.Row
        try:
            with self._translated():
                connection.execute(f"PRAGMA busy_timeout = {int(self.busy_seconds * 1000)}")
                if write:
                    connection.execute("PRAGMA journal_mode = WAL")
                    connection.execute("BEGIN IMMEDIATE")  # take the write lock now: two runs queue, never interleave
                self._check_schema(connection)
                if write:
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            connection.execute(statement)
                    connection.execute("INSERT OR IGNORE INTO meta VALUES ('version', ?)", (str(VERSION),))
                try:
                    yield connection
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
                if connection.in_transaction:
                    connection.execute("COMMIT")
        finally:
            connection.close()

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        """SQLite's errors as one line naming the file and the fix."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise HistoryError(f"history store {self.path} is locked by another run for over "
                                   f"{self.busy_seconds:g}s (history.busy_seconds); try again when it "
                                   "finishes") from None
            if "readonly" in text or "unable to open" in text or "disk" in text:
                raise HistoryError(f"history store {self.path} cannot be written ({text}); "
                                   "fix the file's permissions or history.path") from None
            raise HistoryError(f"history store {self.path}: {text}") from None
        except sqlite3.IntegrityError as exc:
            raise HistoryError(f"history store {self.path} refused a write ({exc}): a run id written twice?") from None
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"history store {self.path} is not a usable SQLite database ({exc}): corrupted? "
                               "move it aside; the next run starts a new one") from None

    def _check_schema(self, connection: sqlite3.Connection) -> None:
        columns = [r[1] for r in connection.execute("PRAGMA table_info(results)")]
        if columns and tuple(columns) != RESULT_COLUMNS:
            raise HistoryError(f"history store {self.path}: table results has columns {', '.join(columns)}, not "
                               f"opscheck's ({', '.join(RESULT_COLUMNS)}): another tool or version wrote it; "
                               "point history.path at a new file")
        has_meta = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
        version = connection.execute("SELECT value FROM meta WHERE key = 'version'").fetchone() if has_meta else None
        if version is not None and int(version[0]) != VERSION:
            raise HistoryError(f"history store {self.path} is of format {version[0]}, this opscheck reads "
                               f"{VERSION}: point history.path at a new file")

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (the file and its tables created on first use)."""
        with self._connect(write=True) as connection:
            yield connection

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: several reads that see the same runs (no write lock taken)."""
        with self._connect(write=False) as connection:
            connection.execute("BEGIN")
            yield connection

    def read(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        with self._connect(write=False) as connection:
            return [dict(r) for r in connection.execute(sql, params)]


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)
