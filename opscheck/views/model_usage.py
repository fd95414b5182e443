"""Which model versions made the rows of a look-back window: what leakage is judged on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opscheck.views.base import Context, View, Warmer, once


class ModelUsage(View):
    """Which model versions made the predictions, subset picks and graded rows of a window."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.lookback = self._platform.config.thresholds.lookback_days
        self.start = self._days.first - dt.timedelta(days=self.lookback - 1)
        self.end = self._days.last

    @once
    def rows(self) -> list[dict[str, Any]]:
        """(source, model_version, first_date, last_date, rows) over the window."""
        return self._platform.bigquery.query(
            "rows_by_model", system_id=self._platform.config.models.system_id, start=self.start, end=self.end
        )

    def warmers(self) -> list[Warmer]:
        return [lambda: self.rows]
