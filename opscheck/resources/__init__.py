"""Domain views over the gateways, one per thing a check asks about.

Like pytest-testinfra's modules on `host`: a check says
`predictions.active_count(day)`, and the SQL and the gateway stay out of it.
Views are built for the session's whole date range: each runs one grouped
query over the range (cached) and answers per date, so `--dates` over a season
costs one query per check, not one per date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol

Warmer = Callable[[], object]


class View(Protocol):
    """What the session prefetch needs of a view: the calls that fill its caches."""

    def warmers(self) -> list[Warmer]: ...


@dataclasses.dataclass(frozen=True)
class Days:
    """The dates a session validates (one, or a backfill range)."""

    dates: tuple[dt.date, ...]

    @classmethod
    def of(cls, dates: Sequence[dt.date]) -> Days:
        if not dates:
            raise ValueError("a session validates at least one date")
        return cls(tuple(sorted(dates)))

    @property
    def first(self) -> dt.date:
        return self.dates[0]

    @property
    def last(self) -> dt.date:
        return self.dates[-1]

    def span(self, before: int = 0, after: int = 0) -> dict[str, dt.date]:
        """Query parameters `start`/`end` covering every date, widened by days before/after."""
        return {"start": self.first - dt.timedelta(days=before),
                "end": self.last + dt.timedelta(days=after)}
