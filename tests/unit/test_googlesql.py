"""Every named query is GoogleSQL as BigQuery reads it: Google's analyzer, not only a parser (issue 18).

The DuckDB stand-in accepts SQL BigQuery refuses, and sqlglot's BigQuery dialect parses wrong statements
it cannot type. ZetaSQL (tests/googlesql.py) resolves each query, rendered for every environment of the
shipped opscheck.toml, against the platform's tables, its parameters typed as the gateway binds them;
what it answers must be the row shape the gateway holds answers to (opscheck/sql/queries.py ROWS).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

import pytest
import sqlglot

from opscheck import config
from opscheck.platform import shapes
from opscheck.sandbox import schema
from opscheck.sql import queries
from tests import googlesql
from tests.helpers import REPO
from tests.unit.test_sql import IDENTIFIED

ENVIRONMENTS = {"default": config.load(REPO / "opscheck.toml"),
                "staging": config.load(REPO / "opscheck.toml", env="staging")}
PLATFORM_TABLES = {"predictions": schema.PREDICTIONS, "subset_picks": schema.SUBSET_PICKS, "accuracy": schema.ACCURACY,
                   "registry": schema.REGISTRY, "prop_lines": schema.PROP_LINES, "schedule": schema.SCHEDULE,
                   "features": schema.FEATURES}
KINDS = {"date": "DATE", "timestamp": "TIMESTAMP", "count": "INT64", "number": "FLOAT64", "sha256": "STRING"}
PLAIN = {str: "STRING", int: "INT64", float: "FLOAT64", bool: "BOOL"}


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Any]:
    """Each environment's tables, under its configured names, with the platform's columns."""
    assert set(PLATFORM_TABLES) == set(queries.TABLE_KEYS)
    return {env: googlesql.catalog({cfg.table(k): schema.TABLES[t] for k, t in PLATFORM_TABLES.items()})
            for env, cfg in ENVIRONMENTS.items()}


def googlesql_type(hint: Any) -> str:
    """The GoogleSQL type a row field's shape stands for (what the query must answer there)."""
    if get_origin(hint) is typing.Annotated:
        kind = next(m for m in hint.__metadata__ if isinstance(m, shapes.Kind))
        return KINDS[kind.name]
    if get_origin(hint) is Literal:
        return "STRING"
    if get_origin(hint) in (typing.Union, __import__("types").UnionType):
        (inner,) = [a for a in get_args(hint) if a is not type(None)]
        return googlesql_type(inner)
    return PLAIN[hint]


def declared(name: str) -> dict[str, str]:
    """The columns and GoogleSQL types a query's row shape declares."""
    hints = typing.get_type_hints(queries.ROWS[name], include_extras=True)
    return {field: googlesql_type(hint) for field, hint in hints.items()}


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
@pytest.mark.parametrize("name", queries.names())
def test_every_named_query_is_googlesql_and_answers_its_row_shape(catalogs: dict[str, Any], env: str,
                                                                   name: str) -> None:
    for identifiers in IDENTIFIED.get(name, [{}]):
        sql = queries.render(name, ENVIRONMENTS[env], identifiers)
        try:
            columns = googlesql.analyze(sql, catalogs[env], queries.PARAMS[name])
        except googlesql.Rejected as exc:
            pytest.fail(f"{name}.sql ({env}, {identifiers or 'no identifiers'}): BigQuery would refuse it: {exc}")
        if name in queries.ROWS:
            assert dict(columns) == declared(name), f"{name}.sql answers {columns}, its row shape says so otherwise"
        else:
            assert columns == [], f"{name}.sql is a statement (no row shape) but answers {columns}"


def test_every_query_that_answers_rows_has_a_row_shape_and_declared_parameters() -> None:
    assert set(queries.PARAMS) == set(queries.names())
    statements = {"registry_merge", "probe_cleanup"}
    assert set(queries.ROWS) == set(queries.names()) - statements


def _replace(old: str, new: str) -> Callable[[str], str]:
    def mutate(sql: str) -> str:
        assert old in sql, old
        return sql.replace(old, new)
    return mutate


@pytest.mark.parametrize(("mutate", "params", "rejected"), [
    (_replace("COUNTIF(is_correct) AS hits", "is_correct::INT64 AS hits"), {}, "Syntax error"),
    (_replace("COUNTIF(is_correct) AS hits", "COUNTIF(LENGTH(model_version)) AS hits"), {},
     "No matching signature for aggregate function COUNTIF"),
    (_replace("  model_version,\n  COUNT(*)", "  model_versoin,\n  COUNT(*)"), {}, "Unrecognized name: model_versoin"),
    (_replace("GROUP BY game_date, model_version", "GROUP BY game_date"), {}, "neither grouped nor aggregated"),
    (lambda sql: sql, {"start": "ARRAY<STRING>"}, "No matching signature for operator BETWEEN"),
    (_replace("prediction_accuracy`", "prediction_accuracies`"), {}, "Table not found"),
    (_replace("AND system_id = @system_id", "AND system_id = 9"), {}, "No matching signature for operator ="),
], ids=["cast-syntax", "countif-on-int64", "unknown-column", "ungrouped-column", "date-given-array",
        "unknown-table", "string-compared-with-int"])
def test_googles_analyzer_rejects_what_bigquery_rejects(catalogs: dict[str, Any], mutate: Callable[[str], str],
                                                        params: dict[str, str], rejected: str) -> None:
    """Each kind of mistake, made in a real query: ZetaSQL refuses it, while sqlglot's parser takes it."""
    good = queries.render("hit_rate_daily", ENVIRONMENTS["default"])
    googlesql.analyze(good, catalogs["default"], queries.PARAMS["hit_rate_daily"])
    wrong = mutate(good)
    sqlglot.parse_one(wrong, read="bigquery")  # the partition lint's parser has no objection
    with pytest.raises(googlesql.Rejected, match=rejected):
        googlesql.analyze(wrong, catalogs["default"], {**queries.PARAMS["hit_rate_daily"], **params})


def test_the_compiled_module_is_cached_for_the_next_run() -> None:
    googlesql.language()  # loads the module (compiling it on a machine's first run)
    assert googlesql.cache_file().is_file() and googlesql.cache_file().stat().st_size > 1 << 20
