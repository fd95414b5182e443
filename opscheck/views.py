"""One instance of each view a session, shared by the checks' fixtures and the reports.

A view's answers are memoised on the instance, so everything that asks for
"the predictions" must get the same object: the fixtures, the session
prefetch, and the report's trends at the end (which then cost no query).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from opscheck.platform import Platform
from opscheck.resources import Days
from opscheck.resources.delivery import Coordinator, Delivery
from opscheck.resources.models import Manifest, ModelUsage, ProductionModel, Registry, TeamDoc
from opscheck.resources.outcomes import HitRate, Subsets
from opscheck.resources.predictions import Predictions
from opscheck.resources.services import Services
from opscheck.resources.upstream import DeadLetters, Tables

_V = TypeVar("_V")


class Views:
    """The session's views, made on first use."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._lock = threading.RLock()
        self._made: dict[str, object] = {}

    def _one(self, name: str, make: Callable[[], _V]) -> _V:
        with self._lock:
            if name not in self._made:
                self._made[name] = make()
            found: _V = self._made[name]  # type: ignore[assignment]
            return found

    def predictions(self, days: Days) -> Predictions:
        return self._one("predictions", lambda: Predictions(self._platform, days))

    def hit_rate(self, days: Days) -> HitRate:
        return self._one("hit_rate", lambda: HitRate(self._platform, days))

    def subsets(self, days: Days) -> Subsets:
        return self._one("subsets", lambda: Subsets(self._platform, days))

    def model_usage(self, days: Days) -> ModelUsage:
        return self._one("model_usage", lambda: ModelUsage(self._platform, days))

    def manifest(self) -> Manifest:
        return self._one("manifest", lambda: Manifest(self._platform))

    def registry(self) -> Registry:
        return self._one("registry", lambda: Registry(self._platform))

    def production_model(self) -> ProductionModel:
        return self._one("production_model", lambda: ProductionModel(self._platform, self.manifest()))

    def team_doc(self) -> TeamDoc:
        return self._one("team_doc", lambda: TeamDoc(self._platform))

    def services(self) -> Services:
        return self._one("services", lambda: Services(self._platform))

    def tables(self) -> Tables:
        return self._one("tables", lambda: Tables(self._platform))

    def dead_letters(self) -> DeadLetters:
        return self._one("dead_letters", lambda: DeadLetters(self._platform, self.delivery()))

    def delivery(self) -> Delivery:
        return self._one("delivery", lambda: Delivery(self._platform))

    def coordinator(self) -> Coordinator:
        return self._one("coordinator", lambda: Coordinator(self._platform))
