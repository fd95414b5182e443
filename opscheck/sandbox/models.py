"""Real CatBoost models for the local platform, named and described by convention.

Why real models: the deploy gate loads the production object, checks its
feature count against its name and re-scores rows; only a real `.cbm` makes
those checks mean anything. Training is small (seconds) and seeded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from opscheck import governance
from opscheck.sandbox import season

SYSTEM_ID = "catboost_v9"
PASS_EDGE = 1.0


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One model of the platform's history."""

    training_start: dt.date
    training_end: dt.date
    created_at: dt.datetime
    status: str
    serving_from: dt.date | None
    # A real flaw, for the fault that promotes a bad model: each training row learns the points of the row
    # `shift` places before it (a join misaligned by one row), and the job's own evaluation reads the same
    # misaligned join, so what it reports looks fine. `shuffled`: the share of rows whose points are dealt
    # out among themselves at random (a flaw of graded severity, for bench/drift_power.py).
    shift: int = 0
    shuffled: float = 0.0

    @property
    def name(self) -> governance.ModelName:
        """The file-name convention's view of this model (opscheck's one implementation)."""
        return governance.ModelName(season.FEATURE_COUNT, self.training_start, self.training_end,
                                    self.created_at, SYSTEM_ID)

    @property
    def file(self) -> str:
        return self.name.file

    @property
    def version(self) -> str:
        return self.name.version


UTC = dt.UTC
RETIRED = ModelSpec(
    dt.date(2024, 10, 22), dt.date(2025, 4, 13), dt.datetime(2025, 10, 15, 9, 30, tzinfo=UTC),
    "retired", season.SEASON_START,
)
PRODUCTION = ModelSpec(
    dt.date(2025, 11, 2), dt.date(2026, 1, 8), dt.datetime(2026, 2, 1, 1, 10, 18, tzinfo=UTC),
    "production", dt.date(2026, 2, 1),
)
SHADOW = ModelSpec(
    dt.date(2025, 11, 2), dt.date(2026, 1, 25), dt.datetime(2026, 2, 5, 14, 0, 0, tzinfo=UTC),
    "shadow", None,
)
HISTORY = (RETIRED, PRODUCTION, SHADOW)
BAD = ModelSpec(
    dt.date(2025, 11, 2), dt.date(2026, 1, 31), dt.datetime(2026, 2, 3, 2, 0, 0, tzinfo=UTC),
    "shadow", None, shift=1,
)
"""A retrained model with a real flaw (a target shifted by one row), trained at `up` beside the history but
listed nowhere until a fault puts it into production the normal way."""
CANDIDATES = {"bad": BAD}
EVALUATION_DAYS = 21


def serving_model(day: dt.date) -> ModelSpec:
    """Which model made the production predictions of `day`."""
    return PRODUCTION if day >= PRODUCTION.serving_from else RETIRED  # type: ignore[operator]


@dataclasses.dataclass(frozen=True)
class TrainedModel:
    spec: ModelSpec
    blob: bytes
    hit_rate: float

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.blob).hexdigest()

    def predict(self, rows: list[tuple[float, ...]]) -> list[float]:
        return [float(x) for x in load(self.blob).predict(np.array(rows))]


def load(blob: bytes) -> Any:
    """A CatBoost regressor from `.cbm` bytes."""
    from catboost import CatBoostRegressor

    model = CatBoostRegressor()
    model.load_model(blob=blob)
    return model


GOLDEN_ROWS = 20


def golden(seed: int, model: TrainedModel) -> dict[str, Any]:
    """The golden sample the training job keeps: rows scored right after training, with predictions."""
    first = next(d for d in season.days(model.spec.training_end + dt.timedelta(days=1), season.TODAY)
                 if season.is_game_day(d))
    rows = season.player_days(seed, first)[:GOLDEN_ROWS]
    scores = model.predict([r.features for r in rows])
    return {
        "model_file": model.spec.file,
        "model_version": model.spec.version,
        "rows": [{"game_date": first.isoformat(), "player_lookup": r.player.lookup,
                  "features": list(r.features), "predicted": round(score, 6)}
                 for r, score in zip(rows, scores, strict=True)],
    }


