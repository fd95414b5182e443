"""Faults of the morning run and what it reads and writes: lines, schedule, predictions, subsets, grading."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opscheck.sandbox import models, schema, season
from opscheck.sandbox.faults import observe
from opscheck.sandbox.faults.catalogue import fault
from opscheck.sandbox.faults.common import CURRENT, TODAY, forget_batches, sql, today_players
from opscheck.sandbox.faults.ledger import drop_table, keep_logs, keep_rows, keep_scheduled_jobs, misbehave
from opscheck.sandbox.infrastructure import MORNING_JOB
from opscheck.sandbox.lifecycle import Sandbox


@fault("morning-run-missing", "today's prediction run never happened: no predictions, no subsets",
       fails={"daily": ("test_predictions_landed", "test_upstream_table_fresh[predictions]")},
       observe=lambda p: observe.scalar(p, f"SELECT COUNT(*) FROM {schema.PREDICTIONS} WHERE {CURRENT}"))
def _morning_run_missing(p: Sandbox) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    keep_rows(p, schema.SUBSET_PICKS, f"game_date = '{TODAY}'")
    deleted = sql(p, f"DELETE FROM {schema.PREDICTIONS} WHERE {CURRENT}").num_dml_affected_rows
    sql(p, f"DELETE FROM {schema.SUBSET_PICKS} WHERE game_date = '{TODAY}'")
    forget_batches(p)
    return {"deleted_predictions": deleted}


@fault("scheduler-paused", "the morning job was paused: it never fired at 07:00, so no run, no predictions, no subsets",
       fails={"daily": ("test_morning_job_fired", "test_predictions_landed", "test_upstream_table_fresh[predictions]")},
       observe=lambda p: tuple(p.scheduled_jobs()[MORNING_JOB][k] for k in ("state", "last_attempt_time")))
def _scheduler_paused(p: Sandbox) -> dict[str, Any]:
    keep_scheduled_jobs(p)
    jobs = p.scheduled_jobs()
    last = jobs[MORNING_JOB]["last_attempt_time"]
    yesterday = (dt.datetime.fromisoformat(last) - dt.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    jobs[MORNING_JOB].update(state="PAUSED", last_attempt_time=yesterday)  # its last run was yesterday's
    p.set_scheduled_jobs(jobs)
    return {**_morning_run_missing(p), "state": "PAUSED", "last_attempt_time": yesterday}


@fault("start-500", "the morning job fired; the coordinator answered /start with 500 (logged): no run, no predictions",
       # The probe batch starts through /start too: it fails the same way, and says so.
       fails={"daily": ("test_morning_job_fired", "test_predictions_landed", "test_upstream_table_fresh[predictions]"),
              "probe": ("test_probe_batch",)},
       observe=lambda p: p.scheduled_jobs()[MORNING_JOB]["status"].get("code", 0))
def _start_500(p: Sandbox) -> dict[str, Any]:
    keep_logs(p)
    keep_scheduled_jobs(p)
    detail = _morning_run_missing(p)
    misbehave(p, "prediction-coordinator", SANDBOX_START_500="1")
    answer = p.fire_morning_job(season.TODAY)  # Cloud Scheduler fires; the target's 500 is its last attempt
    return {**detail, "start": answer.status_code}


@fault("partial-run", "today's run stopped halfway: half the players have no prediction",
       fails={"daily": ("test_predictions_landed",)},
       observe=lambda p: observe.scalar(p, f"SELECT COUNTIF(is_active) FROM {schema.PREDICTIONS} WHERE {CURRENT}"))
def _partial_run(p: Sandbox) -> dict[str, Any]:
    players = today_players(p)[::2]
    listed = ", ".join(repr(x) for x in players)
    where = f"{CURRENT} AND player_lookup IN ({listed})"
    picked = f"game_date = '{TODAY}' AND player_lookup IN ({listed})"
    keep_rows(p, schema.PREDICTIONS, where)
    keep_rows(p, schema.SUBSET_PICKS, picked)
    sql(p, f"DELETE FROM {schema.PREDICTIONS} WHERE {where}")
    sql(p, f"DELETE FROM {schema.SUBSET_PICKS} WHERE {picked}")  # the materializer picked from what the run made
    forget_batches(p)  # the coordinator lost the batch that stopped halfway
    return {"players_missing": len(players)}


@fault("stale-model-version", "today's predictions carry v9_current_season: the deploy never served",
       fails={"daily": ("test_model_version_matches_manifest",), "training": ("test_no_leakage",)},
       observe=lambda p: observe.scalar(
               p, f"SELECT STRING_AGG(DISTINCT model_version) FROM {schema.PREDICTIONS} WHERE {CURRENT}"))
def _stale_model_version(p: Sandbox) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    keep_rows(p, schema.SUBSET_PICKS, f"game_date = '{TODAY}'")
    sql(p, f"UPDATE {schema.PREDICTIONS} SET model_version = 'v9_current_season' WHERE {CURRENT}")
    sql(p, f"UPDATE {schema.SUBSET_PICKS} SET model_version = 'v9_current_season' "
            f"WHERE game_date = '{TODAY}'")
    return {"model_version": "v9_current_season"}


@fault("subsets-missing", "subset picks missing for Feb 1-8 although predictions exist",
       fails={"daily": ("test_subsets_materialized",)},
       observe=lambda p: observe.scalar(
               p, f"SELECT COUNT(*) FROM {schema.SUBSET_PICKS} WHERE game_date BETWEEN '2026-02-01' AND '2026-02-08'"))
def _subsets_missing(p: Sandbox) -> dict[str, Any]:
    where = "game_date BETWEEN '2026-02-01' AND '2026-02-08'"
    keep_rows(p, schema.SUBSET_PICKS, where)
    sql(p, f"DELETE FROM {schema.SUBSET_PICKS} WHERE {where}")
    return {"dates": "2026-02-01..2026-02-08"}


@fault("lines-wrong-unit", "the scrapers re-ran after the morning run and wrote today's lines in another unit (x2.5)",
       fails={"daily": ("test_prop_lines_consistent",)},
       observe=lambda p: observe.scalar(
               p, f"SELECT ROUND(AVG(line_value), 1) FROM {schema.PROP_LINES} WHERE game_date = '{TODAY}'"))
def _lines_wrong_unit(p: Sandbox) -> dict[str, Any]:
    where = f"game_date = '{TODAY}'"
    keep_rows(p, schema.PROP_LINES, where)
    changed = sql(p, f"UPDATE {schema.PROP_LINES} SET line_value = FLOOR(line_value * 2.5) + 0.5 "
                     f"WHERE {where}").num_dml_affected_rows
    return {"lines": changed}


@fault("hit-rate-crash", "the production model's last 7 days graded near a coin flip",
       fails={"daily": ("test_hit_rate_within_bounds",)},
       observe=lambda p: observe.scalar(
               p, f"SELECT COUNTIF(is_correct) FROM {schema.ACCURACY} WHERE game_date >= '2026-02-02' "
                  "AND system_id = 'catboost_v9'"))
def _hit_rate_crash(p: Sandbox) -> dict[str, Any]:
    start = season.TODAY - dt.timedelta(days=7)
    where = (f"game_date BETWEEN '{start}' AND '{season.TODAY}' AND system_id = '{models.SYSTEM_ID}'")
    keep_rows(p, schema.ACCURACY, where)
    flipped = sql(p, f"UPDATE {schema.ACCURACY} SET is_correct = NOT is_correct WHERE {where} "
                      "AND is_correct IS NOT NULL AND SUBSTR(prediction_id, 1, 1) IN "
                      "('0', '1', '2', '3', '4', '5', '6')").num_dml_affected_rows
    return {"flipped": flipped}


@fault("lines-stale", "the scrapers stopped three days ago: the newest prop lines are three days old",
       fails={"daily": ("test_upstream_table_fresh[prop_lines]",)},
       observe=lambda p: str(observe.scalar(p, f"SELECT MAX(scraped_at) FROM {schema.PROP_LINES} "
                                                   f"WHERE game_date = '{TODAY}'")))
def _lines_stale(p: Sandbox) -> dict[str, Any]:
    where = f"game_date BETWEEN '{season.TODAY - dt.timedelta(days=7)}' AND '{TODAY}'"
    keep_rows(p, schema.PROP_LINES, where)
    sql(p, f"UPDATE {schema.PROP_LINES} SET scraped_at = TIMESTAMP_SUB(scraped_at, INTERVAL 72 HOUR) "
            f"WHERE {where} AND scraped_at > TIMESTAMP_SUB(TIMESTAMP '{p.now().isoformat()}', INTERVAL 72 HOUR)")
    return {"scraped_at": "72 hours earlier"}


@fault("duplicate-predictions", "the morning run ran twice and both runs stayed active: every player twice",
       fails={"daily": ("test_no_duplicate_active_predictions",)},
       observe=lambda p: observe.scalar(
               p, f"SELECT COUNT(*) - COUNT(DISTINCT player_lookup) FROM {schema.PREDICTIONS} "
                  f"WHERE {CURRENT} AND is_active"))
def _duplicate_predictions(p: Sandbox) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    _rerun(p)
    return {"duplicated": "every active prediction of today"}


def _rerun(p: Sandbox) -> None:
    """A second morning run: a copy of each of today's active predictions, a second later, id `...-rerun`."""
    columns = [c.split()[0] for c in schema.TABLES[schema.PREDICTIONS].split(",")]
    copied = ", ".join({"prediction_id": "CONCAT(prediction_id, '-rerun') AS prediction_id",
                        "created_at": "TIMESTAMP_ADD(created_at, INTERVAL 1 SECOND) AS created_at"}.get(c.strip(), c)
                       for c in columns)
    sql(p, f"INSERT INTO {schema.PREDICTIONS} SELECT {copied} FROM {schema.PREDICTIONS} "
            f"WHERE {CURRENT} AND is_active")


