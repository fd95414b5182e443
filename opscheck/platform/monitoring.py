"""Cloud Monitoring gateway: a subscription's backlog metrics when live.

On Google Cloud a push subscription's backlog is only visible as metrics
(`num_undelivered_messages`, `oldest_unacked_message_age`); this reads the
latest point of each over the last window. The client speaks gRPC only; an
`http://` endpoint (a stand-in) gets a plain-text channel, as Pub/Sub's does.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, TypedDict

from opscheck.config import Config
from opscheck.platform import auth
from opscheck.platform.channel import Channel, ErrorTranslator, bounded_retry, insecure_channel, tls_endpoint
from opscheck.platform.shapes import Count, Number

UNDELIVERED = "pubsub.googleapis.com/subscription/num_undelivered_messages"
OLDEST_AGE = "pubsub.googleapis.com/subscription/oldest_unacked_message_age"
PUSH_REQUESTS = "pubsub.googleapis.com/subscription/push_request_count"
# Gauges are sampled every 60 s and can take minutes to appear, so the latest value is read from a
# half-hour window aligned to 5-minute maxima: sparse points still give an answer.
_WINDOW = dt.timedelta(minutes=30)
_ALIGNMENT = dt.timedelta(minutes=5)


class BacklogMetrics(TypedDict):
    subscription: str
    undelivered: Count | None
    oldest_unacked_age_seconds: Number | None


class Monitoring:
    """Reads Pub/Sub delivery metrics."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel
        self._errors = ErrorTranslator("monitoring", config)

    @functools.cached_property
    def _client(self) -> Any:
        from google.cloud import monitoring_v3

        channel = insecure_channel(self._config.endpoints.monitoring)
        if channel is not None:
            from google.cloud.monitoring_v3.services.metric_service.transports import (
                MetricServiceGrpcTransport,
            )

            return monitoring_v3.MetricServiceClient(
                transport=MetricServiceGrpcTransport(channel=channel)
            )
        return monitoring_v3.MetricServiceClient(
            credentials=auth.credentials(self._config),
            client_options=tls_endpoint(self._config.endpoints.monitoring),
        )

    def subscription_backlog(self, subscription: str) -> BacklogMetrics:
        """Latest undelivered count and oldest unacked age (None where no point exists)."""
        metrics: BacklogMetrics = self._channel.call(
            "monitoring",
            "subscription_backlog",
            {"subscription": subscription},
            lambda: self._backlog(subscription), shape=BacklogMetrics
        )
        return metrics

    def push_responses(self, subscription: str, minutes: int) -> dict[str, int]:
        """Push requests of the last `minutes` by response class (`ack`, `remote_server_5xx`, …).

        An empty mapping is "no series": nothing was pushed in the window, or
        Monitoring has no data; never read it as "every push succeeded".
        """
        counts: dict[str, int] = self._channel.call(
            "monitoring", "push_responses", {"subscription": subscription, "minutes": minutes},
            lambda: self._push_responses(subscription, minutes), shape=dict[str, Count]
        )
        return counts

    def _push_responses(self, subscription: str, minutes: int) -> dict[str, int]:
        series = self._series(PUSH_REQUESTS, subscription, dt.timedelta(minutes=minutes))
        counts: dict[str, int] = {}
        for one in series:
            label = str(dict(one.metric.labels).get("response_class", "unknown"))
            counts[label] = counts.get(label, 0) + sum(int(p.value.int64_value) for p in one.points)
        return counts

    def _series(self, metric: str, subscription: str, window: dt.timedelta, aligned: bool = False) -> list[Any]:
        """Every series of `metric` for `subscription` with points in the window.

        None may come back: Monitoring lists only series with points in the
        interval (ListTimeSeriesRequest.interval, google-cloud-monitoring), so
        a misnamed, deleted, expired or idle subscription has no series at all.
        """
        from google.cloud import monitoring_v3

        now = dt.datetime.now(dt.UTC)
        interval = monitoring_v3.TimeInterval(end_time=now, start_time=now - window)
        request: dict[str, Any] = {
            "name": f"projects/{self._config.gcp.project}",
            "filter": (
                f'metric.type = "{metric}" AND resource.type = "pubsub_subscription" '
                f'AND resource.labels.subscription_id = "{subscription}"'
            ),
            "interval": interval,
            "view": monitoring_v3.ListTimeSeriesRequest.TimeSeriesView.FULL,
        }
        if aligned:
            request["aggregation"] = {"alignment_period": _ALIGNMENT,
                                      "per_series_aligner": monitoring_v3.Aggregation.Aligner.ALIGN_MAX}
        with self._errors(f"metric {metric.rsplit('/', 1)[-1]} of {subscription}"):
            return list(
                self._client.list_time_series(
                    request=request, timeout=self._config.endpoints.timeout_seconds,
                    retry=bounded_retry(self._config.endpoints.timeout_seconds),
                )
            )

    def _latest(self, metric: str, subscription: str) -> float | None:
        points = [p for s in self._series(metric, subscription, _WINDOW, aligned=True) for p in s.points]
        if not points:
            return None
        latest = max(points, key=lambda p: p.interval.end_time)
        value = latest.value
        return float(value.int64_value or value.double_value or 0)

    def _backlog(self, subscription: str) -> BacklogMetrics:
        undelivered = self._latest(UNDELIVERED, subscription)
        age = self._latest(OLDEST_AGE, subscription)
        return {
            "subscription": subscription,
            "undelivered": int(undelivered) if undelivered is not None else None,
            "oldest_unacked_age_seconds": age,
        }
