"""The model store as checks ask about it: manifest, registry, the production object, the team doc.

The manifest is the source of truth (governance.py derives everything from
it); the registry table, the object's bytes and the team doc are the other
places that describe the same model and must agree with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from opscheck import governance
from opscheck.errors import ConfigError, DataError
from opscheck.platform import Platform
from opscheck.platform.storage import Download
from opscheck.resources import Days, Warmer, once

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"


class Manifest:
    """`manifest.json` of the model store, read once per session."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.path = platform.storage.path(platform.config.models.manifest)
        self.system_id = platform.config.models.system_id

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


class Registry:
    """`model_registry` rows of the production system."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    @once
    def rows(self) -> list[dict[str, Any]]:
        return self._platform.bigquery.query(
            "registry_models", system_id=self._platform.config.models.system_id
        )

    def warmers(self) -> list[Warmer]:
        return [lambda: self.rows]

    def production(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == "production"]


class ModelUsage:
    """Which model versions made the predictions, subset picks and graded rows of a window."""

    def __init__(self, platform: Platform, days: Days) -> None:
        self._platform = platform
        self.lookback = platform.config.thresholds.lookback_days
        self.start = days.first - dt.timedelta(days=self.lookback - 1)
        self.end = days.last

    @once
    def rows(self) -> list[dict[str, Any]]:
        """(source, model_version, first_date, last_date, rows) over the window."""
        return self._platform.bigquery.query(
            "rows_by_model", system_id=self._platform.config.models.system_id, start=self.start, end=self.end
        )

    def warmers(self) -> list[Warmer]:
        return [lambda: self.rows]


@dataclasses.dataclass(frozen=True)
class Golden:
    """Rows scored when the model was trained: features and the prediction made then."""

    model_file: str
    rows: list[dict[str, Any]]
    path: Path


class ProductionModel:
    """The manifest's production model object: downloaded once a run, hashed as it streams.

    The hash, the CatBoost load and the golden re-score all use the one
    download, so a large model costs one read, never one per check.
    """

    def __init__(self, platform: Platform, manifest: Manifest) -> None:
        self._platform = platform
        self._manifest = manifest
        models = platform.config.models
        self.golden_dir = Path(models.golden_dir).expanduser() if models.golden_dir else GOLDEN
        self.tolerance = models.golden_tolerance

    @property
    def entry(self) -> dict[str, Any]:
        return self._manifest.production

    @property
    def path(self) -> str:
        return self._manifest.object_path(self.entry)

    @once
    def download(self) -> tuple[Download, Path]:
        return self._platform.storage.download(self.path)

    def warmers(self) -> list[Warmer]:
        return [lambda: self.download]

    @once
    def model(self) -> Any:
        """The object loaded as a CatBoost regressor; DataError, naming the object, when it is not a model."""
        from catboost import CatBoostError, CatBoostRegressor

        info, local = self.download
        loaded = CatBoostRegressor()
        try:
            loaded.load_model(str(local))
        except CatBoostError as exc:
            raise DataError(f"{self.path} ({info['size']} bytes, read into {local}): CatBoost cannot load it "
                            f"({_first_line(exc)}): it is not a model file") from None
        return loaded

    def feature_count(self) -> int:
        return len(self.model.feature_names_)

    @property
    def golden_path(self) -> Path:
        """Where the production model's golden sample is read from: `<golden_dir>/<model_version>.json`."""
        return self.golden_dir / f"{self.entry['model_version']}.json"

    def golden(self) -> Golden | None:
        """The golden sample of the production model file, None when there is none."""
        file = str(self.entry["file"])
        path = self.golden_path
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text())
            rows = [{"features": [_finite(x) for x in r["features"]], "predicted": _finite(r["predicted"]),
                     **{k: v for k, v in r.items() if k not in ("features", "predicted")}}
                    for r in data["rows"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{path}: malformed golden sample, expected "
                              f'{{"rows": [{{"features": [...], "predicted": x}}]}} ({exc})') from None
        return Golden(str(data.get("model_file", file)), rows, path)

    def rescore(self, golden: Golden) -> list[dict[str, Any]]:
        """Each golden row with its stored and re-scored prediction and their difference."""
        from catboost import CatBoostError

        wanted = self.feature_count()
        odd = next((i for i, r in enumerate(golden.rows) if len(r["features"]) != wanted), None)
        if odd is not None:
            raise ConfigError(f"{golden.path}: row {odd} has {len(golden.rows[odd]['features'])} features, the model "
                              f"takes {wanted}: the sample is of another model")
        try:
            scores = self.model.predict([r["features"] for r in golden.rows])
        except CatBoostError as exc:
            raise DataError(f"{golden.path}: CatBoost cannot score its rows ({_first_line(exc)})") from None
        return [
            {**{k: v for k, v in r.items() if k != "features"}, "rescored": round(float(s), 4),
             "difference": round(abs(float(s) - r["predicted"]), 6)}
            for r, s in zip(golden.rows, scores, strict=True)
        ]


class TeamDoc:
    """The team doc (`models.team_doc`): a path in the platform checkout, or gs://."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.name = platform.config.models.team_doc

    @once
    def text(self) -> str:
        if self.name.startswith("gs://"):
            return self._platform.storage.read(self.name).decode("utf-8")
        return self._platform.checkout.read(self.name)

    def warmers(self) -> list[Warmer]:
        return [lambda: self.text]


def _finite(value: Any) -> float:
    """A JSON number that is a real one (a golden row's NaN or string would score as garbage)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return float(value)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
