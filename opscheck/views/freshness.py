"""When data last landed in the tables the morning run depends on, read from the data itself.

Each table's [freshness] column, per partition around today: a label or schema edit moves a table's
lastModifiedTime without a row landing, and a game day's rows must land in that day's partition.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

from opscheck.views.base import Context, View, Warmer, calls_of

FRESH_TABLES = ("prop_lines", "schedule", "predictions")


class Freshness(View):
    """When data last landed in the tables the morning run depends on."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        today = self._platform.config.today()
        # The partitions around today: lines and predictions land for today, the schedule ahead of it.
        self.start, self.end = today - dt.timedelta(days=7), today + dt.timedelta(days=7)

    def warmers(self) -> list[Warmer]:
        return [functools.partial(self.partitions, key) for key in FRESH_TABLES]

    def column(self, key: str) -> str:
        """The table's freshness column ([freshness] in opscheck.toml)."""
        column: str = getattr(self._platform.config.freshness, key)
        return column

    def partitions(self, key: str) -> list[dict[str, Any]]:
        """(game_date, newest, rows) of each partition near today holding rows (once a session)."""
        return calls_of(self).get(key, lambda: self._platform.bigquery.query(
            "freshness", {"table": key, "column": self.column(key)}, start=self.start, end=self.end))

    def landed(self, key: str, day: dt.date | None = None) -> Landed:
        """The newest freshness value and the rows, over the partitions near today, or of `day`'s alone."""
        rows = [r for r in self.partitions(key) if day is None or r["game_date"] == day.isoformat()]
        stamps = [r["newest"] for r in rows if r["newest"] is not None]
        newest = max((dt.datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps), default=None)
        return Landed(newest, sum(int(r["rows"]) for r in rows))


@dataclasses.dataclass(frozen=True)
class Landed:
    """When data last landed: the newest freshness value (None: no row has one) and how many rows there are."""

    newest: dt.datetime | None
    rows: int
