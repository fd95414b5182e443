"""The dead-letter side of delivery: the subscription on the dead-letter topic, and what waits on it."""

from __future__ import annotations

from opscheck.platform.monitoring import BacklogMetrics
from opscheck.platform.pubsub import Backlog, SubscriptionInfo
from opscheck.views.base import Context, View, Warmer, once
from opscheck.views.delivery import Delivery


class DeadLetters(View):
    """The dead-letter subscription: that it exists and stays, and what waits on it.

    Monitoring first; when it has no series (Google omits idle subscriptions'),
    the subscription is counted directly, by looking at its messages and
    handing them straight back: "no data" is never read as "0 waiting".
    """

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.subscription = self._platform.config.pubsub.dead_letter_subscription
        # The push subscription's dead-letter policy: what makes this queue mean anything.
        self.delivery = context.views.get(Delivery)

    def warmers(self) -> list[Warmer]:
        # The count follows Monitoring's answer in the same thread, not after every other call of the session.
        return [lambda: self.info, lambda: self.delivery.push,
                lambda: self.counted if self.backlog["undelivered"] is None else None]

    @once
    def info(self) -> SubscriptionInfo:
        """The subscription as Pub/Sub describes it (NotFoundError when it does not exist)."""
        return self._platform.pubsub.subscription(self.subscription)

    @once
    def backlog(self) -> BacklogMetrics:
        return self._platform.monitoring.subscription_backlog(self.subscription)

    @once
    def counted(self) -> Backlog:
        """The waiting messages counted by looking (needs roles/pubsub.subscriber on it)."""
        return self._platform.pubsub.backlog(self.subscription)
