"""The day's prop lines against each player's own recent lines (a scraper gone wrong, before it feeds the model)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opscheck.views.base import Context, View, Warmer, between, complete, once


class Lines(View):
    """One grouped query over the session's dates (line_drift.sql), answered per date."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self._span = self._days.span()

    @once
    def _drift(self) -> dict[str, dict[str, Any]]:
        thresholds = self._platform.config.thresholds
        rows = self._platform.bigquery.query(
            "line_drift", lookback=thresholds.line_lookback_days, min_history=thresholds.line_min_history,
            move_sd=thresholds.line_move_sd, move_points=thresholds.line_move_points,
            max_line=thresholds.max_line_points, **self._span)
        complete("line_drift", rows, ("game_date",),
                 {(day.isoformat(),) for day in between(self._span["start"], self._span["end"])})
        return {r["game_date"]: r for r in rows}

    def drift(self, day: dt.date) -> dict[str, Any]:
        """`day`'s players with a line, how many were judged against their history, moved, and could not be."""
        return self._drift[day.isoformat()]

    def warmers(self) -> list[Warmer]:
        return [lambda: self._drift]
