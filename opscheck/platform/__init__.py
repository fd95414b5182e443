"""The platform as checks see it: one object, one lazy gateway per Google service.

Modelled on pytest-testinfra's `host`: `platform.bigquery`, `platform.storage`
and so on are created on first use, so a check that only reads Cloud Storage
never builds a BigQuery client, and an offline run builds none at all.
"""

from __future__ import annotations

import functools

from opscheck.config import Config
from opscheck.platform.bigquery import BigQuery
from opscheck.platform.channel import Channel, LiveChannel
from opscheck.platform.checkout import Checkout
from opscheck.platform.cloudbuild import CloudBuild
from opscheck.platform.cloudlogging import Logging
from opscheck.platform.cloudrun import CloudRun
from opscheck.platform.http import Http
from opscheck.platform.monitoring import Monitoring
from opscheck.platform.pubsub import PubSub
from opscheck.platform.scheduler import Scheduler
from opscheck.platform.storage import Storage

__all__ = ["Platform"]


class Platform:
    """Every gateway, bound to one configuration and one channel."""

    def __init__(self, config: Config, channel: Channel | None = None) -> None:
        self.config = config
        self.channel: Channel = channel if channel is not None else LiveChannel()

    @functools.cached_property
    def bigquery(self) -> BigQuery:
        return BigQuery(self.config, self.channel)

    @functools.cached_property
    def storage(self) -> Storage:
        return Storage(self.config, self.channel)

    @functools.cached_property
    def pubsub(self) -> PubSub:
        return PubSub(self.config, self.channel)

    @functools.cached_property
    def run(self) -> CloudRun:
        return CloudRun(self.config, self.channel)

    @functools.cached_property
    def scheduler(self) -> Scheduler:
        return Scheduler(self.config, self.channel)

    @functools.cached_property
    def build(self) -> CloudBuild:
        return CloudBuild(self.config, self.channel)

    @functools.cached_property
    def logging(self) -> Logging:
        return Logging(self.config, self.channel)

    @functools.cached_property
    def http(self) -> Http:
        return Http(self.config, self.channel)

    @functools.cached_property
    def monitoring(self) -> Monitoring:
        return Monitoring(self.config, self.channel)

    @functools.cached_property
    def checkout(self) -> Checkout:
        return Checkout(self.config, self.channel)
