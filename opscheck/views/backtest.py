"""A candidate model scored on graded days after its training window, against the serving model's picks.

Why a backtest in the deploy gate: a retrained model that loses 20 points of hit rate (incident 5) is
invisible to every governance check (its bytes, name, registry and doc all agree), and the graded games
show it only days after it serves. Scored before rollout on the days already graded, it shows at once.

The candidate is `--candidate FILE` (a file under the model prefix, or a gs:// path), else the manifest's
production model when the worker does not serve it yet (its object is the integrity check's download:
one a run). It is scored on the feature rows the worker scored on the most recent graded days after its
own training window, never inside it (backtest_rows.sql: one partition-filtered query), and compared
with the serving model's own calls on the same picks by a paired test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from statistics import NormalDist
from typing import Any

from opscheck import governance
from opscheck.errors import DataError
from opscheck.views.base import Context, View, Warmer, once
from opscheck.views.manifest import Manifest
from opscheck.views.production_model import ProductionModel, load_catboost
from opscheck.views.services import Services


@dataclasses.dataclass(frozen=True)
class Candidate:
    """The model to backtest, where it came from, and the end of its training window."""

    path: str
    source: str  # "--candidate" or "the manifest's production model"
    training_end: dt.date
    model: Any = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class Result:
    """Both models on the same graded picks, and the paired test's verdict."""

    candidate: Candidate
    serving_version: str
    days: list[dt.date]
    picks: int  # where both made a call that grading judged
    candidate_rate: float
    serving_rate: float
    bound: float  # the lower confidence bound of serving - candidate
    margin: float
    confidence: float
    per_day: list[dict[str, Any]]

    @property
    def blocked(self) -> bool:
        return self.bound > self.margin


