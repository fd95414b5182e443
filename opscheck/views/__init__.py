"""The views: one per thing a check asks about, each named once in VIEWS.

A view is a class of this package (a module each) made from a Context; VIEWS maps the name checks ask
for (a fixture of the plugin) to the class. That one line is all a new view needs: the plugin makes its
fixture from it, the session prefetch fills it, and the reports attribute its SQL.

`Views` holds one instance of each per session, so everything that asks for "the predictions" gets
the same object: the fixtures, the prefetch, and the report's trends at the end (which then cost no
query).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TypeVar

from opscheck.platform import Platform
from opscheck.views.backtest import Backtest
from opscheck.views.base import Context, Days, View
from opscheck.views.builds import Builds
from opscheck.views.coordinator import Batch, Coordinator
from opscheck.views.dead_letters import DeadLetters
from opscheck.views.delivery import Delivery
from opscheck.views.drift import Drift
from opscheck.views.error_logs import ErrorLogs
from opscheck.views.expected_commit import ExpectedCommit
from opscheck.views.freshness import Freshness
from opscheck.views.hit_rate import HitRate
from opscheck.views.lines import Lines
from opscheck.views.manifest import Manifest
from opscheck.views.model_registry import ModelRegistry
from opscheck.views.model_usage import ModelUsage
from opscheck.views.morning_job import MorningJob
from opscheck.views.predictions import Predictions
from opscheck.views.production_model import ProductionModel
from opscheck.views.services import HealthAnswer, Services
from opscheck.views.subsets import Subsets
from opscheck.views.team_doc import TeamDoc

VIEWS: dict[str, type[View]] = {
    "predictions": Predictions,
    "manifest": Manifest,
    "registry": ModelRegistry,
    "subsets": Subsets,
    "hit_rate": HitRate,
    "services": Services,
    "freshness": Freshness,
    "dead_letters": DeadLetters,
    "model_usage": ModelUsage,
    "production_model": ProductionModel,
    "team_doc": TeamDoc,
    "delivery": Delivery,
    "expected_commit": ExpectedCommit,
    "coordinator": Coordinator,
    "morning_job": MorningJob,
    "builds": Builds,
    "error_logs": ErrorLogs,
    "lines": Lines,
    "backtest": Backtest,
    "drift": Drift,
}
"""Each view by the name a check asks for it (its fixture)."""

_V = TypeVar("_V", bound=View)


class Views:
    """The session's views, each made on first use from the session's context."""

    def __init__(self, platform: Platform, days: Days, expect_commit: str | None = None,
                 candidate: str | None = None) -> None:
        self.context = Context(platform, days, self, expect_commit, candidate)
        self._lock = threading.RLock()
        self._made: dict[type[View], View] = {}

    @classmethod
    def of(cls, platform: Platform, today: dt.date) -> Views:
        """Views of one day, for a command (diagnose, doctor, registry) rather than a pytest session."""
        return cls(platform, Days.of([today]))

    def made(self, kind: type[_V]) -> _V | None:
        """The session's `kind` view if a check has asked for it (no new call is made for it here)."""
        with self._lock:
            made = self._made.get(kind)
        return made if isinstance(made, kind) else None

    def get(self, kind: type[_V]) -> _V:
        """The session's one `kind` view."""
        with self._lock:
            if kind not in self._made:
                self._made[kind] = kind(self.context)
            made = self._made[kind]
        assert isinstance(made, kind)
        return made


__all__ = ["VIEWS", "Backtest", "Batch", "Context", "Coordinator", "Days", "DeadLetters", "Delivery", "Drift",
           "ExpectedCommit", "Freshness", "HealthAnswer", "HitRate", "Manifest", "ModelRegistry", "ModelUsage",
           "MorningJob", "Predictions", "ProductionModel", "Services", "Subsets", "TeamDoc", "View", "Views"]