def recommend(predicted: float, line: float) -> tuple[str, float]:
    """OVER/UNDER/PASS and a confidence in [0.5, 0.99] from the edge over the line."""
    edge = predicted - line
    if abs(edge) < PASS_EDGE:
        return "PASS", round(0.5 + abs(edge) / 20, 3)
    return ("OVER" if edge > 0 else "UNDER"), round(min(0.99, 0.55 + abs(edge) / 12), 3)


def _dataset(seed: int, start: dt.date, end: dt.date) -> list[season.PlayerDay]:
    return [pd for day in season.days(start, end) for pd in season.player_days(seed, day)]


def hit_rate(predicted: list[float], rows: list[season.PlayerDay]) -> float:
    """Share of OVER/UNDER calls that were right (PASS does not count)."""
    hits = total = 0
    for value, row in zip(predicted, rows, strict=True):
        call, _ = recommend(value, row.line_value)
        if call == "PASS":
            continue
        total += 1
        hits += (row.actual_points > row.line_value) == (call == "OVER")
    return round(hits / total, 3) if total else 0.0


def train(seed: int, spec: ModelSpec) -> TrainedModel:
    """Train on the spec's window, score on the days right after it."""
    from catboost import CatBoostRegressor

    rows = _dataset(seed, spec.training_start, spec.training_end)
    model = CatBoostRegressor(
        iterations=150, depth=5, learning_rate=0.1, random_seed=seed,
        thread_count=1, verbose=False, allow_writing_files=False,
    )
    model.fit(np.array([r.features for r in rows]), _target(rows, spec, seed))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, spec.file)
        model.save_model(path)
        with open(path, "rb") as fh:
            blob = fh.read()
    after = spec.training_end + dt.timedelta(days=1)
    held_out = _dataset(seed, after, after + dt.timedelta(days=EVALUATION_DAYS - 1))
    scores = [float(x) for x in model.predict(np.array([r.features for r in held_out]))]
    graded = [dataclasses.replace(r, actual_points=int(a)) for r, a in zip(held_out, _target(held_out, spec, seed),
                                                                             strict=True)]
    return TrainedModel(spec, blob, hit_rate(scores, graded))


def _target(rows: list[season.PlayerDay], spec: ModelSpec, seed: int) -> np.ndarray:
    """The points each row is trained (and evaluated) on: its own, or, with a flaw, another row's."""
    points = np.roll(np.array([r.actual_points for r in rows]), spec.shift)
    if spec.shuffled:
        rng = np.random.default_rng([seed, 4])
        dealt = np.flatnonzero(rng.random(points.size) < spec.shuffled)
        points[dealt] = points[rng.permutation(dealt)]
    return points


def train_history(seed: int, folder: Path) -> None:
    """Train every model of the history into `folder` (`<status>.cbm`, hit rates in `trained.json`).

    Run as its own process by `up` (`python -m opscheck.sandbox.models SEED
    FOLDER`): CatBoost in a thread of `up` crashed the interpreter when a
    Ctrl-C made it exit mid-training; a process can simply be stopped.
    """
    rates = {}
    for key, spec in [*((s.status, s) for s in HISTORY), *CANDIDATES.items()]:
        model = train(seed, spec)
        (folder / f"{key}.cbm").write_bytes(model.blob)
        rates[key] = model.hit_rate
    (folder / "trained.json").write_text(json.dumps(rates))


def read_history(folder: Path) -> dict[str, TrainedModel]:
    """What `train_history` wrote of the history, by status."""
    return {spec.status: read_trained(folder, spec.status, spec) for spec in HISTORY}


def read_trained(folder: Path, key: str, spec: ModelSpec) -> TrainedModel:
    """One model `train_history` wrote (`key`: its status, or its name in CANDIDATES)."""
    rates = json.loads((folder / "trained.json").read_text())
    return TrainedModel(spec, (folder / f"{key}.cbm").read_bytes(), rates[key])


if __name__ == "__main__":
    train_history(int(sys.argv[1]), Path(sys.argv[2]))
