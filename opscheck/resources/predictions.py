"""Predictions as checks ask about them: per date, per model version, against expectation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from opscheck.platform import Platform


@dataclasses.dataclass(frozen=True)
class Expected:
    """Who should have a prediction on a date: players with a line in a scheduled game."""

    game_date: dt.date
    games: int
    players_with_lines: int


class Predictions:
    """The production system's predictions."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.system_id = platform.config.models.system_id

    def by_version(self, day: dt.date) -> list[dict[str, Any]]:
        """Rows and active rows per `model_version` on `day` (the seed query)."""
        return self._platform.bigquery.query(
            "predictions_by_version", game_date=day, system_id=self.system_id
        )

    def active_count(self, day: dt.date) -> int:
        return sum(int(r["active"]) for r in self.by_version(day))

    def expected(self, day: dt.date) -> Expected:
        row = self._platform.bigquery.query("expected_predictions", game_date=day)[0]
        return Expected(day, int(row["games"]), int(row["players_with_lines"]))
