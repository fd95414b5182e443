"""The `model_registry` table: what it says about the system's models, to be held against the manifest."""

from __future__ import annotations

from typing import Any

from opscheck.views.base import View, Warmer, once


class ModelRegistry(View):
    """`model_registry` rows of the production system."""

    @once
    def rows(self) -> list[dict[str, Any]]:
        return self._platform.bigquery.query(
            "registry_models", system_id=self._platform.config.models.system_id
        )

    def warmers(self) -> list[Warmer]:
        return [lambda: self.rows]

    def production(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == "production"]