class Backtest(View):
    """The deploy gate's backtest: which candidate, on which days, and how it fared."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self._flag = context.candidate
        self._manifest = context.views.get(Manifest)
        self._production = context.views.get(ProductionModel)
        self._services = context.views.get(Services)
        self._config = self._platform.config

    @property
    def serving_path(self) -> str | None:
        """The model path of the worker's serving revision (the one with the most traffic)."""
        path = self._services.describe(self._config.services.worker)["env"].get(self._config.models.model_path_env)
        return str(path) if path else None

    @once
    def candidate(self) -> Candidate | str:
        """The candidate, or why there is none to backtest."""
        if self._flag:
            path = self._flag if self._flag.startswith("gs://") else \
                self._platform.storage.path(self._config.models.prefix + self._flag)
            entry = self._manifest.entry_for_path(path)
            info, local = self._platform.storage.download(path)
            return Candidate(path, "--candidate", self._training_end(path, entry), load_catboost(path, info, local))
        production = self._production.path
        serving = self.serving_path
        if serving == production:
            return (f"the worker serves the manifest's production model ({production.rsplit('/', 1)[-1]}): "
                    "nothing to backtest; give --candidate FILE to backtest a model before promoting it")
        return Candidate(production, "the manifest's production model", self._training_end(production,
                         self._production.entry), self._production.model)

    def _training_end(self, path: str, entry: dict[str, Any] | None) -> dt.date:
        file = path.rsplit("/", 1)[-1]
        try:
            if entry and entry.get("training_end_date"):
                return dt.date.fromisoformat(str(entry["training_end_date"]))
            return governance.parse_model_file(file, self._config.models.system_id).training_end
        except ValueError as exc:
            raise DataError(f"{file}: cannot tell where its training window ends ({exc}), so no day is known to lie "
                            "after it; next: name it by the convention (opscheck registry name) or list it in "
                            "the manifest") from None

    def window(self, candidate: Candidate) -> tuple[dt.date, dt.date]:
        """The days to score on: the last `backtest_days` before today, all after the candidate's window."""
        today = self._days.last
        start = max(candidate.training_end + dt.timedelta(days=1),
                    today - dt.timedelta(days=self._config.thresholds.backtest_days))
        return start, today - dt.timedelta(days=1)

    def serving_version(self) -> str:
        path = self.serving_path
        if not path:
            raise DataError(f"{self._config.services.worker} has no {self._config.models.model_path_env}: no serving "
                            "model to compare the candidate with (test_worker_model_path says more)")
        try:
            return governance.model_version(path.rsplit("/", 1)[-1], self._config.models.system_id)
        except ValueError as exc:
            raise DataError(f"the worker's model {path}: {exc}: its predictions cannot be found by version") from None

    @once
    def result(self) -> Result | str:
        """The backtest, or why it cannot be judged (no candidate, no graded day after its window, too few picks)."""
        candidate = self.candidate
        if isinstance(candidate, str):
            return candidate
        start, end = self.window(candidate)
        if start > end:
            return (f"{candidate.path.rsplit('/', 1)[-1]} was trained through {candidate.training_end}: no graded "
                    "day lies after its window yet, so it cannot be backtested")
        version = self.serving_version()
        rows = self._platform.bigquery.query("backtest_rows", start=start, end=end,
                                             system_id=self._config.models.system_id, serving_version=version)
        return self._judge(candidate, version, start, end, rows)

    def warmers(self) -> list[Warmer]:
        return []  # the gate alone asks; a daily run never pays for it

    def _judge(self, candidate: Candidate, version: str, start: dt.date, end: dt.date,
               rows: list[dict[str, Any]]) -> Result | str:
        thresholds = self._config.thresholds
        scores = _scores(candidate, rows) if rows else []
        pass_edge = self._config.models.pass_edge
        pairs: list[tuple[str, int, int]] = []
        for row, score in zip(rows, scores, strict=True):
            line, actual = row["line_value"], row["actual_points"]
            if line is None or row["serving_correct"] is None or abs(score - line) < pass_edge:
                continue  # a PASS of either model, or a void, is no pick to compare
            right = (actual > line) == (score > line)
            pairs.append((row["game_date"], int(bool(row["serving_correct"])), int(right)))
        name = candidate.path.rsplit("/", 1)[-1]
        if len(pairs) < thresholds.backtest_min_picks:
            return (f"{name}: {len(pairs)} picks shared with the serving model {version} on {start}..{end} (graded, "
                    f"after its training window), fewer than backtest_min_picks ({thresholds.backtest_min_picks}): "
                    "too few to judge it")
        bound = lower_bound([s - c for _, s, c in pairs], thresholds.backtest_confidence)
        days = sorted({d for d, _, _ in pairs})
        per_day = [{"game_date": d, "picks": sum(1 for p in pairs if p[0] == d),
                    "serving_hits": sum(p[1] for p in pairs if p[0] == d),
                    "candidate_hits": sum(p[2] for p in pairs if p[0] == d)} for d in days]
        return Result(candidate, version, [dt.date.fromisoformat(d) for d in days], len(pairs),
                      sum(c for _, _, c in pairs) / len(pairs), sum(s for _, s, _ in pairs) / len(pairs),
                      bound, thresholds.backtest_margin, thresholds.backtest_confidence, per_day)


def lower_bound(differences: list[int], confidence: float) -> float:
    """The one-sided lower confidence bound of the mean of paired differences (serving - candidate, each pick
    -1, 0 or 1): the paired test on the same picks, normal on the hundreds of picks it needs."""
    mean = sum(differences) / len(differences)
    spread = math.sqrt(sum((d - mean) ** 2 for d in differences) / (len(differences) - 1))
    return mean - NormalDist().inv_cdf(confidence) * spread / math.sqrt(len(differences))


def _scores(candidate: Candidate, rows: list[dict[str, Any]]) -> list[float]:
    """The candidate's predicted points for each row's features (DataError naming a row that cannot be scored)."""
    import numpy as np

    wanted = len(candidate.model.feature_names_)
    features = []
    for row in rows:
        try:
            values = json.loads(row["features"] or "")
            if not isinstance(values, list) or len(values) != wanted:
                raise ValueError("not the model's features")
            features.append([float(v) for v in values])
        except (ValueError, TypeError):
            raise DataError(f"the feature store's row for {row['player_lookup']} on {row['game_date']} is not a "
                            f"JSON array of the {wanted} features the candidate takes: it cannot be scored") from None
    return [float(s) for s in candidate.model.predict(np.array(features))]

