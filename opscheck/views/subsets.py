"""Subset picks: every configured subset materialised for every date with predictions, over a look-back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opscheck.views.base import Context, View, Warmer, between, complete, once


class Subsets(View):
    """Named subset picks for every date that has predictions, over a look-back window."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.names = self._platform.config.subsets.names
        self.lookback = self._platform.config.thresholds.lookback_days

    @once
    def _coverage(self) -> list[dict[str, Any]]:
        span = self._days.span(before=self.lookback - 1)
        rows = self._platform.bigquery.query(
            "subset_coverage", system_id=self._platform.config.models.system_id, subsets=list(self.names), **span)
        complete("subset_coverage", rows, ("game_date", "subset_name"),
                 {(day.isoformat(), name) for day in between(span["start"], span["end"]) for name in self.names})
        return rows

    def warmers(self) -> list[Warmer]:
        return [lambda: self._coverage]

    def window(self, day: dt.date) -> tuple[dt.date, dt.date]:
        return day - dt.timedelta(days=self.lookback - 1), day

    def coverage(self, day: dt.date) -> list[dict[str, Any]]:
        """(date, subset, predictions, picks) for every date and subset of `day`'s window."""
        start, end = self.window(day)
        return [r for r in self._coverage if start.isoformat() <= r["game_date"] <= end.isoformat()]

    def missing(self, day: dt.date) -> list[tuple[str, str]]:
        """(date, subset) pairs with predictions but no picks, in `day`'s window."""
        return [(r["game_date"], r["subset_name"]) for r in self.coverage(day) if r["predictions"] and not r["picks"]]

    def stale(self, day: dt.date) -> list[dict[str, Any]]:
        """(date, subset, picks, stale picks) where picks name no active prediction of their date, in `day`'s window."""
        return [{k: r[k] for k in ("game_date", "subset_name", "picks", "stale_picks")}
                for r in self.coverage(day) if r["stale_picks"]]

    def predicted_days(self, day: dt.date) -> int:
        """How many dates of `day`'s window have active predictions (what the check had to judge)."""
        return len({r["game_date"] for r in self.coverage(day) if r["predictions"]})
