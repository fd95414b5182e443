"""The catalogued incidents, injectable into the local platform, and `heal`.

Every fault changes the platform the way the incident did: rows in BigQuery,
objects in the model store, the push subscription, a redeployed service, the
team doc. Before it changes anything it writes down how to undo it (a ledger
in the state file: row backups, object bytes, the previous deployment), so
`heal` puts back exactly what was there, faults stacked or not.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from google.api_core import exceptions as gexc

from opscheck import governance
from opscheck.sandbox import models, processes, schema, season, seed
from opscheck.sandbox.local import PROJECT, LocalPlatform
from opscheck.sandbox.processes import SandboxError

BACKUP_DATASET = "sandbox_backup"
TODAY = season.TODAY.isoformat()
CURRENT = f"game_date = '{TODAY}' AND system_id = '{models.SYSTEM_ID}'"


@dataclasses.dataclass(frozen=True)
class Fault:
    name: str
    summary: str
    inject: Callable[[LocalPlatform], dict[str, Any]]


FAULTS: dict[str, Fault] = {}


def fault(name: str, summary: str) -> Callable[[Callable[[LocalPlatform], dict[str, Any]]], Any]:
    def register(fn: Callable[[LocalPlatform], dict[str, Any]]) -> Callable[[LocalPlatform], dict[str, Any]]:
        FAULTS[name] = Fault(name, summary, fn)
        return fn

    return register


# ---- the ledger: how to undo -------------------------------------------------
def _sql(p: LocalPlatform, sql: str) -> Any:
    job = p.bigquery().query(sql)
    job.result(timeout=60)
    return job


def keep_rows(p: LocalPlatform, table: str, where: str) -> None:
    """Back up the rows a fault is about to change."""
    backup = f"{BACKUP_DATASET}.b{len(p.ledger)}_{table.replace('.', '_')}"
    p.bigquery().create_dataset(BACKUP_DATASET, exists_ok=True, timeout=30)
    _sql(p, f"CREATE TABLE {backup} AS SELECT * FROM {table} WHERE {where}")
    p.ledger.append({"kind": "rows", "table": table, "where": where, "backup": backup})


def drop_table(p: LocalPlatform, table: str) -> None:
    """Back up every row of `table`, then drop it (undo creates it again, then puts the rows back)."""
    keep_rows(p, table, "TRUE")
    p.ledger[-1]["dropped"] = True
    p.bigquery().delete_table(table, timeout=30)


def keep_object(p: LocalPlatform, name: str) -> None:
    p.ledger.append({"kind": "object", "name": name,
                     "data": base64.b64encode(p.read_object(name)).decode()})


def misbehave(p: LocalPlatform, service: str, **env: str) -> None:
    """Restart `service` with fault switches in its environment (undo: restart it without them)."""
    p.ledger.append({"kind": "restart", "service": service})
    p.restart_service(service, env)


def keep_deployment(p: LocalPlatform, *restart: str) -> None:
    p.ledger.append({"kind": "deployment", "spec": p.deployed(), "restart": list(restart)})


def _undo(p: LocalPlatform, entry: dict[str, Any]) -> None:
    kind = entry["kind"]
    if kind == "rows":
        if entry.get("dropped"):
            _sql(p, schema.ddl(entry["table"]))
        _sql(p, f"DELETE FROM {entry['table']} WHERE {entry['where']}")
        _sql(p, f"INSERT INTO {entry['table']} SELECT * FROM {entry['backup']}")
        p.bigquery().delete_table(entry["backup"], not_found_ok=True, timeout=30)
    elif kind == "object":
        p.write_object(entry["name"], base64.b64decode(entry["data"]))
    elif kind == "new_object":
        p.storage().bucket(schema.BUCKET).blob(entry["name"]).delete(timeout=30)
    elif kind == "restart":
        p.restart_service(entry["service"])
    elif kind == "deployment":
        p.set_deployed(entry["spec"])
        for service in entry["restart"]:
            p.restart_service(service)
    elif kind == "subscription":
        p.subscriber().update_subscription(request={
            "subscription": p.push_subscription_spec(entry["endpoint"]),
            "update_mask": {"paths": ["push_config"]}}, timeout=30)
    elif kind == "dead_letter_policy":
        spec = p.push_subscription_spec(entry["endpoint"])
        p.subscriber().delete_subscription(subscription=spec["name"], timeout=30)
        p.subscriber().create_subscription(request=spec, timeout=30)
    elif kind == "push_subscription":
        with contextlib.suppress(gexc.AlreadyExists):
            p.subscriber().create_subscription(request=p.push_subscription_spec(entry["endpoint"]), timeout=30)
    elif kind == "drain":
        drain(p, entry["subscription"])
    elif kind == "dead_letter_subscription":
        path = p.dead_letter_subscription_spec()["name"]
        with contextlib.suppress(gexc.NotFound):
            p.subscriber().delete_subscription(subscription=path, timeout=30)
        p.subscriber().create_subscription(request=p.dead_letter_subscription_spec(), timeout=30)
    elif kind == "doc":
        p.doc_file.write_text(entry["text"])
    else:  # pragma: no cover - a ledger written by another version
        raise SandboxError(f"cannot undo ledger entry of kind {kind!r}")


def inject(p: LocalPlatform, name: str) -> dict[str, Any]:
    """Break the platform the way incident `name` did; returns what changed."""
    if name not in FAULTS:
        raise SandboxError(f"unknown fault {name!r}: `opscheck sandbox break --list` names them")
    if not p.emulators_up():
        raise SandboxError("the local platform is not up: run `opscheck sandbox up`")
    if name in p.faults:
        return {"fault": name, "already": True}
    try:
        detail = FAULTS[name].inject(p)
    finally:
        p.save_state()  # whatever it changed is in the ledger, even if it failed halfway
    p.set_faults([*p.faults, name])
    return {"fault": name, **detail}


def heal(p: LocalPlatform) -> list[str]:
    """Undo every injected fault, newest first; returns the faults healed."""
    healed = p.faults
    ledger = p.ledger
    while ledger:
        _undo(p, ledger[-1])
        ledger.pop()
        p.save_state()
    p.set_faults([])
    return healed


# ---- helpers -----------------------------------------------------------------
def drain(p: LocalPlatform, subscription: str) -> int:
    """Acknowledge everything waiting on a pull subscription; returns how many."""
    sub = p.subscriber()
    path = f"projects/{PROJECT}/subscriptions/{subscription}"
    drained = 0
    while True:
        response = sub.pull(request={"subscription": path, "max_messages": 100,
                                     "return_immediately": True}, timeout=10)
        ids = [m.ack_id for m in response.received_messages]
        if not ids:
            return drained
        sub.acknowledge(request={"subscription": path, "ack_ids": ids}, timeout=10)
        drained += len(ids)


def _manifest(p: LocalPlatform) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(p.read_object(schema.MANIFEST))
    return data


def _write_manifest(p: LocalPlatform, data: dict[str, Any]) -> None:
    p.write_object(schema.MANIFEST, json.dumps(data, indent=2).encode())


def forget_batches(p: LocalPlatform, day: str = TODAY) -> None:
    """Drop `day`'s batches from the coordinator's tracker: a run that never happened (or stopped) has no
    finished batch, and the tracker must not claim rows the warehouse does not have."""
    for batch in p.call("prediction-coordinator", "/status")["batches"]:
        if batch["game_date"] == day and not batch["batch_id"].startswith("probe-"):
            p.call("prediction-coordinator", "/forget", {"batch_id": batch["batch_id"]})


def _today_players(p: LocalPlatform) -> list[str]:
    return sorted(pd.player.lookup for pd in season.player_days(p.seed_number, season.TODAY))


# ---- the incidents -----------------------------------------------------------
@fault("morning-run-missing", "today's prediction run never happened: no predictions, no subsets")
def _morning_run_missing(p: LocalPlatform) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    keep_rows(p, schema.SUBSET_PICKS, f"game_date = '{TODAY}'")
    deleted = _sql(p, f"DELETE FROM {schema.PREDICTIONS} WHERE {CURRENT}").num_dml_affected_rows
    _sql(p, f"DELETE FROM {schema.SUBSET_PICKS} WHERE game_date = '{TODAY}'")
    forget_batches(p)
    return {"deleted_predictions": deleted}


@fault("partial-run", "today's run stopped halfway: half the players have no prediction")
def _partial_run(p: LocalPlatform) -> dict[str, Any]:
    players = _today_players(p)[::2]
    where = f"{CURRENT} AND player_lookup IN ({', '.join(repr(x) for x in players)})"
    keep_rows(p, schema.PREDICTIONS, where)
    _sql(p, f"DELETE FROM {schema.PREDICTIONS} WHERE {where}")
    forget_batches(p)  # the coordinator lost the batch that stopped halfway
    return {"players_missing": len(players)}


@fault("stale-model-version", "today's predictions carry v9_current_season: the deploy never served")
def _stale_model_version(p: LocalPlatform) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    keep_rows(p, schema.SUBSET_PICKS, f"game_date = '{TODAY}'")
    _sql(p, f"UPDATE {schema.PREDICTIONS} SET model_version = 'v9_current_season' WHERE {CURRENT}")
    _sql(p, f"UPDATE {schema.SUBSET_PICKS} SET model_version = 'v9_current_season' "
            f"WHERE game_date = '{TODAY}'")
    return {"model_version": "v9_current_season"}


@fault("subsets-missing", "subset picks missing for Feb 1-8 although predictions exist")
def _subsets_missing(p: LocalPlatform) -> dict[str, Any]:
    where = "game_date BETWEEN '2026-02-01' AND '2026-02-08'"
    keep_rows(p, schema.SUBSET_PICKS, where)
    _sql(p, f"DELETE FROM {schema.SUBSET_PICKS} WHERE {where}")
    return {"dates": "2026-02-01..2026-02-08"}


@fault("registry-drift", "registry says training ended Jan 31; the manifest says Jan 8")
def _registry_drift(p: LocalPlatform) -> dict[str, Any]:
    keep_rows(p, schema.REGISTRY, "TRUE")
    _sql(p, f"UPDATE {schema.REGISTRY} SET training_end_date = DATE '2026-01-31' "
            "WHERE status = 'production'")
    return {"training_end_date": "2026-01-31"}


@fault("hit-rate-crash", "the production model's last 7 days graded near a coin flip")
def _hit_rate_crash(p: LocalPlatform) -> dict[str, Any]:
    start = season.TODAY - dt.timedelta(days=7)
    where = (f"game_date BETWEEN '{start}' AND '{season.TODAY}' AND system_id = '{models.SYSTEM_ID}'")
    keep_rows(p, schema.ACCURACY, where)
    flipped = _sql(p, f"UPDATE {schema.ACCURACY} SET is_correct = NOT is_correct WHERE {where} "
                      "AND is_correct IS NOT NULL AND SUBSTR(prediction_id, 1, 1) IN "
                      "('0', '1', '2', '3', '4', '5', '6')").num_dml_affected_rows
    return {"flipped": flipped}


@fault("duplicate-training-window", "a second model trained on the production model's exact window")
def _duplicate_training_window(p: LocalPlatform) -> dict[str, Any]:
    keep_object(p, schema.MANIFEST)
    keep_rows(p, schema.REGISTRY, "TRUE")
    manifest = _manifest(p)
    production = governance.production_entry(manifest)
    created = dt.datetime(2026, 2, 8, 3, 0, 0, tzinfo=dt.UTC)
    twin = models.ModelSpec(models.PRODUCTION.training_start, models.PRODUCTION.training_end,
                            created, "shadow", None)
    blob = p.read_object(schema.MODEL_PREFIX + production["file"])
    p.write_object(schema.MODEL_PREFIX + twin.file, blob)
    p.ledger.append({"kind": "new_object", "name": schema.MODEL_PREFIX + twin.file})
    entry = {**production, "file": twin.file, "model_version": twin.version, "status": "shadow",
             "created_at": created.isoformat().replace("+00:00", "Z")}
    manifest["models"].append(entry)
    _write_manifest(p, manifest)
    p.load_rows(schema.REGISTRY, seed.registry_rows({**manifest, "models": [entry]}))
    return {"twin": twin.file}


@fault("model-path-drift", "the worker's CATBOOST_V9_MODEL_PATH names the retired model")
def _model_path_drift(p: LocalPlatform) -> dict[str, Any]:
    keep_deployment(p, "prediction-worker")
    spec = p.deployed()
    path = p.model_path(models.RETIRED.file)
    spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV] = path
    p.set_deployed(spec)
    p.restart_service("prediction-worker")
    return {schema.MODEL_PATH_ENV: path}


@fault("worker-not-restarted", "the worker revision names the production model; its instances serve the retired one")
def _worker_not_restarted(p: LocalPlatform) -> dict[str, Any]:
    keep_deployment(p, "prediction-worker")
    spec = p.deployed()
    production = spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV]
    spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV] = p.model_path(models.RETIRED.file)
    p.set_deployed(spec)
    p.restart_service("prediction-worker")  # the instances load the retired model ...
    spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV] = production
    p.set_deployed(spec)  # ... and the revision is fixed, but nothing restarts them
    return {"configured": production, "serving": p.model_path(models.RETIRED.file)}


@fault("rollout-failed", "the worker's newest revision never became ready; the previous one still serves")
def _rollout_failed(p: LocalPlatform) -> dict[str, Any]:
    keep_deployment(p)
    spec = p.deployed()
    commit = hashlib.sha1(b"platform next").hexdigest()
    failed = {"revision": f"prediction-worker-00046-{commit[:3]}", "commit_sha": commit,
              "revision_created": "2026-02-09T06:40:00Z",
              "env": {**spec["prediction-worker"]["env"], schema.MODEL_PATH_ENV: p.model_path(models.SHADOW.file)},
              "message": "The user-provided container failed to start and listen on the port defined by PORT=8080"}
    spec["prediction-worker"]["failed_revision"] = failed
    p.set_deployed(spec)
    return {"failed_revision": failed["revision"]}


@fault("stale-services", "grading and scrapers run revisions built from an older commit")
def _stale_services(p: LocalPlatform) -> dict[str, Any]:
    keep_deployment(p)
    spec = p.deployed()
    for name in ("grading", "scrapers"):
        spec[name].update(commit_sha=p.commits["stale"], revision_created="2026-01-20T18:00:00Z",
                          revision=f"{name}-00031-{p.commits['stale'][:3]}")
    p.set_deployed(spec)
    return {"stale": ["grading", "scrapers"], "commit_sha": p.commits["stale"]}


@fault("push-endpoint-stale", "the push subscription still targets the old worker URL")
def _push_endpoint_stale(p: LocalPlatform) -> dict[str, Any]:
    p.ledger.append({"kind": "subscription", "endpoint": p.worker_push_endpoint()})
    stale = f"http://127.0.0.1:{processes.free_port()}/predict"
    p.subscriber().update_subscription(request={
        "subscription": p.push_subscription_spec(stale),
        "update_mask": {"paths": ["push_config"]}}, timeout=30)
    return {"push_endpoint": stale}


@fault("cold-start-503", "worker scaled to min-instances 0 answers 503 to pushes; /health stays green")
def _cold_start_503(p: LocalPlatform) -> dict[str, Any]:
    keep_deployment(p, "prediction-worker")
    spec = p.deployed()
    spec["prediction-worker"]["min_instances"] = 0
    p.set_deployed(spec)
    p.restart_service("prediction-worker", {"SANDBOX_COLD_START_503": "1"})
    return {"min_instances": 0}


@fault("dead-letters", "requests dead-lettered: the dead-letter subscription has a backlog")
def _dead_letters(p: LocalPlatform) -> dict[str, Any]:
    p.ledger.append({"kind": "drain", "subscription": schema.DEAD_LETTER_SUBSCRIPTION})
    publisher = p.publisher()
    topic = f"projects/{PROJECT}/topics/{schema.DEAD_LETTER_TOPIC}"
    players = _today_players(p)[:3]
    for player in players:
        body = {"batch_id": "batch-dead", "game_date": TODAY, "player_lookup": player}
        publisher.publish(topic, json.dumps(body).encode(), batch_id="batch-dead",
                          game_date=TODAY, player_lookup=player).result(timeout=30)
    return {"dead_lettered": len(players)}


@fault("training-overlap", "the production model is re-dated everywhere: its training now runs through today")
def _training_overlap(p: LocalPlatform) -> dict[str, Any]:
    """Incident 10 as the morning run meets it: today's model claims training through today.

    Everything that describes the model says so consistently (manifest, file
    name, registry, the worker's path, the team doc), so the one thing wrong
    is the leakage itself: the model is used on dates inside its window.
    """
    keep_object(p, schema.MANIFEST)
    keep_rows(p, schema.REGISTRY, "TRUE")
    manifest = _manifest(p)
    production = governance.production_entry(manifest)
    name = governance.parse_model_file(production["file"])
    redated = dataclasses.replace(name, training_end=season.TODAY).file
    p.write_object(schema.MODEL_PREFIX + redated, p.read_object(schema.MODEL_PREFIX + production["file"]))
    p.ledger.append({"kind": "new_object", "name": schema.MODEL_PREFIX + redated})
    for entry in manifest["models"]:
        if entry["file"] == production["file"]:
            entry.update(file=redated, training_end_date=TODAY)
    manifest["production_model"] = redated
    _write_manifest(p, manifest)
    _sql(p, f"UPDATE {schema.REGISTRY} SET training_end_date = DATE '{TODAY}', model_file = '{redated}', "
            f"gcs_path = '{p.model_path(redated)}' WHERE status = 'production'")
    keep_deployment(p, "prediction-worker")
    spec = p.deployed()
    spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV] = p.model_path(redated)
    p.set_deployed(spec)
    p.restart_service("prediction-worker")
    text = p.doc_file.read_text()
    p.ledger.append({"kind": "doc", "text": text})
    p.doc_file.write_text(governance.with_model_section(
        text, governance.model_section(governance.production_entry(manifest))))
    return {"production_model": redated, "training_end_date": TODAY}


@fault("doc-model-section-stale", "the team doc's MODEL section still describes the retired model")
def _doc_model_section_stale(p: LocalPlatform) -> dict[str, Any]:
    text = p.doc_file.read_text()
    p.ledger.append({"kind": "doc", "text": text})
    manifest = _manifest(p)
    retired = next(m for m in manifest["models"] if m["status"] == "retired")
    current = governance.extract_model_section(text) or ""
    p.doc_file.write_text(text.replace(current, governance.model_section(retired)))
    return {"doc": str(p.doc_file), "describes": retired["file"]}


@fault("invoker-denied", "grading's IAM no longer lets opscheck call it: every request answers 403")
def _invoker_denied(p: LocalPlatform) -> dict[str, Any]:
    misbehave(p, "grading", SANDBOX_DENY="1")
    return {"grading": "403 to every request"}


@fault("lines-stale", "the scrapers stopped three days ago: the newest prop lines are three days old")
def _lines_stale(p: LocalPlatform) -> dict[str, Any]:
    where = f"game_date BETWEEN '{season.TODAY - dt.timedelta(days=7)}' AND '{TODAY}'"
    keep_rows(p, schema.PROP_LINES, where)
    _sql(p, f"UPDATE {schema.PROP_LINES} SET scraped_at = TIMESTAMP_SUB(scraped_at, INTERVAL 72 HOUR) "
            f"WHERE {where} AND scraped_at > TIMESTAMP_SUB(TIMESTAMP '{p.now().isoformat()}', INTERVAL 72 HOUR)")
    return {"scraped_at": "72 hours earlier"}


@fault("service-down", "the scrapers service's process is gone: its URL refuses connections")
def _service_down(p: LocalPlatform) -> dict[str, Any]:
    p.ledger.append({"kind": "restart", "service": "scrapers"})
    p.stop("scrapers")
    return {"stopped": "scrapers"}


@fault("model-object-corrupt", "the production .cbm object was overwritten with truncated bytes")
def _model_object_corrupt(p: LocalPlatform) -> dict[str, Any]:
    name = schema.MODEL_PREFIX + models.PRODUCTION.file
    keep_object(p, name)
    blob = p.read_object(name)
    p.write_object(name, blob[: len(blob) // 3])
    return {"object": f"gs://{schema.BUCKET}/{name}", "bytes": len(blob) // 3}


@fault("dlq-unsubscribed", "the dead-letter topic's subscription was deleted: dead letters are silently dropped")
def _dlq_unsubscribed(p: LocalPlatform) -> dict[str, Any]:
    p.ledger.append({"kind": "dead_letter_subscription"})
    p.subscriber().delete_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.DEAD_LETTER_SUBSCRIPTION}", timeout=30)
    return {"deleted": schema.DEAD_LETTER_SUBSCRIPTION}


@fault("dlq-expiring", "the dead-letter subscription was created with Pub/Sub's default: it expires after 31 days idle")
def _dlq_expiring(p: LocalPlatform) -> dict[str, Any]:
    subscriber = p.subscriber()
    p.ledger.append({"kind": "dead_letter_subscription"})
    subscriber.delete_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.DEAD_LETTER_SUBSCRIPTION}", timeout=30)
    subscriber.create_subscription(request=p.dead_letter_subscription_spec(DEFAULT_EXPIRY), timeout=30)
    return {"expiration_ttl_seconds": DEFAULT_EXPIRY}


DEFAULT_EXPIRY = 31 * 24 * 3600  # Pub/Sub's default expiration policy: 31 days without activity
TRACKER_SETTLE = 4.0  # seconds after the batch's last row: longer than the tracker lag tolerated (3 s, its overlay)


@fault("tracker-stuck", "the coordinator never marks progress: a backfill sits at 0/N while its rows land")
def _tracker_stuck(p: LocalPlatform) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    misbehave(p, "prediction-coordinator", SANDBOX_TRACKER_STUCK="1")
    batch = p.call("prediction-coordinator", "/start", {"game_date": TODAY})
    started = next(b for b in p.call("prediction-coordinator", "/status")["batches"]
                   if b["batch_id"] == batch["batch_id"])["started_at"]
    count = (f"SELECT COUNT(*) FROM {schema.PREDICTIONS} WHERE {CURRENT} "
             f"AND created_at >= TIMESTAMP '{started}'")
    deadline = time.monotonic() + 120
    while next(iter(_sql(p, count).result()))[0] < batch["expected"]:
        if time.monotonic() > deadline:
            raise SandboxError(f"tracker-stuck: batch {batch['batch_id']} never landed its rows")
        time.sleep(0.3)
    time.sleep(TRACKER_SETTLE)
    return {"batch_id": batch["batch_id"], "expected": batch["expected"]}


# ---- the incidents nobody has had yet (issue 13) --------------------------------
@fault("duplicate-predictions", "the morning run ran twice and both runs stayed active: every player twice")
def _duplicate_predictions(p: LocalPlatform) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    columns = [c.split()[0] for c in schema.TABLES[schema.PREDICTIONS].split(",")]
    copied = ", ".join({"prediction_id": "CONCAT(prediction_id, '-rerun') AS prediction_id",
                        "created_at": "TIMESTAMP_ADD(created_at, INTERVAL 1 SECOND) AS created_at"}.get(c.strip(), c)
                       for c in columns)
    _sql(p, f"INSERT INTO {schema.PREDICTIONS} SELECT {copied} FROM {schema.PREDICTIONS} "
            f"WHERE {CURRENT} AND is_active")
    return {"duplicated": "every active prediction of today"}


@fault("implausible-predictions", "a broken feature: NaN, negative and absurd predicted points, confidence 1.7")
def _implausible_predictions(p: LocalPlatform) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    players = _today_players(p)
    for player, change in zip(players, ("predicted_points = CAST('NaN' AS FLOAT64)", "predicted_points = -4.5",
                                        "predicted_points = line_value + 60", "confidence = 1.7"), strict=False):
        _sql(p, f"UPDATE {schema.PREDICTIONS} SET {change} WHERE {CURRENT} AND player_lookup = '{player}'")
    return {"changed": players[:4]}


@fault("predictions-without-games", "today's games were taken off the schedule (postponed); the run predicted them")
def _predictions_without_games(p: LocalPlatform) -> dict[str, Any]:
    keep_rows(p, schema.SCHEDULE, f"game_date = '{TODAY}'")
    _sql(p, f"DELETE FROM {schema.SCHEDULE} WHERE game_date = '{TODAY}'")
    return {"schedule": f"no games on {TODAY}"}


@fault("manifest-production-unlisted", "the manifest's production_model names a file its models list does not have")
def _manifest_production_unlisted(p: LocalPlatform) -> dict[str, Any]:
    keep_object(p, schema.MANIFEST)
    manifest = _manifest(p)
    unlisted = dataclasses.replace(models.SHADOW.name, created=dt.datetime(2026, 2, 8, 22, 0, tzinfo=dt.UTC)).file
    manifest["production_model"] = unlisted
    _write_manifest(p, manifest)
    return {"production_model": unlisted}


@fault("model-object-deleted", "the production .cbm object was deleted from the model store")
def _model_object_deleted(p: LocalPlatform) -> dict[str, Any]:
    name = schema.MODEL_PREFIX + models.PRODUCTION.file
    keep_object(p, name)
    p.storage().bucket(schema.BUCKET).blob(name).delete(timeout=30)
    return {"deleted": f"gs://{schema.BUCKET}/{name}"}


@fault("push-subscription-deleted", "the push subscription was deleted: requests published to the topic go nowhere")
def _push_subscription_deleted(p: LocalPlatform) -> dict[str, Any]:
    p.ledger.append({"kind": "push_subscription", "endpoint": p.worker_push_endpoint()})
    p.subscriber().delete_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.PUSH_SUBSCRIPTION}", timeout=30)
    return {"deleted": schema.PUSH_SUBSCRIPTION}


@fault("deep-health-500", "the worker's /health/deep answers 500; /health and pushes still answer")
def _deep_health_500(p: LocalPlatform) -> dict[str, Any]:
    misbehave(p, "prediction-worker", SANDBOX_DEEP_HEALTH_500="1")
    return {"prediction-worker": "/health/deep answers 500"}


@fault("deep-health-degraded", "the worker's /health/deep answers 200 with a body saying BigQuery is unreachable")
def _deep_health_degraded(p: LocalPlatform) -> dict[str, Any]:
    misbehave(p, "prediction-worker", SANDBOX_DEEP_HEALTH_DEGRADED="1")
    return {"prediction-worker": "/health/deep answers 200 {\"status\": \"error\", \"bigquery\": \"unreachable\"}"}


@fault("table-missing", "the subset picks table was dropped (a migration gone wrong)")
def _table_missing(p: LocalPlatform) -> dict[str, Any]:
    drop_table(p, schema.SUBSET_PICKS)
    return {"dropped": schema.SUBSET_PICKS}


@fault("off-day", "no games today: nothing scheduled, no lines, no predictions (nothing may fail)")
def _off_day(p: LocalPlatform) -> dict[str, Any]:
    emptied = [t for t in schema.TABLES if t not in schema.UNPARTITIONED]
    for table in emptied:
        keep_rows(p, table, f"game_date = '{TODAY}'")
        _sql(p, f"DELETE FROM {table} WHERE game_date = '{TODAY}'")
    forget_batches(p)
    return {"emptied": emptied}


@fault("partial-rollout", "a third of today's predictions came from the retired model: half the instances lagged")
def _partial_rollout(p: LocalPlatform) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    lagging = ", ".join(f"'{player}'" for player in _today_players(p)[::3])  # one player in three
    _sql(p, f"UPDATE {schema.PREDICTIONS} SET model_version = '{models.RETIRED.version}' "
            f"WHERE {CURRENT} AND player_lookup IN ({lagging})")
    return {"model_version": models.RETIRED.version, "share": "one player in three"}


# ---- green while broken (issue 18): what passed before it ---------------------------------------------------
@fault("lines-missing", "today's prop lines never arrived, so the run had no one to predict: no lines, no predictions")
def _lines_missing(p: LocalPlatform) -> dict[str, Any]:
    tables = (schema.PROP_LINES, schema.PREDICTIONS, schema.SUBSET_PICKS)
    for table in tables:
        keep_rows(p, table, f"game_date = '{TODAY}'")
        _sql(p, f"DELETE FROM {table} WHERE game_date = '{TODAY}'")
    forget_batches(p)
    return {"emptied": [f"{table} for {TODAY}" for table in tables], "games": "still scheduled"}


@fault("dead-letter-policy-missing", "the push subscription lost its dead-letter policy: nothing can be dead-lettered")
def _dead_letter_policy_missing(p: LocalPlatform) -> dict[str, Any]:
    # The emulator refuses to clear a dead-letter policy by update ("Dead letter topic not found"), so the
    # subscription is made again without one, as a hand-made one would be.
    spec = p.push_subscription_spec(p.worker_push_endpoint())
    p.ledger.append({"kind": "dead_letter_policy", "endpoint": p.worker_push_endpoint()})
    p.subscriber().delete_subscription(subscription=spec["name"], timeout=30)
    p.subscriber().create_subscription(request={k: v for k, v in spec.items() if k != "dead_letter_policy"},
                                       timeout=30)
    return {"dead_letter_policy": None}


@fault("grading-nulls", "grading wrote every row of the last week with is_correct NULL: graded, yet never judged")
def _grading_nulls(p: LocalPlatform) -> dict[str, Any]:
    where = (f"game_date BETWEEN '{season.TODAY - dt.timedelta(days=7)}' AND '{season.TODAY - dt.timedelta(days=1)}'"
             f" AND system_id = '{models.SYSTEM_ID}'")
    keep_rows(p, schema.ACCURACY, where)
    nulled = _sql(p, f"UPDATE {schema.ACCURACY} SET is_correct = NULL WHERE {where}").num_dml_affected_rows
    return {"is_correct NULL": nulled}
