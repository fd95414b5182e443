"""The manifest's production model object: its bytes, its load in CatBoost, its golden re-score."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

from opscheck.errors import ConfigError, DataError
from opscheck.platform.storage import Download
from opscheck.views.base import Context, View, Warmer, once
from opscheck.views.manifest import Manifest

GOLDEN = "golden"  # the golden samples' folder in run.fixtures


@dataclasses.dataclass(frozen=True)
class Golden:
    """Rows scored when the model was trained: features and the prediction made then."""

    model_file: str
    rows: list[dict[str, Any]]
    path: Path


class ProductionModel(View):
    """The manifest's production model object: downloaded once a run, hashed as it streams.

    The hash, the CatBoost load and the golden re-score all use the one
    download, so a large model costs one read, never one per check.
    """

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self._manifest = context.views.get(Manifest)
        models = self._platform.config.models
        self.golden_dir = Path(models.golden_dir or Path(self._platform.config.run.fixtures) / GOLDEN).expanduser()
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
        info, local = self.download
        return load_catboost(self.path, info, local)

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


def load_catboost(path: str, info: Download, local: Path) -> Any:
    """A downloaded object loaded as a CatBoost regressor; DataError, naming the object, when it is not a model."""
    from catboost import CatBoostError, CatBoostRegressor

    loaded = CatBoostRegressor()
    try:
        loaded.load_model(str(local))
    except CatBoostError as exc:
        raise DataError(f"{path} ({info['size']} bytes, read into {local}): CatBoost cannot load it "
                        f"({_first_line(exc)}): it is not a model file") from None
    return loaded


def _finite(value: Any) -> float:
    """A JSON number that is a real one (a golden row's NaN or string would score as garbage)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return float(value)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
