"""Logging v2 `ListLogEntries` over the services' own structured log lines.

Each service writes one JSON object a line on stdout (services/__init__.py: `App.log`); on Cloud Run
those become entries of `run.googleapis.com/stdout` on the `cloud_run_revision` resource, with the
line's `severity` and its other fields as `jsonPayload` (https://cloud.google.com/run/docs/logging).
Here they are read from each service's log file. Plain-text lines are entries of severity DEFAULT,
which no `severity>=` filter this answers selects, so they are skipped.

Only the filter opscheck sends is understood (opscheck/platform/cloudlogging.py: `errors_filter`);
any other is refused with INVALID_ARGUMENT, as Logging refuses a filter it cannot parse, rather than
answered with every entry.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

from opscheck.sandbox import clients

LOG_DIR_ENV = "SANDBOX_LOG_DIR"
MAX_PAGE = 1000  # entries.list's largest page_size
_NAMES = r'resource\.labels\.service_name="([\w-]+)"'
_FILTER = re.compile(
    r'^resource\.type="cloud_run_revision" AND \((?P<names>' + _NAMES + r'(?: OR ' + _NAMES + r')*)\) AND '
    r'severity>=(?P<severity>[A-Z]+) AND timestamp>="(?P<start>[0-9T:.-]+Z)" AND timestamp<"(?P<end>[0-9T:.-]+Z)"$')


def handler() -> Any:
    """The gRPC handler of google.logging.v2.LoggingServiceV2 (ListLogEntries only)."""
    import grpc
    from google.cloud.logging_v2.types import ListLogEntriesRequest, ListLogEntriesResponse

    return grpc.method_handlers_generic_handler("google.logging.v2.LoggingServiceV2", {
        "ListLogEntries": grpc.unary_unary_rpc_method_handler(
            _list_log_entries,
            request_deserializer=ListLogEntriesRequest.deserialize,
            response_serializer=ListLogEntriesResponse.serialize,
        ),
    })


def _list_log_entries(request: Any, context: Any) -> Any:
    import grpc
    from google.cloud.logging_v2.types import ListLogEntriesResponse, LogEntry
    from google.logging.type import log_severity_pb2

    if os.environ.get("SANDBOX_DENY") == "1":  # IAM refuses the caller, as App does for the REST APIs
        context.abort(grpc.StatusCode.PERMISSION_DENIED, "Permission logging.logEntries.list denied")
    wanted = _FILTER.match(request.filter)
    if wanted is None:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"stand-in: unsupported filter {request.filter!r}")
        raise AssertionError("unreachable: abort raises")
    if list(request.resource_names) != [f"projects/{clients.project()}"]:
        context.abort(grpc.StatusCode.PERMISSION_DENIED, f"no access to {list(request.resource_names)}")
    if request.order_by not in ("", "timestamp asc", "timestamp desc"):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"order_by {request.order_by!r}")
    services = re.findall(r'"([\w-]+)"', wanted["names"])
    floor = log_severity_pb2.LogSeverity.Value(wanted["severity"])
    start, end = (dt.datetime.fromisoformat(wanted[k].replace("Z", "+00:00")) for k in ("start", "end"))
    found = sorted((e for name in services for e in _entries(name)
                    if e[1] >= floor and start <= e[0] < end), key=lambda e: e[0],
                   reverse=request.order_by == "timestamp desc")
    offset = int(request.page_token or 0)
    size = min(request.page_size or 50, MAX_PAGE)
    page = [LogEntry(
        log_name=f"projects/{clients.project()}/logs/run.googleapis.com%2Fstdout",
        resource={"type": "cloud_run_revision", "labels": {"service_name": name, "project_id": clients.project()}},
        severity=severity, timestamp=when, json_payload=payload, insert_id=f"{name}-{index}",
    ) for index, (when, severity, name, payload) in enumerate(found[offset:offset + size], start=offset)]
    token = str(offset + size) if offset + size < len(found) else ""
    return ListLogEntriesResponse(entries=page, next_page_token=token)


def _entries(service: str) -> list[tuple[dt.datetime, int, str, dict[str, Any]]]:
    """The service's structured lines as (time, severity number, service, payload)."""
    from google.logging.type import log_severity_pb2

    path = Path(os.environ[LOG_DIR_ENV]) / f"{service}.log"
    if not path.exists():
        return []
    found = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if not line.startswith("{"):
                continue
            try:
                record = json.loads(line)
                when = dt.datetime.fromisoformat(record.pop("time"))
                severity = log_severity_pb2.LogSeverity.Value(str(record.pop("severity", "DEFAULT")))
            except (ValueError, KeyError):
                continue
            found.append((when, severity, service, record))
    return found
