"""The request topic's delivery path: the push subscription, the dead-letter side, the coordinator.

Incident 9's backfills stalled with every part looking healthy on its own;
the delivery probes and the deploy gate read the parts together.
"""

from __future__ import annotations

from opscheck.platform import Platform
from opscheck.platform.pubsub import SubscriptionInfo
from opscheck.resources import Warmer, once


class Delivery:
    """Pub/Sub's side of delivery: the push subscription's configuration."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.config = platform.config.pubsub

    @once
    def push(self) -> SubscriptionInfo:
        """The push subscription as Pub/Sub describes it."""
        return self._platform.pubsub.subscription(self.config.push_subscription)

    def warmers(self) -> list[Warmer]:
        return [lambda: self.push]
