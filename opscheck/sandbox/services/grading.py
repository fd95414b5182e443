"""Grading: yesterday's predictions against the box scores, in one MERGE.

Takes a date range so a backfill (or the sandbox's seeding of a whole season)
is one statement, the way the warehouse should be used.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from opscheck.sandbox import clients, schema
from opscheck.sandbox.services import App, Response, health

GRADE = f"""
MERGE {schema.ACCURACY} T
USING (
  SELECT p.game_date, p.prediction_id, p.system_id, p.model_version, b.points AS actual_points,
    CASE WHEN p.recommendation = 'PASS' OR b.points = p.line_value THEN NULL
         WHEN p.recommendation = 'OVER' THEN b.points > p.line_value
         ELSE b.points < p.line_value END AS is_correct
  FROM {schema.PREDICTIONS} p
  JOIN {schema.BOXSCORES} b
    ON b.game_date = p.game_date AND b.player_lookup = p.player_lookup
  WHERE p.game_date BETWEEN @start AND @end AND b.game_date BETWEEN @start AND @end
    AND p.is_active
) S
ON T.prediction_id = S.prediction_id AND T.game_date BETWEEN @start AND @end
WHEN NOT MATCHED THEN INSERT (game_date, prediction_id, system_id, model_version, actual_points,
  is_correct, graded_at)
  VALUES (S.game_date, S.prediction_id, S.system_id, S.model_version, S.actual_points,
  S.is_correct, @graded_at)
"""


def build() -> App:
    app = App("grading")
    health(app)
    bq = clients.bigquery()

    @app.route("POST", "/grade")
    def grade(body: dict[str, Any], match: re.Match[str]) -> Response:
        from google.cloud import bigquery

        start = dt.date.fromisoformat(body["start_date"])
        end = dt.date.fromisoformat(body.get("end_date", body["start_date"]))
        job = bq.query(GRADE, job_config=bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter("start", "DATE", start),
            bigquery.ScalarQueryParameter("end", "DATE", end),
            bigquery.ScalarQueryParameter("graded_at", "TIMESTAMP", clients.now()),
        ]))
        job.result(timeout=60)
        app.log("INFO", f"graded {job.num_dml_affected_rows} predictions of {start}..{end}")
        return 200, {"graded": job.num_dml_affected_rows, "start_date": str(start), "end_date": str(end)}

    return app
