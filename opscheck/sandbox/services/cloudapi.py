"""Stand-in for the Cloud Run Admin API v2, Cloud Scheduler v1, Cloud Build v1, Monitoring v3 and Logging v2.

No emulator exists for any of them. The sandbox keeps each service's deployment
(URL, env, scaling, revision, `commit-sha`) in `services.json`; this serves it
in the exact JSON the official `google-cloud-run` client parses, so opscheck's
live Cloud Run gateway runs unchanged against it; the Scheduler's jobs likewise,
from `scheduler.json` (the morning job's state and last attempt), and the builds from
`builds.json` (ListBuilds with the one filter opscheck sends). Monitoring and Logging (gRPC-only
clients) get `ListTimeSeries` and `ListLogEntries` on a second port: backlog metrics answered from
the Pub/Sub emulator (pull without waiting, hand back), log entries from the services' own
structured log lines (services/logs.py).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

from opscheck.sandbox import clients, seed
from opscheck.sandbox.services import App, Response, health

STATE_ENV = "SANDBOX_SERVICES_FILE"
SCHEDULER_ENV = "SANDBOX_SCHEDULER_FILE"
BUILDS_ENV = "SANDBOX_BUILDS_FILE"
_COMMIT_FILTER = re.compile(r'^substitutions\.COMMIT_SHA\s*=\s*"([0-9a-f]{7,40})"$')
MONITORING_PORT_ENV = "SANDBOX_MONITORING_PORT"
WORKER_LOG_ENV = "SANDBOX_WORKER_LOG"
_RUNNING: list[Any] = []  # the gRPC server must outlive build()
UNDELIVERED = "pubsub.googleapis.com/subscription/num_undelivered_messages"
OLDEST_AGE = "pubsub.googleapis.com/subscription/oldest_unacked_message_age"
PUSH_REQUESTS = "pubsub.googleapis.com/subscription/push_request_count"
# Pub/Sub's push rules: these statuses acknowledge a message; anything else is a nack.
ACK_CODES = frozenset({102, 200, 201, 202, 204})
_PUSH_LINE = re.compile(r'^(\S+) prediction-worker: "POST /predict[^"]*" (\d{3})')


def _container(project: str, name: str, commit: str, spec: dict[str, Any]) -> dict[str, Any]:
    env = [{"name": k, "value": v} for k, v in sorted(spec["env"].items())]
    env += [{"name": k, "valueSource": {"secretKeyRef": {"secret": secret, "version": version}}}
            for k, (secret, version) in sorted(spec.get("secrets", {}).items())]
    return {"image": seed.image(project, name, commit), "env": env}


def service_resource(project: str, region: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A Cloud Run v2 Service resource in REST JSON, as the Admin API returns it.

    `template` is the latest *created* revision's: after a failed rollout
    (`failed_revision` in the spec) that is the revision that never became
    ready, while `trafficStatuses` still names the one serving.
    """
    parent = f"{parent_of(project, region)}/services/{name}"
    failed = spec.get("failed_revision")
    created = failed or spec
    return {
        "name": parent,
        "uri": spec["uri"],
        "labels": {"managed-by": "cloud-build"},
        "latestReadyRevision": f"{parent}/revisions/{spec['revision']}",
        "latestCreatedRevision": f"{parent}/revisions/{created['revision']}",
        "trafficStatuses": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" if not failed else
                             "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
                             "revision": spec["revision"], "percent": 100}],
        "template": {
            "labels": {"commit-sha": created["commit_sha"]},
            "containers": [_container(project, name, created["commit_sha"], {**spec, **(failed or {})})],
            "scaling": {"minInstanceCount": spec["min_instances"], "maxInstanceCount": spec["max_instances"]},
        },
        "scaling": {"minInstanceCount": spec.get("service_min_instances", 0)},
        "createTime": spec["revision_created"],
        "updateTime": created["revision_created"],
    }


def revision_resource(
    project: str, region: str, name: str, spec: dict[str, Any], revision: str
) -> dict[str, Any] | None:
    """The REST JSON of one of the service's revisions (the serving one, or a failed newer one)."""
    failed = spec.get("failed_revision")
    if revision == spec["revision"]:
        shown, ready = spec, {"type": "Ready", "state": "CONDITION_SUCCEEDED"}
    elif failed and revision == failed["revision"]:
        shown = {**spec, **failed}
        ready = {"type": "Ready", "state": "CONDITION_FAILED", "message": failed["message"]}
    else:
        return None
    return {
        "name": f"{parent_of(project, region)}/services/{name}/revisions/{revision}",
        "service": name,
        "labels": {"commit-sha": shown["commit_sha"]},
        "createTime": shown["revision_created"],
        "containers": [_container(project, name, shown["commit_sha"], shown)],
        "scaling": {"minInstanceCount": spec["min_instances"], "maxInstanceCount": spec["max_instances"]},
        "conditions": [ready],
    }


