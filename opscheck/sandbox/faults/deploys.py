"""Faults of the Cloud Run services: what a revision runs, how it was built, whether it started, whether it answers."""

from __future__ import annotations

import hashlib
from typing import Any

import requests

from opscheck.sandbox import models, schema, season, seed
from opscheck.sandbox.faults import observe
from opscheck.sandbox.faults.catalogue import fault
from opscheck.sandbox.faults.common import CURRENT, TODAY, today_players
from opscheck.sandbox.faults.ledger import (
    forget_on_heal,
    keep_builds,
    keep_deployment,
    keep_logs,
    keep_repo,
    keep_rows,
    misbehave,
)
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.state import PROJECT, SERVICES


@fault("model-path-drift", "the worker's CATBOOST_V9_MODEL_PATH names the retired model",
       fails={"deploy": ("test_worker_model_path",)},
       observe=lambda p: (
               p.deployed()["prediction-worker"]["env"][schema.MODEL_PATH_ENV],
               requests.get(p.url("prediction-worker") + "/health/deep", timeout=30).json()["model"]))
def _model_path_drift(p: Sandbox) -> dict[str, Any]:
    keep_deployment(p, "prediction-worker")
    spec = p.deployed()
    path = p.model_path(models.RETIRED.file)
    spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV] = path
    p.set_deployed(spec)
    p.restart_service("prediction-worker")
    return {schema.MODEL_PATH_ENV: path}


@fault("worker-not-restarted", "the worker revision names the production model; its instances serve the retired one",
       fails={"deploy": ("test_worker_serves_configured_model",)},
       observe=lambda p: (
               p.deployed()["prediction-worker"]["env"][schema.MODEL_PATH_ENV],
               requests.get(p.url("prediction-worker") + "/health/deep", timeout=30).json()["model"]))
def _worker_not_restarted(p: Sandbox) -> dict[str, Any]:
    keep_deployment(p, "prediction-worker")
    spec = p.deployed()
    production = spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV]
    spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV] = p.model_path(models.RETIRED.file)
    p.set_deployed(spec)
    p.restart_service("prediction-worker")  # the instances load the retired model ...
    spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV] = production
    p.set_deployed(spec)  # ... and the revision is fixed, but nothing restarts them
    return {"configured": production, "serving": p.model_path(models.RETIRED.file)}


@fault("rollout-failed", "the worker's newest revision never became ready; the previous one still serves",
       fails={"deploy": ("test_latest_revisions_ready",)},
       observe=lambda p: p.deployed()["prediction-worker"].get("failed_revision"))
def _rollout_failed(p: Sandbox) -> dict[str, Any]:
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


@fault("stale-services", "grading and scrapers run revisions built from an older commit",
       fails={"deploy": ("test_services_run_expected_commit", "test_builds_made_serving_revisions")},
       observe=lambda p: sorted({s["commit_sha"] for s in p.deployed().values()}))
def _stale_services(p: Sandbox) -> dict[str, Any]:
    keep_deployment(p)
    spec = p.deployed()
    for name in ("grading", "scrapers"):
        spec[name].update(commit_sha=p.commits["stale"], revision_created="2026-01-20T18:00:00Z",
                          revision=f"{name}-00031-{p.commits['stale'][:3]}")
    p.set_deployed(spec)
    return {"stale": ["grading", "scrapers"], "commit_sha": p.commits["stale"]}


@fault("worker-build-failed", "main moved on; every service was rebuilt from it but the worker's build failed: "
       "its old revision still serves",
       fails={"deploy": ("test_services_run_expected_commit", "test_builds_made_serving_revisions")},
       observe=lambda p: (p.repo_git("rev-parse", "HEAD"), sorted({b["status"] for b in p.builds()})))
def _worker_build_failed(p: Sandbox) -> dict[str, Any]:
    keep_repo(p)
    keep_builds(p)
    keep_deployment(p)
    commit = p.repo_commit("worker: read features in one query", "2026-02-09T06:30:00Z")
    spec, builds = p.deployed(), p.builds()
    for index, name in enumerate(SERVICES):
        failed = "Build step 1 \"gcr.io/cloud-builders/docker\" failed: step exited with non-zero status: 1" \
            if name == "prediction-worker" else ""
        builds.append(seed.build(PROJECT, name, commit, f"2026-02-09T06:{32 + index}:00Z", failed))
        if not failed:  # deployed: a new revision from the new commit
            spec[name].update(commit_sha=commit, revision=f"{name}-{50 + index:05d}-{commit[:3]}",
                              revision_created=f"2026-02-09T06:{40 + index}:00Z")
    p.set_builds(builds)
    p.set_deployed(spec)
    return {"commit": commit, "failed": "prediction-worker"}


