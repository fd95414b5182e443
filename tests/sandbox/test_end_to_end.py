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
    """A rerun of some of the day's players (the morning run at up is the whole day, through the same path)."""
    everyone = len(season.player_days(healthy.seed_number, DAY))
    players = sorted(pd.player.lookup for pd in season.player_days(healthy.seed_number, DAY))[::5]
    # The rerun supersedes graded rows with ungraded ones: `heal` puts the day back for later tests.
    faults.keep_rows(healthy, schema.PREDICTIONS, f"game_date = '{DAY}'")
    since = healthy.now()  # the platform's clock, which its worker stamps the rows with
    before = _rows(healthy, DAY, since)
    assert before["active"] == everyone and before["fresh"] == 0

    batch = healthy.call("prediction-coordinator", "/start", {"game_date": DAY.isoformat(), "players": players})
    assert batch["expected"] == len(players) > 1
    done = healthy.wait_for_batch(batch["batch_id"], timeout=120)
    assert done["progress"] == f"{len(players)}/{len(players)}"
    healthy.call("prediction-coordinator", "/forget", {"batch_id": batch["batch_id"]})  # its rows are put back

    after = _rows(healthy, DAY, since)
    # The rerun wrote one fresh active row per player it asked for and superseded their old ones.
    assert after["active"] == everyone and after["fresh"] == len(players)
    assert after["inactive"] == before["inactive"] + len(players)


def test_reset_empties_the_coordinators_tracker(healthy: Sandbox) -> None:
    """Whatever the tracker held (a fault that restarts the coordinator empties it), it holds one batch more."""
    player = sorted(pd.player.lookup for pd in season.player_days(healthy.seed_number, DAY))[0]
    faults.keep_rows(healthy, schema.PREDICTIONS, f"game_date = '{DAY}' AND player_lookup = '{player}'")
    started = healthy.call("prediction-coordinator", "/start", {"game_date": DAY.isoformat(), "players": [player]})
    healthy.wait_for_batch(started["batch_id"], timeout=60)  # its row lands before the heal puts the day back
    known = healthy.call("prediction-coordinator", "/status")["batches"]
    assert started["batch_id"] in {b["batch_id"] for b in known}
    cleared = healthy.call("prediction-coordinator", "/reset", {})
    assert cleared["cleared"] == len(known)
    assert healthy.call("prediction-coordinator", "/status")["batches"] == []
