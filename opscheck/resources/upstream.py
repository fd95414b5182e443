"""Upstream state the morning run depends on: table freshness and the dead-letter backlog."""

from __future__ import annotations

import functools

from opscheck.platform import Platform
from opscheck.platform.bigquery import TableInfo
from opscheck.platform.monitoring import BacklogMetrics
from opscheck.resources import Warmer, calls_of, once

FRESH_TABLES = ("prop_lines", "schedule", "predictions")


class Tables:
    """Metadata of the configured tables whose freshness matters."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    def warmers(self) -> list[Warmer]:
        return [functools.partial(self.info, key) for key in FRESH_TABLES]

    def info(self, key: str) -> TableInfo:
        """The table's metadata (once a session)."""
        return calls_of(self).get(key, lambda: self._platform.bigquery.table(key))


class DeadLetters:
    """The dead-letter subscription's backlog, from Monitoring."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.subscription = platform.config.pubsub.dead_letter_subscription

    def warmers(self) -> list[Warmer]:
        return [lambda: self.backlog]

    @once
    def backlog(self) -> BacklogMetrics:
        return self._platform.monitoring.subscription_backlog(self.subscription)
