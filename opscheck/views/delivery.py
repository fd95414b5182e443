"""Pub/Sub's side of delivery: the push subscription, its backlog and responses, the dead-letter topic.

Incident 9's backfills stalled with every part looking healthy on its own; the delivery probes, the
diagnosis and the deploy gate read the parts together, each part once a session.
"""

from __future__ import annotations

from opscheck.platform.monitoring import BacklogMetrics
from opscheck.platform.pubsub import Backlog, SubscriptionInfo
from opscheck.views.base import Context, View, Warmer, once


class Delivery(View):
    """Pub/Sub's side of delivery: the push subscription, its backlog, the dead-letter topic."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.config = self._platform.config.pubsub
        self.recent_minutes = self._platform.config.probes.recent_minutes

    @once
    def push(self) -> SubscriptionInfo:
        """The push subscription as Pub/Sub describes it."""
        return self._platform.pubsub.subscription(self.config.push_subscription)

    @once
    def push_backlog(self) -> BacklogMetrics:
        """Undelivered requests and the oldest one's age (Monitoring; None where it has no series)."""
        return self._platform.monitoring.subscription_backlog(self.config.push_subscription)

    @once
    def push_responses(self) -> dict[str, int]:
        """Recent push responses by class (`ack`, `remote_server_5xx`, …); {} is "no series"."""
        return self._platform.monitoring.push_responses(self.config.push_subscription, self.recent_minutes)

    @once
    def dead_letter_subscriptions(self) -> list[str]:
        """Subscriptions on the dead-letter topic: none means dead letters are silently lost."""
        return self._platform.pubsub.topic_subscriptions(self.config.dead_letter_topic)

    @once
    def dead_letter_peek(self) -> Backlog:
        """The dead-letter subscription's waiting messages, looked at and handed back (batch ids)."""
        return self._platform.pubsub.backlog(self.config.dead_letter_subscription)

    def warmers(self) -> list[Warmer]:
        return [lambda: self.push, lambda: self.dead_letter_subscriptions]
