"""Predictions as checks ask about them: per date, per model version, against expectation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

from opscheck.sql.queries import PROBLEMS
from opscheck.views.base import Context, View, Warmer, between, complete, once


@dataclasses.dataclass(frozen=True)
class GradingStatus:
    """How many of a date's active predictions were graded, and graded as a hit or a miss."""

    game_date: dt.date
    predictions: int
    graded: int
    calls: int  # active OVER/UNDER predictions: what grading can judge
    decided: int  # graded rows that say hit or miss (PASS and voids say neither)

    @property
    def coverage(self) -> float:
        return self.graded / self.predictions if self.predictions else 0.0


@dataclasses.dataclass(frozen=True)
class Expected:
    """What is due on a date: scheduled games, how many have prop lines, the players with one."""

    game_date: dt.date
    games: int
    games_with_lines: int
    players_with_lines: int


class Predictions(View):
    """The production system's predictions over the session's dates."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.system_id = self._platform.config.models.system_id
        # The look-back window too: grading asks about yesterday, the report charts the trend.
        self._span = self._days.span(before=max(1, self._platform.config.thresholds.lookback_days - 1))

    def _dates(self) -> list[dt.date]:
        return between(self._span["start"], self._span["end"])

    @once
    def _versions(self) -> list[dict[str, Any]]:
        rows = self._platform.bigquery.query("predictions_by_version", system_id=self.system_id, **self._span)
        days = {r["game_date"] for r in rows}
        complete("predictions_by_version", [{"game_date": d} for d in days], ("game_date",),
                 {(day.isoformat(),) for day in self._dates()})
        return rows

    @once
    def _expected(self) -> dict[str, dict[str, Any]]:
        rows = self._platform.bigquery.query("expected_predictions", **self._span)
        complete("expected_predictions", rows, ("game_date",), {(day.isoformat(),) for day in self._dates()})
        return {r["game_date"]: r for r in rows}

    @once
    def _problems(self) -> list[dict[str, Any]]:
        rows = self._platform.bigquery.query(
            "prediction_problems", system_id=self.system_id, kinds=list(PROBLEMS),
            max_edge=self._platform.config.thresholds.max_edge_points, **self._span)
        complete("prediction_problems", rows, ("game_date", "problem"),
                 {(day.isoformat(), kind) for day in self._dates() for kind in PROBLEMS})
        return rows

    def warmers(self) -> list[Warmer]:
        return [lambda: self._versions, lambda: self._expected, lambda: self._problems]

    def problems(self, day: dt.date, *kinds: str) -> list[dict[str, Any]]:
        """`day`'s active predictions with a problem of these kinds (prediction_problems.sql), counted per kind."""
        return [r for r in self._problems
                if r["game_date"] == day.isoformat() and r["problem"] in kinds and r["predictions"]]

    def by_version(self, day: dt.date) -> list[dict[str, Any]]:
        """Rows and active rows per `model_version` on `day` (the seed query)."""
        return [r for r in self._versions if r["game_date"] == day.isoformat() and r["model_version"] is not None]

    def grading(self, day: dt.date) -> GradingStatus:
        rows = self.by_version(day)
        return GradingStatus(day, *(sum(int(r[k]) for r in rows) for k in ("active", "graded", "calls", "decided")))

    def active_count(self, day: dt.date) -> int:
        return sum(int(r["active"]) for r in self.by_version(day))

    def active_players(self, day: dt.date) -> int:
        """Distinct players with an active prediction on `day` (a rerun's duplicates count once)."""
        return sum(int(r["players"]) for r in self.by_version(day))

    def active_between(self, start: dt.date, end: dt.date, version: str | None = None) -> int:
        """Active predictions (of `version`, else of any) on the dates start..end, within the view's span."""
        return sum(int(r["active"]) for r in self._versions if version in (None, r["model_version"])
                   and start.isoformat() <= r["game_date"] <= end.isoformat())

    def active_versions(self, day: dt.date) -> list[str]:
        """The model versions of `day`'s active predictions."""
        return sorted(r["model_version"] for r in self.by_version(day) if int(r["active"]) > 0)

    def floor(self, day: dt.date) -> int:
        """The fewest active players acceptable on `day`: its players with lines x the coverage floor, rounded up.

        Rounded up, so one player with a line still needs one prediction (rounding down made it 0).
        """
        lines = self.expected(day).players_with_lines
        return math.ceil(round(lines * self._platform.config.thresholds.coverage_floor, 9))

    def expected(self, day: dt.date) -> Expected:
        row = self._expected[day.isoformat()]
        return Expected(day, row["games"], row["games_with_lines"], row["players_with_lines"])
