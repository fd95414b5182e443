"""`manifest.json` of the model store: the source of truth every other place that describes a model derives from.

The registry table, the object's bytes and the team doc describe the same model and must agree with it
(opscheck/governance derives everything from it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opscheck import governance
from opscheck.errors import DataError
from opscheck.views.base import Context, View, Warmer, once


class Manifest(View):
    """`manifest.json` of the model store, read once per session."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.path = self._platform.storage.path(self._platform.config.models.manifest)
        self.system_id = self._platform.config.models.system_id

    @once
    def data(self) -> dict[str, Any]:
        data = self._platform.storage.read_json(self.path)
        if not isinstance(data, dict):
            raise DataError(f"{self.path}: not a manifest (a JSON object with production_model and models)")
        return data

    def warmers(self) -> list[Warmer]:
        return [lambda: self.data]

    @once
    def problems(self) -> list[governance.Problem]:
        """Everything wrong with the manifest (governance.validate_manifest)."""
        return governance.validate_manifest(self.data, self.system_id)

    @property
    def entries(self) -> list[dict[str, Any]]:
        return governance.entries(self.data)

    @property
    def production(self) -> dict[str, Any]:
        """The entry of the manifest's `production_model` (DataError when it lists none)."""
        try:
            return governance.production_entry(self.data)
        except ValueError as exc:
            raise DataError(f"{self.path}: {exc}; next: fix the manifest (pytest -m training says what else)") from None

    def by_version(self) -> dict[str, dict[str, Any]]:
        return {str(m.get("model_version")): m for m in self.entries}

    def entry_for_path(self, path: str | None) -> dict[str, Any] | None:
        """The manifest entry whose object is `path` (a gs:// path), None when none is."""
        return next((e for e in self.entries if e.get("file") and self.object_path(e) == path), None)

    def object_path(self, entry: dict[str, Any]) -> str:
        """`gs://` path of a manifest entry's model file."""
        return self._platform.storage.path(self._platform.config.models.prefix + str(entry["file"]))

    def registry_rows(self) -> list[dict[str, Any]]:
        """The registry rows this manifest implies."""
        models = self._platform.config.models
        return governance.registry_rows(self.data, models.bucket, models.prefix)

    def serving_on(self, day: dt.date) -> dict[str, Any]:
        """The model that should have made `day`'s predictions.

        The production model from the day it was created; before that, the
        newest retired model created by then (retired models are former
        production models). Shadow models never serve. Validating a past date
        against today's production model would flag every day before a deploy.
        """
        production = self.production
        if self._created(production) <= day:
            return production
        former = [m for m in self.entries if m.get("status") == "retired" and self._created(m) <= day]
        return max(former, key=self._created) if former else production

    def _created(self, entry: dict[str, Any]) -> dt.date:
        try:
            return governance.parse_timestamp(entry.get("created_at")).date()
        except ValueError as exc:
            raise DataError(f"{self.path}: {entry.get('file')}: created_at {exc}; next: fix the manifest") from None
