"""The real path: /start -> Pub/Sub push -> worker -> BigQuery rows -> /status N/N."""

from __future__ import annotations

import datetime as dt

from opscheck.sandbox import faults, schema, season
from opscheck.sandbox.lifecycle import Sandbox

DAY = dt.date(2026, 2, 5)


def _rows(platform: Sandbox, day: dt.date, since: dt.datetime) -> dict[str, int]:
    sql = (f"SELECT COUNTIF(is_active) AS active, COUNTIF(NOT is_active) AS inactive, "
           f"COUNTIF(is_active AND created_at > TIMESTAMP '{since.isoformat()}') AS fresh "
           f"FROM {schema.PREDICTIONS} WHERE game_date = '{day}' AND system_id = 'catboost_v9'")
    return dict(next(iter(platform.bigquery().query(sql).result())))


def test_start_fans_out_through_pubsub_to_worker_and_bigquery(healthy: Sandbox) -> None:
    expected = len(season.player_days(healthy.seed_number, DAY))
    # The rerun supersedes graded rows with ungraded ones: `heal` puts the day back for later tests.
    faults.keep_rows(healthy, schema.PREDICTIONS, f"game_date = '{DAY}'")
    since = healthy.now()  # the platform's clock, which its worker stamps the rows with
    before = _rows(healthy, DAY, since)
    assert before["active"] == expected and before["fresh"] == 0

    batch = healthy.call("prediction-coordinator", "/start", {"game_date": DAY.isoformat()})
    assert batch["expected"] == expected
    done = healthy.wait_for_batch(batch["batch_id"], timeout=120)
    assert done["progress"] == f"{expected}/{expected}"

    after = _rows(healthy, DAY, since)
    # The rerun wrote one fresh active row per player and superseded the old ones.
    assert after["active"] == expected and after["fresh"] == expected
    assert after["inactive"] == before["inactive"] + expected


def test_reset_empties_the_coordinators_tracker(healthy: Sandbox) -> None:
    assert healthy.call("prediction-coordinator", "/status")["batches"]
    cleared = healthy.call("prediction-coordinator", "/reset", {})
    assert cleared["cleared"] >= 1
    assert healthy.call("prediction-coordinator", "/status")["batches"] == []
