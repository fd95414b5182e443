"""Faults of model rollouts: a retrained model put into production the normal way, good or flawed.

The normal way is the platform's: the training job writes the `.cbm` and its manifest entry, promotes
it (`production_model`, the old production model retired), `registry sync` and the team doc follow; the
rollout sets the worker's `CATBOOST_V9_MODEL_PATH` and restarts it, and the next morning run predicts
with it. Each fault stops that sequence where its incident did.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opscheck import governance
from opscheck.sandbox import models, schema, season, seed
from opscheck.sandbox.faults import observe
from opscheck.sandbox.faults.catalogue import fault
from opscheck.sandbox.faults.common import CURRENT, read_manifest, sql, write_manifest
from opscheck.sandbox.faults.ledger import (
    forget_on_heal,
    keep_deployment,
    keep_logs,
    keep_object,
    keep_rows,
    keep_scheduled_jobs,
)
from opscheck.sandbox.lifecycle import Sandbox

BAD_SERVING_FROM = dt.date(2026, 2, 4)
"""When the flawed model started serving in `bad-model-graded`: five graded days before today."""


def _trained(p: Sandbox, key: str) -> models.TrainedModel:
    return models.read_trained(p.state_dir / "trained", key, models.CANDIDATES[key])


def _promote(p: Sandbox, model: models.TrainedModel, claimed_hit_rate: float | None = None) -> dict[str, Any]:
    """The training job's promotion: the object (when new), the manifest, the registry, the team doc."""
    keep_object(p, schema.MANIFEST)
    keep_rows(p, schema.REGISTRY, "TRUE")
    manifest = read_manifest(p)
    name = schema.MODEL_PREFIX + model.spec.file
    if not observe.object_exists(p, name):
        p.write_object(name, model.blob)
        p.ledger.append({"kind": "new_object", "name": name})
    entries = [m for m in manifest["models"] if m["file"] != model.spec.file]
    for entry in entries:
        if entry["status"] == "production":
            entry["status"] = "retired"
    promoted = {**seed.manifest_entry(model), "status": "production"}
    if claimed_hit_rate is not None:
        promoted["hit_rate"] = claimed_hit_rate
    manifest.update(models=[*entries, promoted], production_model=model.spec.file)
    write_manifest(p, manifest)
    sql(p, f"DELETE FROM {schema.REGISTRY} WHERE TRUE")
    p.load_rows(schema.REGISTRY, seed.registry_rows(manifest))
    text = p.doc_file.read_text()
    p.ledger.append({"kind": "doc", "text": text})
    p.doc_file.write_text(governance.with_model_section(text, governance.model_section(promoted)))
    return {"production_model": model.spec.file}


def _roll_out(p: Sandbox, model: models.TrainedModel) -> dict[str, Any]:
    """The rollout and the next morning: the worker's env var, a restart, today's run predicted by it."""
    keep_deployment(p, "prediction-worker")
    spec = p.deployed()
    spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV] = p.model_path(model.spec.file)
    p.set_deployed(spec)
    p.restart_service("prediction-worker")
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    keep_rows(p, schema.SUBSET_PICKS, "TRUE")
    keep_scheduled_jobs(p)
    keep_logs(p)
    batch = p.morning_run(season.TODAY)
    forget_on_heal(p, batch["batch_id"])
    return {"worker": model.spec.file, "batch": batch["batch_id"]}


def _serving_version(p: Sandbox) -> Any:
    return observe.scalar(p, f"SELECT MAX(model_version) FROM {schema.PREDICTIONS} WHERE {CURRENT} AND is_active")


@fault("bad-model-promoted", "a retrained model with a real flaw (its target shifted by one row) was promoted in "
       "the manifest, registry and team doc; the rollout waits on the deploy gate",
       fails={"daily": ("test_model_version_matches_manifest",), "training": ("test_candidate_backtest",),
              "deploy": ("test_candidate_backtest", "test_worker_model_path")},
       observe=lambda p: read_manifest(p)["production_model"])
def _bad_model_promoted(p: Sandbox) -> dict[str, Any]:
    """Incident 5 before it cost a day: the gate's backtest scores the candidate on graded days after its
    window and blocks it. Its manifest hit rate is what the training job reported (its evaluation read the
    same misaligned join, so the flaw looked fine)."""
    return _promote(p, _trained(p, "bad"))