@fault("subsets-stale", "the morning run was rerun after the picks were made: today's picks name replaced predictions",
       fails={"daily": ("test_subsets_pick_active_predictions",)},
       observe=lambda p: observe.scalar(
               p, f"SELECT COUNT(*) FROM {schema.SUBSET_PICKS} WHERE game_date = '{TODAY}' AND prediction_id NOT IN "
                  f"(SELECT prediction_id FROM {schema.PREDICTIONS} WHERE {CURRENT} AND is_active)"))
def _subsets_stale(p: Sandbox) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    _rerun(p)  # the rerun's predictions stand, the first run's are deactivated; the picks still name those
    replaced = sql(p, f"UPDATE {schema.PREDICTIONS} SET is_active = FALSE WHERE {CURRENT} AND is_active "
                      "AND NOT ENDS_WITH(prediction_id, '-rerun')").num_dml_affected_rows
    return {"replaced_predictions": replaced}


@fault("implausible-predictions", "a broken feature: NaN, negative and absurd predicted points, confidence 1.7",
       fails={"daily": ("test_prediction_values_plausible",)},
       observe=lambda p: observe.scalar(
               p, f"SELECT COUNTIF(IS_NAN(predicted_points) OR predicted_points < 0 OR confidence > 1 "
                  f"OR ABS(predicted_points - line_value) > 25) FROM {schema.PREDICTIONS} WHERE {CURRENT}"))
