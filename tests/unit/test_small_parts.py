"""Governance derivations, evidence rendering, date ranges, named-query rendering."""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck import governance
from opscheck.config import Config, TablesConfig
from opscheck.errors import ConfigError
from opscheck.reports.evidence import Evidence, render_table
from opscheck.sql import queries
from opscheck.views.base import Days

ENTRY = {"file": "catboost_v9_33f_train20251102-20260108_20260201T011018.cbm",
         "model_version": "v9_20260201_011018", "training_start_date": "2025-11-02",
         "training_end_date": "2026-01-08", "hit_rate": 0.712, "status": "production", "sha256": "ab" * 32}


def test_model_section_round_trips_through_a_doc() -> None:
    section = governance.model_section(ENTRY)
    doc = f"# team\n\n{section}\n\n## more\n"
    assert governance.extract_model_section(doc) == section
    assert "- hit rate: 71.2%" in section and "- training: 2025-11-02 .. 2026-01-08" in section
    assert governance.extract_model_section("# no section") is None


def test_production_entry_requires_the_named_model() -> None:
    manifest = {"production_model": ENTRY["file"], "models": [ENTRY]}
    assert governance.production_entry(manifest) == ENTRY
    with pytest.raises(ValueError, match="lists no such model"):
        governance.production_entry({"production_model": "x.cbm", "models": [ENTRY]})


def test_evidence_table_is_aligned_and_capped() -> None:
    text = render_table([{"game_date": "2026-02-09", "active": i, "rate": 0.70412, "note": None}
                         for i in range(45)])
    lines = text.splitlines()
    assert lines[0].split() == ["game_date", "active", "rate", "note"]
    assert "0.7041" in lines[2] and "NULL" in lines[2]
    assert lines[-1] == "... 5 more rows" and len(lines) == 2 + 40 + 1
    assert render_table([]) == "(no rows)"
    collected = Evidence()
    collected.note("n", "hello")
    collected.json("j", {"b": 1, "a": dt.date(2026, 2, 9)})
    assert collected.text() == 'n:\nhello\n\nj:\n{\n  "a": "2026-02-09",\n  "b": 1\n}'


def test_days_span() -> None:
    days = Days.of([dt.date(2026, 2, 9), dt.date(2026, 2, 1)])
    assert (days.first, days.last) == (dt.date(2026, 2, 1), dt.date(2026, 2, 9))
    assert days.span(before=6, after=-1) == {"start": dt.date(2026, 1, 26), "end": dt.date(2026, 2, 8)}
    with pytest.raises(ValueError):
        Days.of([])


def test_queries_render_configured_tables_backticked() -> None:
    config = Config(tables=TablesConfig(predictions="other-project.ds.preds"))
    sql = queries.render("predictions_by_version", config)
    assert "FROM `other-project.ds.preds`" in sql
    assert "`nba-props-platform.nba_predictions.prediction_accuracy`" in sql
    assert "{" not in sql
    fresh = queries.render("freshness", config, {"table": "predictions", "column": "created_at"})
    assert "MAX(`created_at`)" in fresh and "FROM `other-project.ds.preds`" in fresh


def test_unknown_query_and_placeholder_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="no named query 'nope'"):
        queries.render("nope", Config())
    monkeypatch.setattr(queries, "_text", lambda name: "SELECT * FROM {nowhere}")
    with pytest.raises(ConfigError, match=r"x.sql: placeholder \{nowhere\} needs a table key or column name"):
        queries.render("x", Config())
    monkeypatch.setattr(queries, "_text", lambda name: "SELECT MAX({column}) FROM {table}")
    with pytest.raises(ConfigError, match=r"placeholder \{column\} needs a table key or column name, got "
                                          r"'x; DROP TABLE y'"):
        queries.render("x", Config(), {"table": "predictions", "column": "x; DROP TABLE y"})
