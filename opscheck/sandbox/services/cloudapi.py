"""Stand-in for the Cloud Run Admin API v2 and the Monitoring API v3 (REST shapes).

No emulator exists for either. The sandbox keeps each service's deployment
(URL, env, scaling, revision, `commit-sha`) in `services.json`; this serves it
in the exact JSON the official `google-cloud-run` client parses, so opscheck's
live Cloud Run gateway runs unchanged against it. Monitoring's backlog metrics
are answered from the Pub/Sub emulator (pull without waiting, hand back).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

from opscheck.sandbox import clients
from opscheck.sandbox.services import App, Response, health

STATE_ENV = "SANDBOX_SERVICES_FILE"
UNDELIVERED = "pubsub.googleapis.com/subscription/num_undelivered_messages"
OLDEST_AGE = "pubsub.googleapis.com/subscription/oldest_unacked_message_age"


def service_resource(project: str, region: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A Cloud Run v2 Service resource in REST JSON."""
    parent = f"projects/{project}/locations/{region}"
    return {
        "name": f"{parent}/services/{name}",
        "uri": spec["uri"],
        "latestReadyRevision": f"{parent}/services/{name}/revisions/{spec['revision']}",
        "latestCreatedRevision": f"{parent}/services/{name}/revisions/{spec['revision']}",
        "template": {
            "labels": {"commit-sha": spec["commit_sha"]},
            "containers": [{
                "image": f"us-west2-docker.pkg.dev/{project}/services/{name}:{spec['commit_sha'][:12]}",
                "env": [{"name": k, "value": v} for k, v in sorted(spec["env"].items())],
            }],
            "scaling": {"minInstanceCount": spec["min_instances"],
                        "maxInstanceCount": spec["max_instances"]},
        },
        "createTime": spec["revision_created"],
        "updateTime": spec["revision_created"],
    }


def build() -> App:
    app = App("cloud-api")
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
        if spec is None or spec["revision"] != revision:
            return 404, _error(404, f"Revision '{revision}' does not exist.")
        return 200, {
            "name": f"projects/{project}/locations/{region}/services/{name}/revisions/{revision}",
            "service": name,
            "labels": {"commit-sha": spec["commit_sha"]},
            "createTime": spec["revision_created"],
            "scaling": {"minInstanceCount": spec["min_instances"],
                        "maxInstanceCount": spec["max_instances"]},
        }

    @app.route("GET", r"/v3/projects/([^/]+)/timeSeries")
    def time_series(body: dict[str, Any], match: re.Match[str]) -> Response:
        return 200, {"timeSeries": _backlog_series(match.string)}

    return app


def _backlog_series(path: str) -> list[dict[str, Any]]:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    text = query.get("filter", [""])[0]
    metric = re.search(r'metric\.type\s*=\s*"([^"]+)"', text)
    subscription = re.search(r'subscription_id\s*=\s*"([^"]+)"', text)
    if not metric or not subscription or metric.group(1) not in (UNDELIVERED, OLDEST_AGE):
        return []
    sub = clients.subscriber()
    path_ = f"projects/{clients.project()}/subscriptions/{subscription.group(1)}"
    response = sub.pull(request={"subscription": path_, "max_messages": 1000,
                                 "return_immediately": True}, timeout=10)
    received = list(response.received_messages)
    if received:
        sub.modify_ack_deadline(request={"subscription": path_, "ack_deadline_seconds": 0,
                                         "ack_ids": [m.ack_id for m in received]}, timeout=10)
    now = dt.datetime.now(dt.timezone.utc)
    if metric.group(1) == UNDELIVERED:
        value = len(received)
    else:
        value = int(max(((now - m.message.publish_time).total_seconds() for m in received), default=0))
    stamp = now.isoformat().replace("+00:00", "Z")
    return [{
        "metric": {"type": metric.group(1)},
        "resource": {"type": "pubsub_subscription",
                     "labels": {"project_id": clients.project(),
                                "subscription_id": subscription.group(1)}},
        "metricKind": "GAUGE", "valueType": "INT64",
        "points": [{"interval": {"startTime": stamp, "endTime": stamp},
                    "value": {"int64Value": str(value)}}],
    }]


def _error(code: int, message: str) -> dict[str, Any]:
    status = {404: "NOT_FOUND", 400: "INVALID_ARGUMENT"}.get(code, "UNKNOWN")
    return {"error": {"code": code, "message": message, "status": status}}