def _implausible_predictions(p: Sandbox) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    players = today_players(p)
    for player, change in zip(players, ("predicted_points = CAST('NaN' AS FLOAT64)", "predicted_points = -4.5",
                                        "predicted_points = line_value + 60", "confidence = 1.7"), strict=False):
        sql(p, f"UPDATE {schema.PREDICTIONS} SET {change} WHERE {CURRENT} AND player_lookup = '{player}'")
    return {"changed": players[:4]}


@fault("predictions-without-games", "today's games were taken off the schedule (postponed); the run predicted them",
       fails={"daily": ("test_predictions_only_for_scheduled_games",)},
       observe=lambda p: observe.scalar(
               p, f"SELECT COUNT(*) FROM {schema.SCHEDULE} WHERE game_date = '{TODAY}'"))
def _predictions_without_games(p: Sandbox) -> dict[str, Any]:
    keep_rows(p, schema.SCHEDULE, f"game_date = '{TODAY}'")
    sql(p, f"DELETE FROM {schema.SCHEDULE} WHERE game_date = '{TODAY}'")
    return {"schedule": f"no games on {TODAY}"}


@fault("table-missing", "the subset picks table was dropped (a migration gone wrong)",
       fails={"daily": ("test_subsets_materialized", "test_subsets_pick_active_predictions"),
              "training": ("test_no_leakage",)},
       observe=lambda p: sorted(t.table_id for t in p.bigquery().list_tables("nba_predictions", timeout=10)))