def job_resource(project: str, region: str, name: str, job: dict[str, Any]) -> dict[str, Any]:
    """A Cloud Scheduler v1 Job in REST JSON, as `jobs.get` returns it.

    `status` is the last attempt's google.rpc.Status: `{}` after a success (code 0 is the default,
    left out of the JSON), `{"code": 13, ...}` after a target answered 500. A job that never ran
    has no `lastAttemptTime`; `scheduleTime` is the next run
    (https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs).
    """
    resource: dict[str, Any] = {
        "name": f"{parent_of(project, region)}/jobs/{name}",
        "httpTarget": {"uri": job["target"], "httpMethod": "POST"},
        "schedule": job["schedule"], "timeZone": job["time_zone"], "state": job["state"],
        "status": job["status"], "scheduleTime": job["schedule_time"],
    }
    if job["last_attempt_time"]:
        resource["lastAttemptTime"] = job["last_attempt_time"]
    return resource


def parent_of(project: str, region: str) -> str:
    return f"projects/{project}/locations/{region}"


def build() -> App:
    app = App("cloud-api", denied=_error(403, "The caller does not have permission"))
    health(app)
    services_file = Path(os.environ[STATE_ENV])

    def deployed() -> dict[str, Any]:
        data: dict[str, Any] = json.loads(services_file.read_text())
        return data

    @app.route("GET", r"/v2/projects/([^/]+)/locations/([^/]+)/services/([^/]+)")
    def get_service(body: dict[str, Any], match: re.Match[str]) -> Response:
        project, region, name = match.groups()
        spec = deployed().get(name)
        if spec is None or project != clients.project():
            return 404, _error(404, f"Resource '{name}' of kind 'SERVICE' in region '{region}' "
                                    f"in project '{project}' does not exist.")
        return 200, service_resource(project, region, name, spec)

    @app.route("GET", r"/v2/projects/([^/]+)/locations/([^/]+)/services/([^/]+)/revisions/([^/]+)")
    def get_revision(body: dict[str, Any], match: re.Match[str]) -> Response:
        project, region, name, revision = match.groups()
        spec = deployed().get(name)
        found = revision_resource(project, region, name, spec, revision) if spec else None
        if found is None:
            return 404, _error(404, f"Revision '{revision}' does not exist.")
        return 200, found

    @app.route("GET", r"/v1/projects/([^/]+)/locations/([^/]+)/jobs/([^/]+)")
    def get_job(body: dict[str, Any], match: re.Match[str]) -> Response:
        project, region, name = match.groups()
        jobs: dict[str, Any] = json.loads(Path(os.environ[SCHEDULER_ENV]).read_text())
        if name not in jobs or project != clients.project():
            return 404, _error(404, f"Job not found: projects/{project}/locations/{region}/jobs/{name}")
        return 200, job_resource(project, region, name, jobs[name])

    @app.route("GET", r"/v1/projects/([^/]+)/locations/([^/]+)/builds")
    def list_builds(body: dict[str, Any], match: re.Match[str]) -> Response:
        project, location = match.groups()
        query = _query(body)
        wanted = _COMMIT_FILTER.match(query.get("filter", ""))
        if not wanted:  # the one filter opscheck sends; anything else is not silently "everything"
            return 400, _error(400, f"stand-in: unsupported filter {query.get('filter', '')!r} "
                                    '(only substitutions.COMMIT_SHA="SHA")')
        builds: list[dict[str, Any]] = json.loads(Path(os.environ[BUILDS_ENV]).read_text())
        found = [b for b in builds if project == clients.project() and b["location"] == location
                 and b["substitutions"]["COMMIT_SHA"].startswith(wanted.group(1))]
        found.sort(key=lambda b: b["createTime"], reverse=True)  # ListBuilds answers newest first
        start, size = int(query.get("pageToken") or 0), int(query.get("pageSize") or 25)
        page: dict[str, Any] = {"builds": [{k: v for k, v in b.items() if k != "location"}
                                           for b in found[start:start + size]]}
        if start + size < len(found):
            page["nextPageToken"] = str(start + size)
        return 200, page

    _RUNNING.append(_serve_grpc(int(os.environ[MONITORING_PORT_ENV]), clients.subscriber()))
    return app