@fault("worker-errors", "the worker fails the first delivery of some requests (logged at ERROR); redelivery lands all",
       fails={"daily": ("test_error_logs_quiet",)},
       observe=lambda p: sum('"severity": "ERROR"' in line for line in
                             (p.log_folder() / "prediction-worker.log").read_text().splitlines()))
def _worker_errors(p: Sandbox) -> dict[str, Any]:
    keep_logs(p)
    players = today_players(p)[::6]  # 8 of 48: more errors than the allowance of 5, in few seconds
    listed = ", ".join(repr(x) for x in players)
    keep_rows(p, schema.PREDICTIONS, f"{CURRENT} AND player_lookup IN ({listed})")
    keep_rows(p, schema.SUBSET_PICKS, f"game_date = '{TODAY}'")
    misbehave(p, "prediction-worker", SANDBOX_FAIL_FIRST_ATTEMPT="1")
    batch = p.morning_run(season.TODAY, players)  # a rerun of some players: each fails once, then lands
    forget_on_heal(p, batch["batch_id"])
    return {"rerun": len(players), "batch": batch["batch_id"]}


@fault("cold-start-503", "worker scaled to min-instances 0 answers 503 to pushes; /health stays green",
       fails={"deploy": ("test_worker_min_instances",),
              "probe": ("test_worker_min_instances", "test_worker_accepts_push", "test_canary_round_trip",
                        "test_probe_batch")},
       observe=observe.worker_predict_status)
def _cold_start_503(p: Sandbox) -> dict[str, Any]:
    keep_deployment(p, "prediction-worker")
    spec = p.deployed()
    spec["prediction-worker"]["min_instances"] = 0
    p.set_deployed(spec)
    p.restart_service("prediction-worker", {"SANDBOX_COLD_START_503": "1"})
    return {"min_instances": 0}


@fault("invoker-denied", "grading's IAM no longer lets opscheck call it: every request answers 403",
       fails={"daily": ("test_service_healthy[grading]",)},
       observe=lambda p: requests.get(p.url("grading") + "/health", timeout=5).status_code)
def _invoker_denied(p: Sandbox) -> dict[str, Any]:
    misbehave(p, "grading", SANDBOX_DENY="1")
    return {"grading": "403 to every request"}


@fault("service-down", "the scrapers service's process is gone: its URL refuses connections",
       fails={"daily": ("test_service_healthy[scrapers]",)},
       observe=lambda p: observe.answers(p.url("scrapers") + "/health"))
def _service_down(p: Sandbox) -> dict[str, Any]:
    p.ledger.append({"kind": "restart", "service": "scrapers"})
    p.stop("scrapers")
    return {"stopped": "scrapers"}


@fault("deep-health-500", "the worker's /health/deep answers 500; /health and pushes still answer",
       fails={"daily": ("test_service_healthy[prediction-worker]",),
              "deploy": ("test_worker_serves_configured_model",)},
       observe=lambda p: (requests.get(p.url("prediction-worker") + "/health", timeout=5).status_code,
                          requests.get(p.url("prediction-worker") + "/health/deep", timeout=10).status_code))
def _deep_health_500(p: Sandbox) -> dict[str, Any]:
    misbehave(p, "prediction-worker", SANDBOX_DEEP_HEALTH_500="1")
    return {"prediction-worker": "/health/deep answers 500"}


@fault("deep-health-degraded", "the worker's /health/deep answers 200 with a body saying BigQuery is unreachable",
       fails={"daily": ("test_service_healthy[prediction-worker]",),
              "deploy": ("test_worker_serves_configured_model",)},
       observe=lambda p: (
               requests.get(p.url("prediction-worker") + "/health/deep", timeout=30).status_code,
               requests.get(p.url("prediction-worker") + "/health/deep", timeout=30).json()["status"]))
def _deep_health_degraded(p: Sandbox) -> dict[str, Any]:
    misbehave(p, "prediction-worker", SANDBOX_DEEP_HEALTH_DEGRADED="1")
    return {"prediction-worker": "/health/deep answers 200 {\"status\": \"error\", \"bigquery\": \"unreachable\"}"}