def _table_missing(p: Sandbox) -> dict[str, Any]:
    drop_table(p, schema.SUBSET_PICKS)
    return {"dropped": schema.SUBSET_PICKS}


@fault("off-day", "no games today: nothing scheduled, no lines, no predictions (nothing may fail)",
       fails={},
       observe=lambda p: [observe.scalar(p, f"SELECT COUNT(*) FROM {table} WHERE game_date = '{TODAY}'")
                                 for table in (schema.SCHEDULE, schema.PROP_LINES, schema.PREDICTIONS)])
def _off_day(p: Sandbox) -> dict[str, Any]:
    emptied = [t for t in schema.TABLES if t not in schema.UNPARTITIONED]
    for table in emptied:
        keep_rows(p, table, f"game_date = '{TODAY}'")
        sql(p, f"DELETE FROM {table} WHERE game_date = '{TODAY}'")
    forget_batches(p)
    return {"emptied": emptied}


@fault("partial-rollout", "a third of today's predictions came from the retired model: half the instances lagged",
       fails={"daily": ("test_model_version_matches_manifest",)},
       observe=lambda p: observe.scalar(
               p, f"SELECT COUNT(DISTINCT model_version) FROM {schema.PREDICTIONS} WHERE {CURRENT} AND is_active"))
def _partial_rollout(p: Sandbox) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    lagging = ", ".join(f"'{player}'" for player in today_players(p)[::3])  # one player in three
    sql(p, f"UPDATE {schema.PREDICTIONS} SET model_version = '{models.RETIRED.version}' "
            f"WHERE {CURRENT} AND player_lookup IN ({lagging})")
    return {"model_version": models.RETIRED.version, "share": "one player in three"}


@fault("lines-missing", "today's prop lines never arrived, so the run had no one to predict: no lines, no predictions",
       fails={"daily": ("test_predictions_landed", "test_upstream_table_fresh[prop_lines]",
                        "test_upstream_table_fresh[predictions]")},
       observe=lambda p: [observe.scalar(p, f"SELECT COUNT(*) FROM {table} WHERE game_date = '{TODAY}'")
                                       for table in (schema.SCHEDULE, schema.PROP_LINES, schema.PREDICTIONS)])
def _lines_missing(p: Sandbox) -> dict[str, Any]:
    tables = (schema.PROP_LINES, schema.PREDICTIONS, schema.SUBSET_PICKS)
    for table in tables:
        keep_rows(p, table, f"game_date = '{TODAY}'")
        sql(p, f"DELETE FROM {table} WHERE game_date = '{TODAY}'")
    forget_batches(p)
    return {"emptied": [f"{table} for {TODAY}" for table in tables], "games": "still scheduled"}


@fault("grading-nulls", "grading wrote every row of the last week with is_correct NULL: graded, yet never judged",
       fails={"daily": ("test_yesterday_graded", "test_hit_rate_within_bounds")},
       observe=lambda p: observe.scalar(
               p, f"SELECT COUNTIF(is_correct IS NULL) FROM {schema.ACCURACY} WHERE game_date >= '2026-02-02' "
                  "AND system_id = 'catboost_v9'"))
def _grading_nulls(p: Sandbox) -> dict[str, Any]:
    where = (f"game_date BETWEEN '{season.TODAY - dt.timedelta(days=7)}' AND '{season.TODAY - dt.timedelta(days=1)}'"
             f" AND system_id = '{models.SYSTEM_ID}'")
    keep_rows(p, schema.ACCURACY, where)
    nulled = sql(p, f"UPDATE {schema.ACCURACY} SET is_correct = NULL WHERE {where}").num_dml_affected_rows
    return {"is_correct NULL": nulled}
