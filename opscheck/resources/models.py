"""The model store's manifest (the source of truth) and the registry table."""

from __future__ import annotations

import functools
from typing import Any

from opscheck import governance
from opscheck.platform import Platform


class Manifest:
    """`manifest.json` of the model store, read once per session."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.path = platform.storage.path(platform.config.models.manifest)

    @functools.cached_property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self._platform.storage.read_json(self.path)
        return data

    @property
    def production(self) -> dict[str, Any]:
        """The entry of the manifest's `production_model`."""
        return governance.production_entry(self.data)

    def by_version(self) -> dict[str, dict[str, Any]]:
        return {m["model_version"]: m for m in self.data["models"]}


class Registry:
    """`model_registry` rows of the production system."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    @functools.cached_property
    def rows(self) -> list[dict[str, Any]]:
        return self._platform.bigquery.query(
            "registry_models", system_id=self._platform.config.models.system_id
        )

    def production(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == "production"]