@fault("bad-model-serving", "the flawed retrained model was promoted and rolled out the normal way; this morning's "
       "predictions are its first",
       fails={"daily": ("test_prediction_drift",)},
       observe=_serving_version)
def _bad_model_serving(p: Sandbox) -> dict[str, Any]:
    """Incident 5 on its first morning: nothing is graded yet, but its predictions already look different."""
    model = _trained(p, "bad")
    return {**_promote(p, model), **_roll_out(p, model)}


@fault("bad-model-graded", f"the flawed retrained model has served since {BAD_SERVING_FROM:%b} "
       f"{BAD_SERVING_FROM.day}: five graded days near a coin flip",
       fails={"daily": ("test_hit_rate_within_bounds",)},
       observe=_serving_version)
def _bad_model_graded(p: Sandbox) -> dict[str, Any]:
    """Incident 5 days later: its own earlier days are the drift reference now, so only the graded games can
    tell (and do: the hit-rate check's change point)."""
    model = _trained(p, "bad")
    detail = _promote(p, model)
    _served_since(p, model, BAD_SERVING_FROM)
    return {**detail, **_roll_out(p, model), "serving_from": BAD_SERVING_FROM.isoformat()}


def _served_since(p: Sandbox, model: models.TrainedModel, start: dt.date) -> None:
    """The days from `start` to yesterday as if `model` had made (and grading judged) their predictions."""
    yesterday = season.TODAY - dt.timedelta(days=1)
    dates = f"game_date BETWEEN '{start}' AND '{yesterday}'"
    span = f"{dates} AND system_id = '{models.SYSTEM_ID}'"
    for table in (schema.PREDICTIONS, schema.ACCURACY, schema.SUBSET_PICKS):
        keep_rows(p, table, span if table != schema.SUBSET_PICKS else dates)
    rows = [dict(r) for r in p.bigquery().query(
        f"SELECT * FROM {schema.PREDICTIONS} WHERE {span} AND is_active").result(timeout=60)]
    days = {d: season.player_days(p.seed_number, d) for d in season.days(start, yesterday)}
    features = {(d.isoformat(), pd.player.lookup): pd for d, pds in days.items() for pd in pds}
    keyed = [features[(r["game_date"].isoformat(), r["player_lookup"])] for r in rows]
    scores = model.predict([pd.features for pd in keyed])
    graded = [dict(r) for r in p.bigquery().query(
        f"SELECT * FROM {schema.ACCURACY} WHERE {span}").result(timeout=60)]
    calls = {}
    for row, pd, score in zip(rows, keyed, scores, strict=True):
        call, confidence = models.recommend(score, pd.line_value)
        row.update(model_version=model.spec.version, predicted_points=round(score, 2), recommendation=call,
                   confidence=confidence)
        calls[row["prediction_id"]] = (call, pd.actual_points, pd.line_value)
    for row in graded:
        if row["prediction_id"] in calls:
            call, actual, line = calls[row["prediction_id"]]
            row.update(model_version=model.spec.version,
                       is_correct=None if call == "PASS" else (actual > line) == (call == "OVER"))
    sql(p, f"DELETE FROM {schema.PREDICTIONS} WHERE {span} AND is_active")
    sql(p, f"DELETE FROM {schema.ACCURACY} WHERE {span}")
    p.load_rows(schema.PREDICTIONS, [_json(r) for r in rows])
    p.load_rows(schema.ACCURACY, [_json(r) for r in graded])
    sql(p, f"UPDATE {schema.SUBSET_PICKS} SET model_version = '{model.spec.version}' "
            f"WHERE {span}")


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for k, v in row.items()}


@fault("model-switch", "a good retrained model (the shadow, trained to Jan 25) was promoted and rolled out the "
       "normal way: a model switch, which nothing may fail",
       fails={},
       observe=_serving_version)
def _model_switch(p: Sandbox) -> dict[str, Any]:
    """The moment drift matters most, and the one it must not cry wolf at: a good model's first morning."""
    folder = p.state_dir / "trained"
    model = models.read_history(folder)["shadow"]
    return {**_promote(p, model), **_roll_out(p, model)}
