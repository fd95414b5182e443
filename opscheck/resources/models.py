"""The model store's manifest (the source of truth) and the registry table."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from opscheck import governance
from opscheck.platform import Platform
from opscheck.resources import Warmer


class Manifest:
    """`manifest.json` of the model store, read once per session."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.path = platform.storage.path(platform.config.models.manifest)

    @functools.cached_property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self._platform.storage.read_json(self.path)
        return data

    def warmers(self) -> list[Warmer]:
        return [lambda: self.data]

    @property
    def production(self) -> dict[str, Any]:
        """The entry of the manifest's `production_model`."""
        return governance.production_entry(self.data)

    def by_version(self) -> dict[str, dict[str, Any]]:
        return {m["model_version"]: m for m in self.data["models"]}

    def serving_on(self, day: dt.date) -> dict[str, Any]:
        """The model that should have made `day`'s predictions.

        The production model from the day it was created; before that, the
        newest retired model created by then (retired models are former
        production models). Shadow models never serve. Validating a past date
        against today's production model would flag every day before a deploy.
        """
        production = self.production
        if _created(production) <= day:
            return production
        former = [m for m in self.data["models"] if m["status"] == "retired" and _created(m) <= day]
        return max(former, key=_created) if former else production


def _created(entry: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(str(entry["created_at"])[:10])


class Registry:
    """`model_registry` rows of the production system."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    @functools.cached_property
    def rows(self) -> list[dict[str, Any]]:
        return self._platform.bigquery.query(
            "registry_models", system_id=self._platform.config.models.system_id
        )

    def warmers(self) -> list[Warmer]:
        return [lambda: self.rows]

    def production(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == "production"]
