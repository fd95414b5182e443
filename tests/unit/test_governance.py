"""Governance on plain data: names, manifest validation, registry diff, guard, the MODEL section."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from opscheck import governance

UTC = dt.UTC
PRODUCTION: dict[str, Any] = {
    "file": "catboost_v9_33f_train20251102-20260108_20260201T011018.cbm",
    "model_version": "v9_20260201_011018", "training_start_date": "2025-11-02",
    "training_end_date": "2026-01-08", "feature_count": 33, "sha256": "ab" * 32, "hit_rate": 0.712,
    "status": "production", "created_at": "2026-02-01T01:10:18Z",
}
RETIRED: dict[str, Any] = {
    "file": "catboost_v9_33f_train20241022-20250413_20251015T093000.cbm",
    "model_version": "v9_20251015_093000", "training_start_date": "2024-10-22",
    "training_end_date": "2025-04-13", "feature_count": 33, "sha256": "cd" * 32, "hit_rate": 0.703,
    "status": "retired", "created_at": "2025-10-15T09:30:00Z",
}
MANIFEST: dict[str, Any] = {"system_id": "catboost_v9", "production_model": PRODUCTION["file"],
                            "models": [PRODUCTION, RETIRED]}


def manifest(**changes: Any) -> dict[str, Any]:
    """The manifest with production-entry fields changed (None deletes a field)."""
    data = copy.deepcopy(MANIFEST)
    for key, value in changes.items():
        if value is None:
            del data["models"][0][key]
        else:
            data["models"][0][key] = value
    return data


# ---- names -------------------------------------------------------------------
def test_name_and_parser_round_trip() -> None:
    name = governance.parse_model_file(PRODUCTION["file"])
    assert name == governance.ModelName(33, dt.date(2025, 11, 2), dt.date(2026, 1, 8),
                                        dt.datetime(2026, 2, 1, 1, 10, 18, tzinfo=UTC))
    assert name.file == PRODUCTION["file"] and name.version == PRODUCTION["model_version"]
    made = governance.model_file_name(12, dt.date(2026, 1, 1), dt.date(2026, 1, 31),
                                      dt.datetime(2026, 2, 2, 3, 4, 5, tzinfo=UTC))
    assert made == "catboost_v9_12f_train20260101-20260131_20260202T030405.cbm"
    assert governance.parse_model_file(made).file == made


def test_name_is_made_in_utc() -> None:
    eastern = dt.datetime(2026, 2, 1, 20, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert governance.model_file_name(33, dt.date(2026, 1, 1), dt.date(2026, 1, 2), eastern).endswith(
        "_20260202T010000.cbm")


@pytest.mark.parametrize("file", [
    "catboost_v9_train20251102-20260108_20260201T011018.cbm",  # no feature count
    "catboost_v9_33f_train20251102-20260108_20260201T011018.bin",
    "catboost_v8_33f_train20251102-20260108_20260201T011018.cbm",
    "catboost_v9_33f_train20251302-20260108_20260201T011018.cbm",  # month 13
])
def test_parser_refuses_unconventional_names(file: str) -> None:
    with pytest.raises(ValueError, match=r"catboost_v9|real dates"):
        governance.parse_model_file(file)


# ---- validation --------------------------------------------------------------
def test_valid_manifest_has_no_problems() -> None:
    assert governance.validate_manifest(MANIFEST) == []


def test_every_problem_is_listed_not_only_the_first() -> None:
    broken = manifest(sha256="ABC", hit_rate=1.7, status="live", training_end_date=None)
    problems = {(p.field, p.kind) for p in governance.validate_manifest(broken)}
    assert {("sha256", "entry"), ("hit_rate", "entry"), ("status", "entry"),
            ("training_end_date", "entry")} <= problems
    assert ("status", "entry") in problems  # no production model left


@pytest.mark.parametrize(("changes", "field", "kind"), [
    ({"training_end_date": "02/10/2026"}, "training_end_date", "entry"),
    ({"training_end_date": "last tuesday"}, "training_end_date", "entry"),
    ({"created_at": "2026-02-01T01:10:18"}, "created_at", "entry"),
    ({"training_start_date": "2026-01-09"}, "training_start_date", "timeline"),
    ({"training_end_date": "2026-02-01"}, "training_end_date", "timeline"),
    ({"feature_count": 40}, "feature_count", "name"),
    ({"model_version": "v9_current_season"}, "model_version", "name"),
    ({"file": "model.cbm"}, "file", "name"),
])
def test_each_rule_names_model_field_and_owner(changes: dict[str, Any], field: str, kind: str) -> None:
    problems = governance.validate_manifest(manifest(**changes))
    assert any(p.field == field and p.kind == kind for p in problems), problems
    assert all(p.model for p in problems)


def test_problem_list_counts_in_words_and_says_how_many_it_left_out() -> None:
    one = governance.validate_manifest(manifest(sha256="NOT-HEX"))
    many = governance.validate_manifest(manifest(sha256="NOT-HEX", status="live", feature_count=40))
    assert governance.problem_list(one) == f"(1 problem): {one[0]}"
    assert governance.problem_list(many).startswith(f"({len(many)} problems): {many[0]}; {many[1]}")
    assert governance.problem_list(many, limit=1) == f"({len(many)} problems): {many[0]}; and {len(many) - 1} more"


def test_production_model_must_be_listed_exactly_once() -> None:
    data = copy.deepcopy(MANIFEST)
    data["production_model"] = "catboost_v9_33f_train20250101-20250102_20250103T000000.cbm"
    assert any(p.field == "production_model" for p in governance.validate_manifest(data))
    with pytest.raises(ValueError, match="lists no such model"):
        governance.production_entry(data)
    twice = copy.deepcopy(MANIFEST)
    twice["models"].append(copy.deepcopy(PRODUCTION))
    assert {p.field for p in governance.validate_manifest(twice)} >= {"production_model", "file", "status"}


def test_shared_training_window_is_a_window_problem() -> None:
    twin = {**PRODUCTION, "file": "catboost_v9_33f_train20251102-20260108_20260208T030000.cbm",
            "model_version": "v9_20260208_030000", "status": "shadow", "created_at": "2026-02-08T03:00:00Z"}
    data = {**MANIFEST, "models": [PRODUCTION, RETIRED, twin]}
    problems = governance.validate_manifest(data)
    assert [p.kind for p in problems] == ["window"]
    assert twin["file"] in problems[0].model and PRODUCTION["file"] in problems[0].model


def test_not_an_object_is_one_problem() -> None:
    assert [p.field for p in governance.validate_manifest(["x"])] == ["(top level)"]


# ---- registry ----------------------------------------------------------------
def registry() -> list[dict[str, Any]]:
    rows = governance.registry_rows(MANIFEST, "bucket", "catboost/v9/")
    return [{**r, "updated_at": r["created_at"]} for r in rows]


def test_registry_rows_follow_the_manifest() -> None:
    row = registry()[0]
    assert row["model_id"] == "catboost_v9_v9_20260201_011018"
    assert row["gcs_path"] == f"gs://bucket/catboost/v9/{PRODUCTION['file']}"
    assert row["created_at"] == "2026-02-01T01:10:18+00:00"


def test_diff_is_empty_for_equal_values_in_other_forms() -> None:
    rows = registry()
    rows[0] = {**rows[0], "hit_rate": 0.7120000001, "created_at": "2026-02-01T01:10:18Z"}
    assert governance.diff_registry(governance.registry_rows(MANIFEST, "bucket", "catboost/v9/"), rows).empty


def test_diff_names_added_changed_and_missing() -> None:
    wanted = governance.registry_rows(MANIFEST, "bucket", "catboost/v9/")
    have = registry()
    have[0]["training_end_date"] = "2026-01-31"
    orphan = {**have[1], "model_id": "catboost_v9_old", "model_file": "old.cbm"}
    diff = governance.diff_registry(wanted, [have[0], orphan])
    assert [(c.field, c.registry, c.manifest) for c in diff.changed] == [
        ("training_end_date", "2026-01-31", "2026-01-08")]
    assert [r["model_id"] for r in diff.added] == ["catboost_v9_v9_20251015_093000"]
    assert [r["model_id"] for r in diff.missing] == ["catboost_v9_old"]
    assert {r["model_id"] for r in diff.writes} == {"catboost_v9_v9_20251015_093000",
                                                     "catboost_v9_v9_20260201_011018"}
    assert {r["change"] for r in diff.table()} == {"added", "changed", "missing from the manifest"}


# ---- guard -------------------------------------------------------------------
def test_guard_refuses_the_same_window_and_warns_on_overlap() -> None:
    verdict = governance.guard(dt.date(2025, 11, 2), dt.date(2026, 1, 8), [*MANIFEST["models"], *registry()])
    assert verdict.refused and [m["file"] for m in verdict.same] == [PRODUCTION["file"]]
    overlap = governance.guard(dt.date(2025, 12, 1), dt.date(2026, 1, 31), MANIFEST["models"])
    assert not overlap.refused and [m["file"] for m in overlap.overlapping] == [PRODUCTION["file"]]
    fresh = governance.guard(dt.date(2026, 1, 9), dt.date(2026, 2, 8), MANIFEST["models"])
    assert not fresh.same and not fresh.overlapping
    with pytest.raises(ValueError, match="end is before the start"):
        governance.guard(dt.date(2026, 2, 8), dt.date(2026, 1, 9), [])


# ---- the MODEL section -------------------------------------------------------
def test_section_is_rewritten_in_place_leaving_every_other_byte() -> None:
    old = governance.model_section(RETIRED)
    doc = f"# team\r\n\nintro  \n{old}\ntrailing text without newline"
    new = governance.model_section(PRODUCTION)
    updated = governance.with_model_section(doc, new)
    assert updated == doc.replace(old, new)
    assert governance.with_model_section(updated, new) == updated


def test_section_is_appended_to_a_doc_without_markers() -> None:
    section = governance.model_section(PRODUCTION)
    assert governance.with_model_section("# team\n", section) == f"# team\n\n{section}\n"
    assert governance.with_model_section("# team", section) == f"# team\n\n{section}\n"
    assert governance.with_model_section("", section) == f"{section}\n"


def test_section_diff_and_fields() -> None:
    old, new = governance.model_section(RETIRED), governance.model_section(PRODUCTION)
    diff = governance.section_diff(old, new, "CLAUDE.md")
    assert diff.startswith("--- CLAUDE.md (MODEL section)\n+++ generated from the manifest\n")
    assert f"+- file: `{PRODUCTION['file']}`" in diff
    assert governance.section_diff(new, new, "CLAUDE.md") == ""
    assert governance.section_fields(new)["training"] == "2025-11-02 .. 2026-01-08"
