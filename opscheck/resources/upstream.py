"""Upstream state the morning run depends on: table freshness and the dead-letter backlog."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

from opscheck.platform import Platform
from opscheck.platform.monitoring import BacklogMetrics
from opscheck.platform.pubsub import Backlog, SubscriptionInfo
from opscheck.resources import Warmer, calls_of, once
from opscheck.resources.delivery import Delivery

FRESH_TABLES = ("prop_lines", "schedule", "predictions")


class Tables:
    """When data last landed in the tables the morning run depends on."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        today = platform.config.today()
        # The partitions around today: lines and predictions land for today, the schedule ahead of it.
        self.start, self.end = today - dt.timedelta(days=7), today + dt.timedelta(days=7)

    def warmers(self) -> list[Warmer]:
        return [functools.partial(self.partitions, key) for key in FRESH_TABLES]

    def column(self, key: str) -> str:
        """The table's freshness column ([freshness] in opscheck.toml)."""
        column: str = getattr(self._platform.config.freshness, key)
        return column

    def partitions(self, key: str) -> list[dict[str, Any]]:
        """(game_date, newest, rows) of each partition near today holding rows (once a session)."""
        return calls_of(self).get(key, lambda: self._platform.bigquery.query(
            "freshness", {"table": key, "column": self.column(key)}, start=self.start, end=self.end))

    def landed(self, key: str, day: dt.date | None = None) -> Landed:
        """The newest freshness value and the rows, over the partitions near today, or of `day`'s alone."""
        rows = [r for r in self.partitions(key) if day is None or r["game_date"] == day.isoformat()]
        stamps = [r["newest"] for r in rows if r["newest"] is not None]
        newest = max((dt.datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps), default=None)
        return Landed(newest, sum(int(r["rows"]) for r in rows))


@dataclasses.dataclass(frozen=True)
class Landed:
    """When data last landed: the newest freshness value (None: no row has one) and how many rows there are."""

    newest: dt.datetime | None
    rows: int


class DeadLetters:
    """The dead-letter subscription: that it exists and stays, and what waits on it.

    Monitoring first; when it has no series (Google omits idle subscriptions'),
    the subscription is counted directly, by looking at its messages and
    handing them straight back: "no data" is never read as "0 waiting".
    """

    def __init__(self, platform: Platform, delivery: Delivery) -> None:
        self._platform = platform
        self.subscription = platform.config.pubsub.dead_letter_subscription
        self.delivery = delivery  # the push subscription's dead-letter policy: what makes this queue mean anything

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
