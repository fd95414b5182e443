"""Every fault changes the platform observably in its raw state, and heal restores it.

Observations use the platform's own clients and processes, never opscheck's
checks: this proves the faults, so the checks can later be proved by them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from opscheck.sandbox import faults, models, schema, season
from opscheck.sandbox.local import PROJECT, LocalPlatform
from opscheck.sandbox.processes import SandboxError

TODAY = season.TODAY.isoformat()


def _scalar(p: LocalPlatform, sql: str) -> Any:
    return next(iter(p.bigquery().query(sql).result()))[0]


def _manifest(p: LocalPlatform) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(p.read_object(schema.MANIFEST))
    return data


def _push_endpoint(p: LocalPlatform) -> str:
    sub = p.subscriber().get_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.PUSH_SUBSCRIPTION}", timeout=10)
    return str(sub.push_config.push_endpoint)


def _dlq_backlog(p: LocalPlatform) -> int:
    path = f"projects/{PROJECT}/subscriptions/{schema.DEAD_LETTER_SUBSCRIPTION}"
    sub = p.subscriber()
    got = sub.pull(request={"subscription": path, "max_messages": 100,
                            "return_immediately": True}, timeout=10).received_messages
    if got:
        sub.modify_ack_deadline(request={"subscription": path, "ack_deadline_seconds": 0,
                                         "ack_ids": [m.ack_id for m in got]}, timeout=10)
    return len(got)


def _worker_predict_status(p: LocalPlatform) -> tuple[int, int, int]:
    """(min instances deployed, /health status, /predict status for a malformed push)."""
    url = p.url("prediction-worker")
    health = requests.get(f"{url}/health", timeout=5).status_code
    push = requests.post(f"{url}/predict", json={"message": {}}, timeout=5).status_code
    return p.deployed()["prediction-worker"]["min_instances"], health, push


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


CURRENT = f"game_date = '{TODAY}' AND system_id = 'catboost_v9'"
OBSERVE: dict[str, Callable[[LocalPlatform], Any]] = {
    "morning-run-missing": lambda p: _scalar(p, f"SELECT COUNT(*) FROM {schema.PREDICTIONS} WHERE {CURRENT}"),
    "partial-run": lambda p: _scalar(p, f"SELECT COUNTIF(is_active) FROM {schema.PREDICTIONS} WHERE {CURRENT}"),
    "stale-model-version": lambda p: _scalar(
        p, f"SELECT STRING_AGG(DISTINCT model_version) FROM {schema.PREDICTIONS} WHERE {CURRENT}"),
    "subsets-missing": lambda p: _scalar(
        p, f"SELECT COUNT(*) FROM {schema.SUBSET_PICKS} WHERE game_date BETWEEN '2026-02-01' AND '2026-02-08'"),
    "registry-drift": lambda p: str(_scalar(
        p, f"SELECT training_end_date FROM {schema.REGISTRY} WHERE status = 'production'")),
    "hit-rate-crash": lambda p: _scalar(
        p, f"SELECT COUNTIF(is_correct) FROM {schema.ACCURACY} WHERE game_date >= '2026-02-02' "
           "AND system_id = 'catboost_v9'"),
    "duplicate-training-window": lambda p: (
        len(_manifest(p)["models"]),
        _scalar(p, f"SELECT COUNT(*) FROM {schema.REGISTRY} WHERE training_start_date = '2025-11-02' "
                   "AND training_end_date = '2026-01-08'")),
    "model-path-drift": lambda p: (
        p.deployed()["prediction-worker"]["env"][schema.MODEL_PATH_ENV],
        requests.get(p.url("prediction-worker") + "/health/deep", timeout=30).json()["model"]),
    "stale-services": lambda p: sorted({s["commit_sha"] for s in p.deployed().values()}),
    "rollout-failed": lambda p: p.deployed()["prediction-worker"].get("failed_revision"),
    "worker-not-restarted": lambda p: (
        p.deployed()["prediction-worker"]["env"][schema.MODEL_PATH_ENV],
        requests.get(p.url("prediction-worker") + "/health/deep", timeout=30).json()["model"]),
    "push-endpoint-stale": _push_endpoint,
    "cold-start-503": _worker_predict_status,
    "dead-letters": _dlq_backlog,
    "dlq-expiring": lambda p: p.subscriber().get_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.DEAD_LETTER_SUBSCRIPTION}",
        timeout=10).expiration_policy.ttl.total_seconds(),
    "dlq-unsubscribed": lambda p: [str(s).rsplit("/", 1)[-1] for s in p.publisher().list_topic_subscriptions(
        topic=f"projects/{PROJECT}/topics/{schema.DEAD_LETTER_TOPIC}", timeout=10)],
    "tracker-stuck": lambda p: [b["progress"] for b in p.call("prediction-coordinator", "/status")["batches"]
                                if b["progress"].split("/")[0] != b["progress"].split("/")[1]],  # unfinished
    "training-overlap": lambda p: (
        [m["training_end_date"] for m in _manifest(p)["models"] if m["status"] == "production"],
        str(_scalar(p, f"SELECT training_end_date FROM {schema.REGISTRY} WHERE status = 'production'"))),
    "doc-model-section-stale": lambda p: hashlib.sha256(p.doc_file.read_bytes()).hexdigest(),
    "service-down": lambda p: _answers(p.url("scrapers") + "/health"),
    "invoker-denied": lambda p: requests.get(p.url("grading") + "/health", timeout=5).status_code,
    "lines-stale": lambda p: str(_scalar(p, f"SELECT MAX(scraped_at) FROM {schema.PROP_LINES} "
                                            f"WHERE game_date = '{TODAY}'")),
    "model-object-corrupt": lambda p: hashlib.sha256(
        p.read_object(schema.MODEL_PREFIX + models.PRODUCTION.file)).hexdigest(),
    "duplicate-predictions": lambda p: _scalar(
        p, f"SELECT COUNT(*) - COUNT(DISTINCT player_lookup) FROM {schema.PREDICTIONS} WHERE {CURRENT} AND is_active"),
    "implausible-predictions": lambda p: _scalar(
        p, f"SELECT COUNTIF(IS_NAN(predicted_points) OR predicted_points < 0 OR confidence > 1 "
           f"OR ABS(predicted_points - line_value) > 25) FROM {schema.PREDICTIONS} WHERE {CURRENT}"),
    "predictions-without-games": lambda p: _scalar(
        p, f"SELECT COUNT(*) FROM {schema.SCHEDULE} WHERE game_date = '{TODAY}'"),
    "manifest-production-unlisted": lambda p: _manifest(p)["production_model"] in {
        m["file"] for m in _manifest(p)["models"]},
    "model-object-deleted": lambda p: _object_exists(p, schema.MODEL_PREFIX + models.PRODUCTION.file),
    "push-subscription-deleted": lambda p: [str(s).rsplit("/", 1)[-1] for s in p.publisher().list_topic_subscriptions(
        topic=f"projects/{PROJECT}/topics/{schema.REQUEST_TOPIC}", timeout=10)],
    "deep-health-500": lambda p: (requests.get(p.url("prediction-worker") + "/health", timeout=5).status_code,
                                  requests.get(p.url("prediction-worker") + "/health/deep", timeout=10).status_code),
    "table-missing": lambda p: sorted(t.table_id for t in p.bigquery().list_tables("nba_predictions", timeout=10)),
    "off-day": lambda p: [_scalar(p, f"SELECT COUNT(*) FROM {table} WHERE game_date = '{TODAY}'")
                          for table in (schema.SCHEDULE, schema.PROP_LINES, schema.PREDICTIONS)],
    "partial-rollout": lambda p: _scalar(
        p, f"SELECT COUNT(DISTINCT model_version) FROM {schema.PREDICTIONS} WHERE {CURRENT} AND is_active"),
    "lines-missing": lambda p: [_scalar(p, f"SELECT COUNT(*) FROM {table} WHERE game_date = '{TODAY}'")
                                for table in (schema.SCHEDULE, schema.PROP_LINES, schema.PREDICTIONS)],
    "dead-letter-policy-missing": lambda p: str(p.subscriber().get_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.PUSH_SUBSCRIPTION}",
        timeout=10).dead_letter_policy.dead_letter_topic),
    "grading-nulls": lambda p: _scalar(
        p, f"SELECT COUNTIF(is_correct IS NULL) FROM {schema.ACCURACY} WHERE game_date >= '2026-02-02' "
           "AND system_id = 'catboost_v9'"),
    "deep-health-degraded": lambda p: (
        requests.get(p.url("prediction-worker") + "/health/deep", timeout=30).status_code,
        requests.get(p.url("prediction-worker") + "/health/deep", timeout=30).json()["status"]),
}


def _object_exists(p: LocalPlatform, name: str) -> bool:
    return bool(p.storage().bucket(schema.BUCKET).blob(name).exists(timeout=10))


def test_every_fault_has_an_observation() -> None:
    assert set(OBSERVE) == set(faults.FAULTS)


@pytest.mark.parametrize("name", sorted(faults.FAULTS))
def test_break_changes_raw_state_and_heal_restores_it(healthy: LocalPlatform, name: str) -> None:
    observe = OBSERVE[name]
    before = observe(healthy)
    detail = faults.inject(healthy, name)
    assert detail["fault"] == name and healthy.faults == [name]
    broken = observe(healthy)
    assert broken != before, f"{name} changed nothing observable: {before!r}"
    assert faults.heal(healthy) == [name]
    assert observe(healthy) == before
    assert healthy.faults == []


def test_stacked_faults_heal_in_reverse(healthy: LocalPlatform) -> None:
    count = OBSERVE["partial-run"]
    before = count(healthy)
    faults.inject(healthy, "partial-run")
    faults.inject(healthy, "morning-run-missing")
    assert count(healthy) == 0
    faults.heal(healthy)
    assert count(healthy) == before


def test_unknown_fault_names_the_list_command(healthy: LocalPlatform) -> None:
    with pytest.raises(SandboxError, match="sandbox break --list"):
        faults.inject(healthy, "no-such-fault")