def _query(body: dict[str, Any]) -> dict[str, str]:
    """A GET's query parameters (App hands them over in the body's `_query`)."""
    found: dict[str, str] = body.get("_query", {})
    return found


def _serve_grpc(port: int, subscriber: Any) -> Any:
    """Start Monitoring's ListTimeSeries and Logging's ListLogEntries (the clients' own messages on the wire)."""
    import grpc
    from google.cloud import monitoring_v3

    from opscheck.sandbox.services import logs

    def list_time_series(request: Any, context: Any) -> Any:
        if os.environ.get("SANDBOX_DENY") == "1":  # IAM refuses the caller, as App does for the REST APIs
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "Permission monitoring.timeSeries.list denied")
        if PUSH_REQUESTS in request.filter:
            series = _push_series(request.filter, request.interval)
        else:
            series = _backlog_series(request.filter, subscriber)
        return monitoring_v3.ListTimeSeriesResponse(time_series=series)

    handler = grpc.method_handlers_generic_handler("google.monitoring.v3.MetricService", {
        "ListTimeSeries": grpc.unary_unary_rpc_method_handler(
            list_time_series,
            request_deserializer=monitoring_v3.ListTimeSeriesRequest.deserialize,
            response_serializer=monitoring_v3.ListTimeSeriesResponse.serialize,
        ),
    })
    server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler, logs.handler()))
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server


def _backlog_series(text: str, sub: Any) -> list[Any]:
    from google.cloud import monitoring_v3

    metric = re.search(r'metric\.type\s*=\s*"([^"]+)"', text)
    subscription = re.search(r'subscription_id\s*=\s*"([^"]+)"', text)
    if not metric or not subscription or metric.group(1) not in (UNDELIVERED, OLDEST_AGE):
        return []
    path_ = f"projects/{clients.project()}/subscriptions/{subscription.group(1)}"
    try:
        response = sub.pull(request={"subscription": path_, "max_messages": 1000,
                                     "return_immediately": True}, timeout=10)
    except Exception:  # a misnamed or deleted subscription: Google answers with no series, not NotFound
        return []
    received = list(response.received_messages)
    if not received:  # an idle subscription: Google writes no points, so there is no series
        return []
    if received:
        sub.modify_ack_deadline(request={"subscription": path_, "ack_deadline_seconds": 0,
                                         "ack_ids": [m.ack_id for m in received]}, timeout=10)
    now = dt.datetime.now(dt.UTC)
    if metric.group(1) == UNDELIVERED:
        value = len(received)
    else:
        value = int(max(((now - m.message.publish_time).total_seconds() for m in received), default=0))
    return [monitoring_v3.TimeSeries(
        metric={"type": metric.group(1)},
        resource={"type": "pubsub_subscription",
                  "labels": {"project_id": clients.project(),
                             "subscription_id": subscription.group(1)}},
        points=[{"interval": {"start_time": now, "end_time": now},
                 "value": {"int64_value": value}}],
    )]


def _push_series(text: str, interval: Any) -> list[Any]:
    """`push_request_count` by response class, counted from the worker's request log.

    Cloud Monitoring counts the responses the push endpoint gave; the worker's
    log is where the local platform keeps them. No push in the window: no
    series, as on Google Cloud.
    """
    from google.cloud import monitoring_v3

    subscription = re.search(r'subscription_id\s*=\s*"([^"]+)"', text)
    log = os.environ.get(WORKER_LOG_ENV, "")
    if not subscription or not log or not os.path.exists(log):
        return []
    start, end = interval.start_time, interval.end_time
    counts: dict[str, int] = {}
    with open(log, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            match = _PUSH_LINE.match(line)
            if not match:
                continue
            try:
                when = dt.datetime.fromisoformat(match.group(1))
            except ValueError:
                continue
            if start <= when <= end:
                code = int(match.group(2))
                label = "ack" if code in ACK_CODES else f"remote_server_{code // 100}xx"
                counts[label] = counts.get(label, 0) + 1
    return [monitoring_v3.TimeSeries(
        metric={"type": PUSH_REQUESTS, "labels": {"response_class": label}},
        resource={"type": "pubsub_subscription",
                  "labels": {"project_id": clients.project(), "subscription_id": subscription.group(1)}},
        metric_kind="DELTA", value_type="INT64",
        points=[{"interval": {"start_time": start, "end_time": end}, "value": {"int64_value": count}}],
    ) for label, count in sorted(counts.items())]


def _error(code: int, message: str) -> dict[str, Any]:
    status = {404: "NOT_FOUND", 400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED"}.get(code, "UNKNOWN")
    return {"error": {"code": code, "message": message, "status": status}}
