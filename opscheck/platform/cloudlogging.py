"""Cloud Logging gateway: the platform services' ERROR-or-worse entries in a time window, summarised.

"No error logs in the coordinator or worker" was read by hand in the backfill investigation. Here it is
one `entries.list` a run: Logging allows 60 reads a minute per project
(https://cloud.google.com/logging/quotas), so the window is read once, in pages of at most 1000 entries
(`page_size`'s maximum), up to a bound (`thresholds.error_logs_read`); what lies beyond the bound is
said, never guessed. The answer is the distinct messages with their counts and first and last times:
a night of errors is a few lines, not a page of entries. The client speaks gRPC only; an `http://`
endpoint (a stand-in) gets a plain-text channel, as Monitoring's does.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from typing import Any, TypedDict

from opscheck.config import Config
from opscheck.platform import auth
from opscheck.platform.channel import Channel, ErrorTranslator, bounded_retry, insecure_channel, tls_endpoint
from opscheck.platform.shapes import Count, Timestamp, utc_timestamp

PAGE = 1000  # entries.list's largest page


class LogMessage(TypedDict):
    service: str
    severity: str
    message: str  # its first line, at most 200 characters
    count: Count
    first: Timestamp
    last: Timestamp


class ErrorSummary(TypedDict):
    filter: str
    read: Count  # entries read, at most the bound
    truncated: bool  # the bound was reached: there may be more
    messages: list[LogMessage]  # most frequent first


def errors_filter(project: str, services: list[str], start: dt.datetime, end: dt.datetime) -> str:
    """The one filter opscheck reads logs with (and the only one the stand-in answers)."""
    names = " OR ".join(f'resource.labels.service_name="{name}"' for name in services)
    return (f'resource.type="cloud_run_revision" AND ({names}) AND severity>=ERROR AND '
            f'timestamp>="{_zulu(start)}" AND timestamp<"{_zulu(end)}"')


class Logging:
    """Reads the platform services' error logs."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel
        self._errors = ErrorTranslator("logging", config)

    @functools.cached_property
    def _client(self) -> Any:
        from google.cloud.logging_v2.services.logging_service_v2 import LoggingServiceV2Client

        channel = insecure_channel(self._config.endpoints.logging)
        if channel is not None:
            from google.cloud.logging_v2.services.logging_service_v2.transports import LoggingServiceV2GrpcTransport

            return LoggingServiceV2Client(transport=LoggingServiceV2GrpcTransport(channel=channel))
        return LoggingServiceV2Client(credentials=auth.credentials(self._config),
                                      client_options=tls_endpoint(self._config.endpoints.logging))

    def errors(self, services: list[str], start: dt.datetime, end: dt.datetime) -> ErrorSummary:
        """ERROR-or-worse entries of `services` in [start, end), by distinct message."""
        text = errors_filter(self._config.gcp.project, services, start, end)
        summary: ErrorSummary = self._channel.call(
            "logging", "errors", {"services": services, "start": _zulu(start), "end": _zulu(end)},
            lambda: self._summary(text), shape=ErrorSummary)
        return summary

    def _summary(self, text: str) -> ErrorSummary:
        bound = self._config.thresholds.error_logs_read
        timeout = self._config.endpoints.timeout_seconds
        request = {"resource_names": [f"projects/{self._config.gcp.project}"], "filter": text,
                   "order_by": "timestamp asc", "page_size": min(PAGE, bound)}
        with self._errors("Cloud Logging entries of the platform's services"):
            pager = self._client.list_log_entries(request=request, timeout=timeout, retry=bounded_retry(timeout))
            entries = list(itertools.islice(pager, bound + 1))  # one past the bound says whether there is more
        from google.logging.type import log_severity_pb2

        grouped: dict[tuple[str, str, str], LogMessage] = {}
        for entry in entries[:bound]:
            service = str(dict(entry.resource.labels).get("service_name", "?"))
            key = (service, str(log_severity_pb2.LogSeverity.Name(int(entry.severity))), _message(entry))
            when = utc_timestamp(entry.timestamp) or ""
            seen = grouped.setdefault(key, {"service": key[0], "severity": key[1], "message": key[2], "count": 0,
                                            "first": when, "last": when})
            seen["count"] += 1
            seen["first"], seen["last"] = min(seen["first"], when), max(seen["last"], when)
        messages = sorted(grouped.values(), key=lambda m: (-m["count"], m["first"]))
        return {"filter": text, "read": min(len(entries), bound), "truncated": len(entries) > bound,
                "messages": messages}


def _message(entry: Any) -> str:
    """What the entry says: a structured log's `message`, else its text payload; first line, bounded."""
    payload = dict(entry.json_payload) if entry.json_payload else {}
    text = str(payload.get("message") or entry.text_payload or "(no message)")
    return text.strip().splitlines()[0][:200] if text.strip() else "(no message)"


def _zulu(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
