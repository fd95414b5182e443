"""Pub/Sub gateway: topic and subscription descriptions, publish, backlog.

The delivery probes need a subscription's whole configuration (push endpoint,
OIDC auth, ack deadline, dead-letter and retry policies) as one plain record,
so a check can compare it field by field and name the field that is wrong.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Mapping
from typing import Any, TypedDict

from opscheck.config import Config
from opscheck.delivery import contract
from opscheck.errors import NotFoundError
from opscheck.platform import auth, shapes
from opscheck.platform.channel import Channel, ErrorTranslator, bounded_retry, insecure_channel, tls_endpoint
from opscheck.platform.shapes import Count, Number, Timestamp

_PULL_MAX = 1000


class SubscriptionInfo(TypedDict):
    name: str
    topic: str
    push_endpoint: str | None
    oidc_service_account: str | None
    oidc_audience: str | None
    ack_deadline_seconds: Count
    dead_letter_topic: str | None
    max_delivery_attempts: Count | None
    retry_minimum_backoff_seconds: Number | None
    retry_maximum_backoff_seconds: Number | None
    expiration_ttl_seconds: Number | None  # None: never expires


class Backlog(TypedDict):
    subscription: str
    count: Count
    oldest_age_seconds: Number | None
    batches: list[str]  # distinct batch_id attributes of the waiting messages
    probes: Count  # how many of them are opscheck probe messages


class Received(TypedDict):
    message_id: str
    attributes: dict[str, str]
    publish_time: Timestamp
    received_at: Timestamp


shapes.at_most(Backlog, ("probes", "count"))


class PubSub:
    """Describes and probes the request topic and its subscriptions."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel
        self._errors = ErrorTranslator("pubsub", config)

    def topic_path(self, name: str) -> str:
        return f"projects/{self._config.gcp.project}/topics/{name}"

    def subscription_path(self, name: str) -> str:
        return f"projects/{self._config.gcp.project}/subscriptions/{name}"

    @functools.cached_property
    def _publisher(self) -> Any:
        from google.cloud import pubsub_v1  # type: ignore[attr-defined]
        from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

        channel = insecure_channel(self._config.endpoints.pubsub)
        if channel is not None:
            return pubsub_v1.PublisherClient(transport=PublisherGrpcTransport(channel=channel))
        return pubsub_v1.PublisherClient(credentials=auth.credentials(self._config),
                                         client_options=tls_endpoint(self._config.endpoints.pubsub))

    @functools.cached_property
    def _subscriber(self) -> Any:
        from google.cloud import pubsub_v1  # type: ignore[attr-defined]
        from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

        channel = insecure_channel(self._config.endpoints.pubsub)
        if channel is not None:
            return pubsub_v1.SubscriberClient(transport=SubscriberGrpcTransport(channel=channel))
        return pubsub_v1.SubscriberClient(credentials=auth.credentials(self._config),
                                          client_options=tls_endpoint(self._config.endpoints.pubsub))

    def subscription(self, name: str) -> SubscriptionInfo:
        """The subscription's delivery configuration."""
        info: SubscriptionInfo = self._channel.call(
            "pubsub", "subscription", {"subscription": name}, lambda: self._subscription(name), shape=SubscriptionInfo
        )
        return info

    def topic_exists(self, name: str) -> bool:
        """Whether the topic exists (a missing dead-letter topic is a finding, not a crash)."""
        exists: bool = self._channel.call(
            "pubsub", "topic_exists", {"topic": name}, lambda: self._topic_exists(name), shape=bool
        )
        return exists

    def topic_subscriptions(self, topic: str) -> list[str]:
        """Short names of the subscriptions attached to `topic`."""
        names: list[str] = self._channel.call(
            "pubsub", "topic_subscriptions", {"topic": topic}, lambda: self._topic_subscriptions(topic), shape=list[str]
        )
        return names

    def publish(self, topic: str, data: bytes, attributes: Mapping[str, str]) -> str:
        """Publish one message; returns its message id."""
        args = {"topic": topic, "data": data.decode(errors="replace"), "attributes": dict(attributes)}
        message_id: str = self._channel.call(
            "pubsub", "publish", args, lambda: self._publish(topic, data, attributes), shape=str
        )
        return message_id

    def backlog(self, subscription: str) -> Backlog:
        """Messages waiting on a pull subscription, and the oldest one's age.

        Counted by pulling without waiting and handing every message straight
        back (ack deadline 0): the emulator has no metrics, and a dead-letter
        subscription is a pull subscription. Nothing is acknowledged.
        """
        result: Backlog = self._channel.call(
            "pubsub", "backlog", {"subscription": subscription}, lambda: self._backlog(subscription), shape=Backlog
        )
        return result

    def create_subscription(self, name: str, topic: str, filter: str = "", ttl_seconds: int = 86400) -> str:  # noqa: A002
        """A pull subscription on `topic` that expires if left behind (a probe's); returns its name."""
        args = {"subscription": name, "topic": topic, "filter": filter, "ttl_seconds": ttl_seconds}
        created: str = self._channel.call("pubsub", "create_subscription", args,
                                          lambda: self._create(name, topic, filter, ttl_seconds), shape=str)
        return created

    def delete_subscription(self, name: str) -> bool:
        """Delete a subscription; False when it was already gone."""
        deleted: bool = self._channel.call("pubsub", "delete_subscription", {"subscription": name},
                                           lambda: self._delete(name), shape=bool)
        return deleted

    def subscriptions(self, prefix: str) -> list[str]:
        """Short names of the project's subscriptions starting with `prefix` (leftovers to clean)."""
        names: list[str] = self._channel.call("pubsub", "subscriptions", {"prefix": prefix},
                                              lambda: self._subscriptions(prefix), shape=list[str])
        return names

    def pull(self, subscription: str, max_messages: int = 100) -> list[Received]:
        """Messages waiting on a pull subscription, acknowledged (a probe's own subscription)."""
        got: list[Received] = self._channel.call(
            "pubsub", "pull", {"subscription": subscription, "max_messages": max_messages},
            lambda: self._pull(subscription, max_messages), shape=list[Received])
        return got

    def purge(self, subscription: str, attribute: str) -> int:
        """Acknowledge the waiting messages that carry `attribute`, hand the rest straight back."""
        purged: int = self._channel.call("pubsub", "purge", {"subscription": subscription, "attribute": attribute},
                                         lambda: self._purge(subscription, attribute), shape=int)
        return purged

    def _timeout(self) -> float:
        return self._config.endpoints.timeout_seconds

    def _create(self, name: str, topic: str, filter: str, ttl_seconds: int) -> str:  # noqa: A002
        request: dict[str, Any] = {
            "name": self.subscription_path(name), "topic": self.topic_path(topic), "ack_deadline_seconds": 10,
            "expiration_policy": {"ttl": {"seconds": ttl_seconds}},
            "message_retention_duration": {"seconds": 600},
        }
        if filter:
            request["filter"] = filter
        with self._errors(f"subscription {name}"):
            self._subscriber.create_subscription(request=request, timeout=self._timeout(),
                                                 retry=bounded_retry(self._timeout()))
        return name

    def _delete(self, name: str) -> bool:
        try:
            with self._errors(f"subscription {name}"):
                self._subscriber.delete_subscription(subscription=self.subscription_path(name),
                                                     timeout=self._timeout(), retry=bounded_retry(self._timeout()))
        except NotFoundError:
            return False
        return True

    def _subscriptions(self, prefix: str) -> list[str]:
        with self._errors(f"subscriptions of {self._config.gcp.project}"):
            found = self._subscriber.list_subscriptions(
                request={"project": f"projects/{self._config.gcp.project}"}, timeout=self._timeout(),
                retry=bounded_retry(self._timeout()))
            names = [str(s.name).rsplit("/", 1)[-1] for s in found]
        return sorted(n for n in names if n.startswith(prefix))

    def _pull_now(self, subscription: str, max_messages: int) -> list[Any]:
        # A peek must answer at once rather than wait for messages that do not exist, so it sets
        # return_immediately; the client warns that is discouraged (for throughput), not removed.
        with self._errors(f"subscription {subscription}"), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The return_immediately flag", category=DeprecationWarning)
            response = self._subscriber.pull(
                request={"subscription": self.subscription_path(subscription), "max_messages": max_messages,
                         "return_immediately": True},
                timeout=self._timeout(), retry=bounded_retry(self._timeout()))
        return list(response.received_messages)

    def _answer(self, subscription: str, ack: list[str], nack: list[str]) -> None:
        path = self.subscription_path(subscription)
        with self._errors(f"subscription {subscription}"):
            if ack:
                self._subscriber.acknowledge(request={"subscription": path, "ack_ids": ack},
                                             timeout=self._timeout())
            if nack:
                self._subscriber.modify_ack_deadline(
                    request={"subscription": path, "ack_ids": nack, "ack_deadline_seconds": 0},
                    timeout=self._timeout())

    def _pull(self, subscription: str, max_messages: int) -> list[Received]:
        received = self._pull_now(subscription, max_messages)
        now = dt.datetime.now(dt.UTC).isoformat()
        self._answer(subscription, [m.ack_id for m in received], [])
        return [{"message_id": str(m.message.message_id), "attributes": dict(m.message.attributes),
                 "publish_time": m.message.publish_time.isoformat(), "received_at": now} for m in received]

    def _purge(self, subscription: str, attribute: str) -> int:
        received = self._pull_now(subscription, _PULL_MAX)
        ours = [m.ack_id for m in received if attribute in m.message.attributes]
        self._answer(subscription, ours, [m.ack_id for m in received if attribute not in m.message.attributes])
        return len(ours)

    def _subscription(self, name: str) -> SubscriptionInfo:
        with self._errors(f"subscription {name}"):
            sub = self._subscriber.get_subscription(
                subscription=self.subscription_path(name), timeout=self._timeout(),
                retry=bounded_retry(self._timeout()),
            )
        push = sub.push_config
        oidc = push.oidc_token if push and push.push_endpoint else None
        dead = sub.dead_letter_policy
        retry = sub.retry_policy
        has_retry = retry is not None and (retry.minimum_backoff or retry.maximum_backoff)
        return {
            "name": name,
            "topic": sub.topic.rsplit("/", 1)[-1],
            "push_endpoint": push.push_endpoint or None,
            "oidc_service_account": (oidc.service_account_email or None) if oidc else None,
            "oidc_audience": (oidc.audience or None) if oidc else None,
            "ack_deadline_seconds": int(sub.ack_deadline_seconds),
            "dead_letter_topic": dead.dead_letter_topic.rsplit("/", 1)[-1] if dead.dead_letter_topic else None,
            "max_delivery_attempts": int(dead.max_delivery_attempts) if dead.dead_letter_topic else None,
            "retry_minimum_backoff_seconds": _seconds(retry.minimum_backoff) if has_retry else None,
            "retry_maximum_backoff_seconds": _seconds(retry.maximum_backoff) if has_retry else None,
            # A TTL of 0 (or no policy) is "never"; Pub/Sub's default is 31 days of inactivity.
            "expiration_ttl_seconds": (_seconds(sub.expiration_policy.ttl) or None) if sub.expiration_policy else None,
        }

    def _topic_exists(self, name: str) -> bool:
        try:
            with self._errors(f"topic {name}"):
                self._publisher.get_topic(topic=self.topic_path(name), timeout=self._timeout(),
                                         retry=bounded_retry(self._timeout()))
        except NotFoundError:
            return False
        return True

    def _topic_subscriptions(self, topic: str) -> list[str]:
        with self._errors(f"topic {topic}"):
            paths = self._publisher.list_topic_subscriptions(
                topic=self.topic_path(topic), timeout=self._timeout(),
                retry=bounded_retry(self._timeout()),
            )
            return sorted(str(path).rsplit("/", 1)[-1] for path in paths)

    def _publish(self, topic: str, data: bytes, attributes: Mapping[str, str]) -> str:
        with self._errors(f"topic {topic}"):
            future = self._publisher.publish(self.topic_path(topic), data, **attributes)
            message_id: str = future.result(timeout=self._timeout())
        return message_id

    def _backlog(self, subscription: str) -> Backlog:
        received = self._pull_now(subscription, _PULL_MAX)
        self._answer(subscription, [], [m.ack_id for m in received])
        now = dt.datetime.now(dt.UTC)
        ages = [(now - m.message.publish_time).total_seconds() for m in received]
        return {
            "subscription": subscription,
            "count": len(received),
            "oldest_age_seconds": round(max(ages), 3) if ages else None,
            "batches": sorted({str(m.message.attributes["batch_id"]) for m in received
                               if "batch_id" in m.message.attributes}),
            "probes": sum(1 for m in received if contract.PROBE_ATTRIBUTE in m.message.attributes),
        }


def _seconds(duration: Any) -> float | None:
    """A protobuf Duration (proto-plus gives a timedelta) in seconds."""
    if duration is None:
        return None
    if isinstance(duration, dt.timedelta):
        return duration.total_seconds()
    return float(duration.seconds) + float(getattr(duration, "nanos", 0)) / 1e9
