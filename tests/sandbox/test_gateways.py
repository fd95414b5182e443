"""Every gateway's live implementation, against the real stand-ins, failure paths included."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from opscheck.config import EndpointsConfig
from opscheck.errors import BadRequestError, NotFoundError, UnreachableError
from opscheck.platform import Platform
from opscheck.sandbox import schema, season
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.processes import free_port
from opscheck.sandbox.state import SERVICES
from opscheck.session import Session

TODAY = season.TODAY


def test_bigquery_named_query_returns_typed_rows(live: Session) -> None:
    rows = live.platform.bigquery.query("predictions_by_version", start=TODAY, end=TODAY,
                                        system_id="catboost_v9")
    [row] = rows
    assert {k: v for k, v in row.items() if k != "calls"} == {
        "game_date": TODAY.isoformat(), "model_version": "v9_20260201_011018", "rows": 48, "active": 48, "players": 48,
        "graded": 0, "decided": 0}
    assert 0 < row["calls"] <= 48  # OVER or UNDER: the rest PASS


def test_bigquery_table_metadata(live: Session) -> None:
    info = live.platform.bigquery.table("predictions")
    assert info["table"] == "nba-props-platform.nba_predictions.player_prop_predictions"
    assert info["rows"] > 10_000
    assert info["partition_field"] == "game_date"
    assert dt.datetime.fromisoformat(info["modified"]).year >= 2026


def test_bigquery_missing_table_is_an_error_not_empty_rows(live: Session) -> None:
    config = dataclasses.replace(live.config, tables=dataclasses.replace(
        live.config.tables, predictions="nba_predictions.no_such_table"))
    with pytest.raises(NotFoundError, match="predictions_by_version.sql: not found"):
        Platform(config).bigquery.query("predictions_by_version", start=TODAY, end=TODAY,
                                        system_id="catboost_v9")
    with pytest.raises(NotFoundError, match="no_such_table"):
        Platform(config).bigquery.table("predictions")


def test_bigquery_bad_sql_is_a_bad_request(live: Session, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from opscheck.sql import queries

    monkeypatch.setattr(queries, "SQL_DIR", tmp_path)
    monkeypatch.setitem(queries.PARAMS, "broken", {})
    monkeypatch.setitem(queries.ROWS, "broken", queries.ProbeRow)
    queries._text.cache_clear()
    (tmp_path / "broken.sql").write_text("SELEC game_date FROM {predictions}")
    try:
        with pytest.raises(BadRequestError, match="broken.sql: rejected"):
            live.platform.bigquery.query("broken")
    finally:
        queries._text.cache_clear()


def test_storage_bytes_metadata_listing_and_sha256(live: Session, local_platform: Sandbox) -> None:
    storage = live.platform.storage
    manifest = storage.read_json(storage.path(schema.MANIFEST))
    production = f"{schema.MODEL_PREFIX}{manifest['production_model']}"
    blob = local_platform.read_object(production)
    info = storage.metadata(storage.path(production))
    assert info["size"] == len(blob) and info["generation"] > 0 and info["md5"] and info["crc32c"]
    assert storage.sha256(storage.path(production)) == hashlib.sha256(blob).hexdigest()
    listed = {o["path"] for o in storage.listing(storage.path(schema.MODEL_PREFIX))}
    assert storage.path(production) in listed and storage.path(schema.MANIFEST) in listed
    assert len([p for p in listed if p.endswith(".cbm")]) == 3


def test_storage_missing_object_is_not_found(live: Session) -> None:
    storage = live.platform.storage
    for call in (storage.read, storage.metadata, storage.sha256):
        with pytest.raises(NotFoundError, match="nope.cbm"):
            call(storage.path("catboost/v9/nope.cbm"))
    with pytest.raises(BadRequestError, match="not a gs://"):
        storage.read("/etc/passwd")


def test_pubsub_subscription_description(live: Session, local_platform: Sandbox) -> None:
    pubsub = live.platform.pubsub
    sub = pubsub.subscription(schema.PUSH_SUBSCRIPTION)
    assert sub["topic"] == schema.REQUEST_TOPIC
    assert sub["push_endpoint"] == local_platform.worker_push_endpoint()
    assert sub["oidc_service_account"] == "pubsub-invoker@nba-props-platform.iam.gserviceaccount.com"
    assert sub["ack_deadline_seconds"] == 60
    assert sub["dead_letter_topic"] == schema.DEAD_LETTER_TOPIC and sub["max_delivery_attempts"] == 5
    assert sub["retry_minimum_backoff_seconds"] == 1 and sub["retry_maximum_backoff_seconds"] == 10
    assert pubsub.topic_subscriptions(schema.DEAD_LETTER_TOPIC) == [schema.DEAD_LETTER_SUBSCRIPTION]
    assert pubsub.topic_exists(schema.REQUEST_TOPIC) and not pubsub.topic_exists("no-such-topic")
    with pytest.raises(NotFoundError, match="no-such-sub"):
        pubsub.subscription("no-such-sub")


def test_pubsub_publish_and_backlog_leave_messages_in_place(healthy: Sandbox, live: Session) -> None:

    pubsub = live.platform.pubsub
    assert pubsub.backlog(schema.DEAD_LETTER_SUBSCRIPTION)["count"] == 0
    healthy.ledger.append({"kind": "drain", "subscription": schema.DEAD_LETTER_SUBSCRIPTION})
    message_id = pubsub.publish(schema.DEAD_LETTER_TOPIC, b'{"probe": 1}', {"batch_id": "probe"})
    assert message_id
    first = pubsub.backlog(schema.DEAD_LETTER_SUBSCRIPTION)
    second = pubsub.backlog(schema.DEAD_LETTER_SUBSCRIPTION)  # nothing was acknowledged
    assert first["count"] == second["count"] == 1
    assert first["oldest_age_seconds"] is not None and first["oldest_age_seconds"] >= 0


def test_cloud_scheduler_job_after_a_success_and_a_failure(live: Session, healthy: Sandbox) -> None:
    """As the REST reference has it (https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs):
    `lastAttemptTime` "the time the last job attempt started", `status` "the response from the target for the
    last attempted execution" (a google.rpc.Status: `{}`, code 0, after a success; the code an HTTP 500 maps to,
    INTERNAL, after one: google/rpc/code.proto), `scheduleTime` the next run; a PAUSED job "will not execute"
    and keeps its last attempt. (A real 500 from /start sets it through the stand-in: fault start-500's row.)"""
    job = live.platform.scheduler.job("morning-predictions")
    assert (job["state"], job["schedule"], job["time_zone"]) == ("ENABLED", "0 7 * * *", "America/New_York")
    assert job["target"] == healthy.url("prediction-coordinator") + "/start"
    assert job["last_attempt_time"] == "2026-02-09T12:00:00+00:00" and job["status_code"] == 0  # 07:00 New York
    assert job["schedule_time"] == "2026-02-10T12:00:00+00:00"
    jobs = healthy.scheduled_jobs()
    try:
        jobs["morning-predictions"]["status"] = {"code": 13, "message": "HTTP 500"}  # a target answering 500
        healthy.set_scheduled_jobs(jobs)
        failed = Platform(live.config).scheduler.job("morning-predictions")
        assert (failed["status_code"], failed["status_message"]) == (13, "HTTP 500")
        jobs["morning-predictions"].update(status={}, state="PAUSED")
        healthy.set_scheduled_jobs(jobs)
        paused = Platform(live.config).scheduler.job("morning-predictions")
        assert (paused["state"], paused["last_attempt_time"]) == ("PAUSED", job["last_attempt_time"])
    finally:
        jobs["morning-predictions"].update(status={}, state="ENABLED")
        healthy.set_scheduled_jobs(jobs)
    with pytest.raises(NotFoundError, match="no-such-job"):
        live.platform.scheduler.job("no-such-job")


def test_cloud_build_finds_a_commits_builds(live: Session, local_platform: Sandbox) -> None:
    """A commit's builds are found with a ListBuilds filter on `substitutions.COMMIT_SHA` (the commit ID a trigger's
    build carries: https://cloud.google.com/build/docs/configuring-builds/substitute-variable-values; lists filter
    on build fields: https://cloud.google.com/build/docs/view-build-results), newest first; a build that succeeded
    pushed the image the revision runs (`results.images`, https://cloud.google.com/build/docs/api/reference/rest/v1/
    projects.builds)."""
    from google.api_core import exceptions as gexc

    main = local_platform.commits["main"]
    builds = live.platform.build.builds_of(main)
    assert sorted(str(b["service"]) for b in builds) == sorted(SERVICES)
    assert {(b["status"], b["commit_sha"]) for b in builds} == {("SUCCESS", main)}
    assert [b["created"] for b in builds] == sorted((str(b["created"]) for b in builds), reverse=True)
    worker = next(b for b in builds if b["service"] == "prediction-worker")
    assert worker["images"] == [live.platform.run.service("prediction-worker")["serving"][0]["image"]]
    assert worker["log_url"].startswith("https://console.cloud.google.com/cloud-build/builds;region=global/")
    assert worker["started"] is not None and worker["finished"] is not None and worker["started"] < worker["finished"]
    assert live.platform.build.builds_of("f" * 40) == []
    client = live.platform.build._client
    with pytest.raises(gexc.BadRequest, match="unsupported filter"):  # never "every build" for a filter it cannot read
        list(client.list_builds(request={"parent": "projects/nba-props-platform/locations/global",
                                         "filter": 'status="SUCCESS"'}, timeout=10))


def test_cloud_logging_reads_one_bounded_paged_window(healthy: Sandbox, live: Session) -> None:
    """Logging allows 60 entries.list reads a minute per project (https://cloud.google.com/logging/quotas): one
    query a run, paged, stopping at a bound that says so. Cloud Run turns a service's JSON stdout line into an entry
    with its severity (https://cloud.google.com/run/docs/logging#writing_structured_logs)."""
    import json

    from google.api_core import exceptions as gexc

    from opscheck.sandbox.faults.ledger import keep_logs

    keep_logs(healthy)  # healed afterwards: the lines written here are cut again
    now = healthy.now() + dt.timedelta(hours=3)  # hours no other test's entries reach: only these are read
    lines = [{"severity": "ERROR", "message": "feature store read timed out", "time": now.isoformat()}] * 4 + [
        {"severity": "CRITICAL", "message": "model failed to load\ntraceback ...", "time": now.isoformat()}] * 3 + [
        {"severity": "INFO", "message": "prediction written", "time": now.isoformat()},
        {"severity": "ERROR", "message": "yesterday's error", "time": (now - dt.timedelta(days=1)).isoformat()}]
    with (healthy.log_folder() / "prediction-worker.log").open("a") as log:
        log.writelines(json.dumps(line) + "\n" for line in lines)
    window = (now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
    summary = live.platform.logging.errors(["prediction-worker"], *window)
    assert (summary["read"], summary["truncated"]) == (7, False)
    assert [(m["count"], m["severity"], m["message"]) for m in summary["messages"]] == [
        (4, "ERROR", "feature store read timed out"), (3, "CRITICAL", "model failed to load")]
    config = dataclasses.replace(live.config, thresholds=dataclasses.replace(live.config.thresholds, error_logs_read=5))
    bounded = Platform(config).logging.errors(["prediction-worker"], *window)  # pages of 5: a second page says more
    assert (bounded["read"], bounded["truncated"]) == (5, True)
    assert sum(m["count"] for m in bounded["messages"]) == 5
    client = live.platform.logging._client
    with pytest.raises(gexc.InvalidArgument, match="unsupported filter"):  # never "every entry" for another filter
        list(client.list_log_entries(request={"resource_names": ["projects/nba-props-platform"],
                                              "filter": "severity>=ERROR"}, timeout=10))


def test_cloud_run_service_description(live: Session, local_platform: Sandbox) -> None:
    worker = live.platform.run.service("prediction-worker")
    assert worker["uri"] == local_platform.url("prediction-worker")
    assert worker["env"][schema.MODEL_PATH_ENV].endswith("_20260201T011018.cbm")
    assert worker["min_instances"] == 1 and worker["max_instances"] == 10
    assert worker["commit_sha"] == local_platform.commits["main"]
    assert worker["revision"].startswith("prediction-worker-") and worker["latest_created_ready"]
    assert [(r["revision"], r["percent"], r["commit_source"]) for r in worker["serving"]] == [
        (worker["revision"], 100, "revision label")]
    assert worker["revision_created"] == "2026-02-01T02:00:00+00:00"
    scrapers = live.platform.run.service("scrapers")["serving"][0]
    assert scrapers["env"]["ODDS_API_KEY"] == "secret:odds-api-key:latest" and scrapers["secrets"] == ["ODDS_API_KEY"]
    with pytest.raises(NotFoundError, match="no-such-service"):
        live.platform.run.service("no-such-service")


def test_http_keeps_status_latency_and_body(live: Session, local_platform: Sandbox) -> None:
    result = live.platform.http.get(local_platform.url("prediction-worker"), "/health/deep")
    assert result["status"] == 200 and '"model"' in result["body"] and result["latency_ms"] > 0
    status = live.platform.http.get(local_platform.url("prediction-coordinator"), "/status")
    assert status["status"] == 200 and "batches" in status["body"]


def test_http_dead_port_fails_within_its_timeout(live: Session) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(UnreachableError, match="cannot connect"):
        live.platform.http.get(dead, "/health", timeout=2)
    assert time.monotonic() - started < 10 * 2  # refused at once; only a hang would take longer than this


def test_http_unanswering_port_times_out(live: Session) -> None:
    import socket

    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(UnreachableError, match="no answer within 1s"):
            live.platform.http.get(url, "/health", timeout=1)
        assert time.monotonic() - started < 10 * 1  # a generous multiple of the 1 s timeout: it did not hang


@pytest.mark.parametrize("gateway", ["bigquery", "storage", "pubsub", "run", "monitoring", "scheduler", "build",
                                     "logging"])
def test_gateway_to_dead_endpoint_fails_within_timeout(live: Session, gateway: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    endpoint: dict[str, Any] = {gateway: dead}
    config = dataclasses.replace(live.config, endpoints=dataclasses.replace(
        live.config.endpoints, timeout_seconds=2, **endpoint))
    platform = Platform(config)
    calls: dict[str, Callable[[], object]] = {
        "bigquery": lambda: platform.bigquery.table("predictions"),
        "storage": lambda: platform.storage.read(platform.storage.path(schema.MANIFEST)),
        "pubsub": lambda: platform.pubsub.subscription(schema.PUSH_SUBSCRIPTION),
        "run": lambda: platform.run.service("prediction-worker"),
        "monitoring": lambda: platform.monitoring.subscription_backlog(schema.PUSH_SUBSCRIPTION),
        "scheduler": lambda: platform.scheduler.job("morning-predictions"),
        "build": lambda: platform.build.builds_of("0" * 40),
        "logging": lambda: platform.logging.errors(["prediction-worker"], dt.datetime(2026, 2, 9, tzinfo=dt.UTC),
                                                   dt.datetime(2026, 2, 10, tzinfo=dt.UTC)),
    }
    started = time.monotonic()
    with pytest.raises(UnreachableError):
        calls[gateway]()
    # A generous multiple of the 2 s timeout: the clients' own retries ran for minutes against a dead port.
    assert time.monotonic() - started < 10 * 2, f"{gateway} took {time.monotonic() - started:.1f}s"


def test_monitoring_backlog_metrics(healthy: Sandbox, live: Session) -> None:
    from opscheck.sandbox import faults

    # Idle: no series, as Google answers (ListTimeSeriesRequest.interval: only series with points).
    metrics = live.platform.monitoring.subscription_backlog(schema.DEAD_LETTER_SUBSCRIPTION)
    assert metrics["undelivered"] is None and metrics["oldest_unacked_age_seconds"] is None
    assert live.platform.monitoring.subscription_backlog("no-such-subscription")["undelivered"] is None
    faults.inject(healthy, "dead-letters")
    metrics = live.platform.monitoring.subscription_backlog(schema.DEAD_LETTER_SUBSCRIPTION)
    assert metrics["undelivered"] is not None and metrics["undelivered"] >= 1  # a pull may return a part
    assert metrics["oldest_unacked_age_seconds"] is not None


def test_endpoints_config_has_no_sandbox_knowledge() -> None:
    assert EndpointsConfig().bigquery == "" and EndpointsConfig().anonymous is False
