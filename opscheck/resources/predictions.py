"""Predictions as checks ask about them: per date, per model version, against expectation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from opscheck.platform import Platform
from opscheck.resources import Days, Warmer, once


@dataclasses.dataclass(frozen=True)
class GradingStatus:
    """How many of a date's active predictions were graded."""

    game_date: dt.date
    predictions: int
    graded: int

    @property
    def coverage(self) -> float:
        return self.graded / self.predictions if self.predictions else 0.0


@dataclasses.dataclass(frozen=True)
class Expected:
    """Who should have a prediction on a date: players with a line in a scheduled game."""

    game_date: dt.date
    games: int
    players_with_lines: int


class Predictions:
    """The production system's predictions over the session's dates."""

    def __init__(self, platform: Platform, days: Days) -> None:
        self._platform = platform
        self._days = days
        self.system_id = platform.config.models.system_id
        # The look-back window too: grading asks about yesterday, the report charts the trend.
        self._span = days.span(before=max(1, platform.config.thresholds.lookback_days - 1))

    @once
    def _versions(self) -> list[dict[str, Any]]:
        return self._platform.bigquery.query("predictions_by_version", system_id=self.system_id, **self._span)

    @once
    def _expected(self) -> dict[str, dict[str, Any]]:
        rows = self._platform.bigquery.query("expected_predictions", **self._span)
        return {r["game_date"]: r for r in rows}

    @once
    def _problems(self) -> list[dict[str, Any]]:
        return self._platform.bigquery.query(
            "prediction_problems", system_id=self.system_id,
            max_edge=self._platform.config.thresholds.max_edge_points, **self._span)

    def warmers(self) -> list[Warmer]:
        return [lambda: self._versions, lambda: self._expected, lambda: self._problems]

    def problems(self, day: dt.date, *kinds: str) -> list[dict[str, Any]]:
        """`day`'s active predictions with a problem of these kinds (prediction_problems.sql), counted per kind."""
        return [r for r in self._problems if r["game_date"] == day.isoformat() and r["problem"] in kinds]

    def by_version(self, day: dt.date) -> list[dict[str, Any]]:
        """Rows and active rows per `model_version` on `day` (the seed query)."""
        return [r for r in self._versions if r["game_date"] == day.isoformat()]

    def grading(self, day: dt.date) -> GradingStatus:
        rows = self.by_version(day)
        return GradingStatus(day, sum(int(r["active"]) for r in rows), sum(int(r["graded"]) for r in rows))

    def active_count(self, day: dt.date) -> int:
        return sum(int(r["active"]) for r in self.by_version(day))

    def active_versions(self, day: dt.date) -> list[str]:
        """The model versions of `day`'s active predictions."""
        return sorted(r["model_version"] for r in self.by_version(day) if int(r["active"]) > 0)

    def expected(self, day: dt.date) -> Expected:
        row = self._expected.get(day.isoformat(), {})
        return Expected(day, int(row.get("games", 0)), int(row.get("players_with_lines", 0)))
