"""Faults of model governance: the manifest, the registry, the model objects and the team doc disagreeing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from opscheck import governance
from opscheck.sandbox import models, schema, season, seed
from opscheck.sandbox.faults import observe
from opscheck.sandbox.faults.catalogue import fault
from opscheck.sandbox.faults.common import TODAY, read_manifest, sql, write_manifest
from opscheck.sandbox.faults.ledger import keep_deployment, keep_object, keep_rows
from opscheck.sandbox.lifecycle import Sandbox


@fault("registry-drift", "registry says training ended Jan 31; the manifest says Jan 8",
       fails={"training": ("test_registry_matches_manifest",), "deploy": ("test_registry_matches_manifest",)},
       observe=lambda p: str(observe.scalar(
               p, f"SELECT training_end_date FROM {schema.REGISTRY} WHERE status = 'production'")))
def _registry_drift(p: Sandbox) -> dict[str, Any]:
    keep_rows(p, schema.REGISTRY, "TRUE")
    sql(p, f"UPDATE {schema.REGISTRY} SET training_end_date = DATE '2026-01-31' "
            "WHERE status = 'production'")
    return {"training_end_date": "2026-01-31"}


@fault("duplicate-training-window", "a second model trained on the production model's exact window",
       fails={"training": ("test_no_shared_training_window",)},
       observe=lambda p: (
               len(read_manifest(p)["models"]),
               observe.scalar(p, f"SELECT COUNT(*) FROM {schema.REGISTRY} WHERE training_start_date = '2025-11-02' "
                          "AND training_end_date = '2026-01-08'")))
def _duplicate_training_window(p: Sandbox) -> dict[str, Any]:
    keep_object(p, schema.MANIFEST)
    keep_rows(p, schema.REGISTRY, "TRUE")
    manifest = read_manifest(p)
    production = governance.production_entry(manifest)
    created = dt.datetime(2026, 2, 8, 3, 0, 0, tzinfo=dt.UTC)
    twin = models.ModelSpec(models.PRODUCTION.training_start, models.PRODUCTION.training_end,
                            created, "shadow", None)
    blob = p.read_object(schema.MODEL_PREFIX + production["file"])
    p.write_object(schema.MODEL_PREFIX + twin.file, blob)
    p.ledger.append({"kind": "new_object", "name": schema.MODEL_PREFIX + twin.file})
    entry = {**production, "file": twin.file, "model_version": twin.version, "status": "shadow",
             "created_at": created.isoformat().replace("+00:00", "Z")}
    manifest["models"].append(entry)
    write_manifest(p, manifest)
    p.load_rows(schema.REGISTRY, seed.registry_rows({**manifest, "models": [entry]}))
    return {"twin": twin.file}


@fault("training-overlap", "the production model is re-dated everywhere: its training now runs through today",
       fails={"daily": ("test_no_training_overlap",), "training": ("test_no_leakage",)},
       observe=lambda p: (
               [m["training_end_date"] for m in read_manifest(p)["models"] if m["status"] == "production"],
               str(observe.scalar(p, f"SELECT training_end_date FROM {schema.REGISTRY} WHERE status = 'production'"))))
def _training_overlap(p: Sandbox) -> dict[str, Any]:
    """Incident 10 as the morning run meets it: today's model claims training through today.

    Everything that describes the model says so consistently (manifest, file
    name, registry, the worker's path, the team doc), so the one thing wrong
    is the leakage itself: the model is used on dates inside its window.
    """
    keep_object(p, schema.MANIFEST)
    keep_rows(p, schema.REGISTRY, "TRUE")
    manifest = read_manifest(p)
    production = governance.production_entry(manifest)
    name = governance.parse_model_file(production["file"])
    redated = dataclasses.replace(name, training_end=season.TODAY).file
    p.write_object(schema.MODEL_PREFIX + redated, p.read_object(schema.MODEL_PREFIX + production["file"]))
    p.ledger.append({"kind": "new_object", "name": schema.MODEL_PREFIX + redated})
    for entry in manifest["models"]:
        if entry["file"] == production["file"]:
            entry.update(file=redated, training_end_date=TODAY)
    manifest["production_model"] = redated
    write_manifest(p, manifest)
    sql(p, f"UPDATE {schema.REGISTRY} SET training_end_date = DATE '{TODAY}', model_file = '{redated}', "
            f"gcs_path = '{p.model_path(redated)}' WHERE status = 'production'")
    keep_deployment(p, "prediction-worker")
    spec = p.deployed()
    spec["prediction-worker"]["env"][schema.MODEL_PATH_ENV] = p.model_path(redated)
    p.set_deployed(spec)
    p.restart_service("prediction-worker")
    text = p.doc_file.read_text()
    p.ledger.append({"kind": "doc", "text": text})
    p.doc_file.write_text(governance.with_model_section(
        text, governance.model_section(governance.production_entry(manifest))))
    return {"production_model": redated, "training_end_date": TODAY}


@fault("doc-model-section-stale", "the team doc's MODEL section still describes the retired model",
       fails={"training": ("test_team_doc_model_section",), "deploy": ("test_team_doc_model_section",)},
       observe=lambda p: hashlib.sha256(p.doc_file.read_bytes()).hexdigest())
def _doc_model_section_stale(p: Sandbox) -> dict[str, Any]:
    text = p.doc_file.read_text()
    p.ledger.append({"kind": "doc", "text": text})
    manifest = read_manifest(p)
    retired = next(m for m in manifest["models"] if m["status"] == "retired")
    current = governance.extract_model_section(text) or ""
    p.doc_file.write_text(text.replace(current, governance.model_section(retired)))
    return {"doc": str(p.doc_file), "describes": retired["file"]}


@fault("model-object-corrupt", "the production .cbm object was overwritten with truncated bytes",
       fails={"training": ("test_production_model_integrity",), "deploy": ("test_production_model_integrity",)},
       observe=lambda p: hashlib.sha256(
               p.read_object(schema.MODEL_PREFIX + models.PRODUCTION.file)).hexdigest())
def _model_object_corrupt(p: Sandbox) -> dict[str, Any]:
    name = schema.MODEL_PREFIX + models.PRODUCTION.file
    keep_object(p, name)
    blob = p.read_object(name)
    p.write_object(name, blob[: len(blob) // 3])
    return {"object": f"gs://{schema.BUCKET}/{name}", "bytes": len(blob) // 3}


@fault("manifest-production-unlisted", "the manifest's production_model names a file its models list does not have",
       fails={"daily": ("test_hit_rate_within_bounds", "test_model_version_matches_manifest"),
              "training": ("test_manifest_valid", "test_production_model_integrity", "test_team_doc_model_section",
                           "test_candidate_backtest"),
              "deploy": ("test_manifest_valid", "test_production_model_integrity", "test_team_doc_model_section",
                         "test_worker_model_path", "test_candidate_backtest")},
       observe=lambda p: read_manifest(p)["production_model"] in {
               m["file"] for m in read_manifest(p)["models"]})
def _manifest_production_unlisted(p: Sandbox) -> dict[str, Any]:
    keep_object(p, schema.MANIFEST)
    manifest = read_manifest(p)
    unlisted = dataclasses.replace(models.SHADOW.name, created=dt.datetime(2026, 2, 8, 22, 0, tzinfo=dt.UTC)).file
    manifest["production_model"] = unlisted
    write_manifest(p, manifest)
    return {"production_model": unlisted}


@fault("model-object-deleted", "the production .cbm object was deleted from the model store",
       fails={"training": ("test_production_model_integrity",), "deploy": ("test_production_model_integrity",)},
       observe=lambda p: observe.object_exists(p, schema.MODEL_PREFIX + models.PRODUCTION.file))
def _model_object_deleted(p: Sandbox) -> dict[str, Any]:
    name = schema.MODEL_PREFIX + models.PRODUCTION.file
    keep_object(p, name)
    p.storage().bucket(schema.BUCKET).blob(name).delete(timeout=30)
    return {"deleted": f"gs://{schema.BUCKET}/{name}"}
