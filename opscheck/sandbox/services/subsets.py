"""The subset materializer: the day's named pick lists from active predictions.

Replaces a date range's picks in two statements (delete, insert with QUALIFY),
so materialising a day twice leaves one copy, as a backfill expects.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from opscheck.sandbox import clients, models, schema
from opscheck.sandbox.services import App, Response, health

# Each subset: how its picks are ranked and how many a day.
RANKINGS = {
    "top_confidence": ("confidence DESC", 10),
    "high_edge": ("ABS(predicted_points - line_value) DESC", 10),
    "best_bets": ("confidence * ABS(predicted_points - line_value) DESC", 5),
}

_PICKS = """
SELECT game_date, '{name}' AS subset_name, player_lookup, prediction_id, system_id, model_version,
  @materialized_at AS materialized_at
FROM {predictions}
WHERE game_date BETWEEN @start AND @end AND system_id = '{system}' AND is_active
  AND recommendation != 'PASS'
QUALIFY ROW_NUMBER() OVER (PARTITION BY game_date ORDER BY {order}, player_lookup) <= {limit}
"""


def build() -> App:
    app = App("subset-materializer")
    health(app)
    bq = clients.bigquery()
    union = " UNION ALL ".join(
        _PICKS.format(name=name, predictions=schema.PREDICTIONS, system=models.SYSTEM_ID,
                      order=order, limit=limit)
        for name, (order, limit) in RANKINGS.items()
    )

    @app.route("POST", "/materialize")
    def materialize(body: dict[str, Any], match: re.Match[str]) -> Response:
        from google.cloud import bigquery

        start = dt.date.fromisoformat(body["start_date"])
        end = dt.date.fromisoformat(body.get("end_date", body["start_date"]))
        window = [bigquery.ScalarQueryParameter("start", "DATE", start),
                  bigquery.ScalarQueryParameter("end", "DATE", end)]
        bq.query(f"DELETE FROM {schema.SUBSET_PICKS} WHERE game_date BETWEEN @start AND @end",
                 job_config=bigquery.QueryJobConfig(query_parameters=window)).result(timeout=60)
        stamped = [*window, bigquery.ScalarQueryParameter("materialized_at", "TIMESTAMP", clients.now())]
        job = bq.query(f"INSERT INTO {schema.SUBSET_PICKS} {union}",
                       job_config=bigquery.QueryJobConfig(query_parameters=stamped))
        job.result(timeout=60)
        return 200, {"picks": job.num_dml_affected_rows, "start_date": str(start), "end_date": str(end)}

    return app
