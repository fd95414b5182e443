"""The on-call sections of opscheck.toml: the history store, each check's severity, owner and runbook,
maintenance windows, and how backfills are applied.

Why in configuration, next to the thresholds: who owns a check and whether it pages is a team's decision
reviewed like code (Checkly keeps its windows in code for the same reason), and a typo in any of it must
stop the run with one line, as every other key does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

from opscheck.config.values import check, table_name, up_to, url

Severity = Literal["fail", "warn"]
SUITES = ("daily", "deploy", "training", "probe", "active")  # the suite markers: [suites.NAME] keys


@dataclasses.dataclass(frozen=True)
class HistoryConfig:
    """Where every run is remembered, and how the memory is read (streaks, flapping, reminders)."""

    # The SQLite file live and record runs write, one row per check per run; relative to the project's root
    # (the folder of opscheck.toml); created on first use. "" keeps no history.
    path: str = ".opscheck/history.sqlite"
    # Offline replays describe recordings, not the platform: they are remembered apart, never mixed in.
    offline_path: str = ".opscheck/history-offline.sqlite"
    # An incident still open this long after it was last told is told again (once per interval).
    remind_after_hours: float = dataclasses.field(default=24.0, metadata=check(up_to(24 * 90, "hours")))
    # The strip of past outcomes on each card, and the runs flapping is judged over.
    strip_runs: int = dataclasses.field(default=14, metadata=check(up_to(100, "runs")))
    # A check whose judged outcome changed this many times in the strip is flapping: its failures are one
    # incident, which closes only after settle_runs passes in a row.
    flapping_changes: int = dataclasses.field(default=4, metadata=check(up_to(99, "changes")))
    settle_runs: int = dataclasses.field(default=3, metadata=check(up_to(30, "runs")))
    # Live runs on Google Cloud also append their rows to this BigQuery table (dataset.table, partitioned by
    # run_date; one load job a run, never streaming); "" none. Created when create_table is true, else a
    # missing table is one line with its DDL and the role that may run it.
    table: str = dataclasses.field(default="", metadata=check(lambda v: table_name(v) if v else None))
    create_table: bool = False
    # How long a run waits for another run's write to the store before it gives up (with a warning).
    busy_seconds: float = dataclasses.field(default=10.0, metadata=check(up_to(600, "seconds")))


@dataclasses.dataclass(frozen=True)
class BackfillConfig:
    """How `opscheck backfill --apply` acts: where each action is logged, how it watches and waits."""

    # Every request a backfill makes, one JSON line each (who, when, what, the answer); relative to the
    # project's root (the folder of opscheck.toml). Never rotated by opscheck.
    log: str = ".opscheck/backfill-actions.jsonl"
    # How often a running batch's /status is read, and its rows landed (a query, billed on Google Cloud).
    poll_seconds: float = dataclasses.field(default=1.0, metadata=check(up_to(60, "seconds")))
    rows_every_seconds: float = dataclasses.field(default=5.0, metadata=check(up_to(600, "seconds")))
    # /start publishes a day's requests and /materialize rewrites a day's picks before they answer: longer
    # than a read.
    request_timeout_seconds: float = dataclasses.field(default=120.0, metadata=check(up_to(3600, "seconds")))
    # The most batches `--concurrency N` may run side by side.
    max_concurrency: int = dataclasses.field(default=4, metadata=check(up_to(32, "batches")))


def _runbook(value: str) -> str | None:
    return url(value) if value else None


@dataclasses.dataclass(frozen=True)
class Policy:
    """How one check (or every check of a suite) is treated: does it fail the run, who owns it, what to read.

    `fail` exits 1; `warn` is reported (on the page, apart from failures) and exits 0.
    """

    severity: Severity | None = None
    owner: str = ""
    runbook: str = dataclasses.field(default="", metadata=check(_runbook))


@dataclasses.dataclass(frozen=True)
class Window:
    """A maintenance window: results are recorded, notifications held, and the page says so."""

    start: dt.datetime
    end: dt.datetime
    # Check names (shell patterns allowed: "test_worker_*"); empty: every check.
    checks: tuple[str, ...] = ()
    why: str = ""

    def problem(self) -> str | None:
        if self.end <= self.start:
            return (f"ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()}): a window must end "
                    "after it starts; swap start and end")
        return None

    def covers(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end
