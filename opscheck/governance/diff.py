"""The registry as the manifest says it should be, and the diff against what the table holds."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from opscheck.governance.manifest import entries, parse_date, parse_timestamp

# ---- the registry, derived from the manifest ---------------------------------
REGISTRY_FIELDS = ("system_id", "model_version", "model_file", "gcs_path", "training_start_date",
                   "training_end_date", "feature_count", "sha256", "hit_rate", "status", "created_at")


def registry_rows(manifest: Mapping[str, Any], bucket: str, prefix: str) -> list[dict[str, Any]]:
    """The registry rows the manifest implies, one per model, keyed by `model_id`.

    Values are JSON (dates and timestamps as ISO strings), the form the
    BigQuery gateway returns rows in, so a diff compares like with like.
    """
    system_id = str(manifest.get("system_id"))
    return [
        {
            "model_id": f"{system_id}_{m['model_version']}",
            "system_id": system_id,
            "model_version": m["model_version"],
            "model_file": m["file"],
            "gcs_path": f"gs://{bucket}/{prefix}{m['file']}",
            "training_start_date": m["training_start_date"],
            "training_end_date": m["training_end_date"],
            "feature_count": m["feature_count"],
            "sha256": m["sha256"],
            "hit_rate": m["hit_rate"],
            "status": m["status"],
            "created_at": parse_timestamp(m["created_at"]).isoformat(),
        }
        for m in entries(manifest)
    ]


@dataclasses.dataclass(frozen=True)
class Change:
    """One field of one registry row that differs from the manifest."""

    model_id: str
    model_file: str
    field: str
    registry: Any
    manifest: Any


@dataclasses.dataclass(frozen=True)
class RegistryDiff:
    """The registry against the manifest: rows to add, fields to change, rows the manifest lacks.

    `wanted` keeps every row the manifest implies, so a sync can write whole rows.
    """

    added: list[dict[str, Any]]
    changed: list[Change]
    missing: list[dict[str, Any]]
    wanted: list[dict[str, Any]]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.missing)

    @property
    def writes(self) -> list[dict[str, Any]]:
        """The manifest rows a sync must upsert (added, or with a changed field)."""
        ids = {c.model_id for c in self.changed}
        return self.added + [r for r in self.wanted if r["model_id"] in ids]

    def table(self) -> list[dict[str, Any]]:
        """One row per difference, the way `registry sync` prints it."""
        rows = [{"change": "added", "model": r["model_file"], "field": "(new row)", "registry": "",
                 "manifest": r["status"]} for r in self.added]
        rows += [{"change": "changed", "model": c.model_file, "field": c.field, "registry": c.registry,
                  "manifest": c.manifest} for c in self.changed]
        rows += [{"change": "missing from the manifest", "model": r.get("model_file"), "field": "(row)",
                  "registry": r.get("status"), "manifest": ""} for r in self.missing]
        return rows


def _normal(field: str, value: Any) -> Any:
    """A registry or manifest value in one comparable form (dates and times parsed, rates rounded)."""
    if value is None:
        return None
    try:
        if field == "created_at":
            return parse_timestamp(value)
        if field in ("training_start_date", "training_end_date"):
            return parse_date(value if not isinstance(value, str) else value[:10] if "T" in value else value)
        if field == "hit_rate":
            return round(float(value), 6)
        if field == "feature_count":
            return int(value)
        if field == "sha256" and isinstance(value, str):
            return value.lower()
    except (TypeError, ValueError):
        return value
    return value


def diff_registry(wanted: Sequence[Mapping[str, Any]], registry: Sequence[Mapping[str, Any]]) -> RegistryDiff:
    """Field-by-field differences between the manifest's rows and the registry's rows."""
    have = {str(r.get("model_id")): r for r in registry}
    wanted_ids = {str(r["model_id"]) for r in wanted}
    added, changed = [], []
    for row in wanted:
        current = have.get(str(row["model_id"]))
        if current is None:
            added.append(dict(row))
            continue
        for field in REGISTRY_FIELDS:
            if _normal(field, current.get(field)) != _normal(field, row.get(field)):
                changed.append(Change(str(row["model_id"]), str(row["model_file"]), field,
                                      current.get(field), row.get(field)))
    missing = [dict(r) for r in registry if str(r.get("model_id")) not in wanted_ids]
    return RegistryDiff(added, changed, missing, [dict(r) for r in wanted])
