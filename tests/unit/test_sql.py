"""Every named query parses as BigQuery SQL and filters each partitioned table on game_date.

Why static: a query that scans a whole partitioned table costs money and time
on every morning run, and the local stand-in would never notice. The filter
must sit in the WHERE of the table's own SELECT (a CTE for a joined table):
a `require_partition_filter` table refuses a partition filter that is only in
a join's ON clause.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from opscheck.config import Config
from opscheck.sql import queries
from opscheck.views.freshness import FRESH_TABLES

REPO = Path(__file__).resolve().parents[2]
CONFIG = Config()
PARTITION = "game_date"
UNPARTITIONED = {"registry"}
PARTITIONED = {CONFIG.table(k) for k in queries.TABLE_KEYS if k not in UNPARTITIONED}


def unfiltered_tables(sql: str) -> list[str]:
    """Partitioned tables of `sql` that the WHERE of their own SELECT does not restrict on the partition."""
    tree = sqlglot.parse_one(sql, read="bigquery")
    missing = []
    for table in tree.find_all(exp.Table):
        name = ".".join(p for p in (table.catalog, table.db, table.name) if p)
        if name not in PARTITIONED:
            continue
        select = table.find_ancestor(exp.Select, exp.Delete, exp.Update)
        assert select is not None, f"{name} outside a SELECT, DELETE or UPDATE"
        sources = [t for t in select.find_all(exp.Table)
                   if t.find_ancestor(exp.Select, exp.Delete, exp.Update) is select]
        where = select.args.get("where")
        if where is None or not _restricts(where, table.alias_or_name, len(sources) == 1):
            missing.append(name)
    return missing


def _restricts(condition: exp.Expression, alias: str, only_source: bool) -> bool:
    """A comparison of alias.game_date with something holding a parameter or a literal."""
    for predicate in condition.find_all(exp.Between, exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In):
        columns = [c for c in predicate.find_all(exp.Column) if c.name == PARTITION]
        ours = [c for c in columns if c.table == alias or (not c.table and only_source)]
        bound = predicate.find(exp.Parameter) or predicate.find(exp.Literal)
        if ours and bound:
            return True
    return False


# Queries with generic {table}/{column} placeholders, and what they are run with.
IDENTIFIED = {"freshness": [{"table": key, "column": getattr(CONFIG.freshness, key)} for key in FRESH_TABLES]}


@pytest.mark.parametrize("name", queries.names())
def test_query_filters_partitions(name: str) -> None:
    for identifiers in IDENTIFIED.get(name, [{}]):
        assert unfiltered_tables(queries.render(name, CONFIG, identifiers)) == []


def test_every_named_query_is_used() -> None:
    """No dead SQL: each file is run by name somewhere in opscheck."""
    sources = "".join(p.read_text() for p in (REPO / "opscheck").rglob("*.py"))
    assert queries.names()
    assert [n for n in queries.names() if f'"{n}"' not in sources] == []


@pytest.mark.parametrize("sql", [
    "SELECT COUNT(*) FROM `nba-props-platform.nba_predictions.player_prop_predictions`",
    "SELECT * FROM `nba-props-platform.nba_predictions.player_prop_predictions` WHERE system_id = @s",
    "SELECT p.x FROM `nba-props-platform.nba_predictions.player_prop_predictions` AS p "
    "JOIN `nba-props-platform.nba_predictions.prediction_accuracy` AS a ON a.prediction_id = p.prediction_id "
    "WHERE p.game_date = @d",
    "DELETE FROM `nba-props-platform.nba_predictions.player_prop_predictions` WHERE STARTS_WITH(prediction_id, @p)",
])
def test_checker_catches_a_full_scan(sql: str) -> None:
    assert unfiltered_tables(sql)


def test_a_partition_filter_only_in_a_join_on_clause_is_caught() -> None:
    sql = ("SELECT p.x FROM `nba-props-platform.nba_predictions.player_prop_predictions` AS p "
           "LEFT JOIN `nba-props-platform.nba_predictions.prediction_accuracy` AS a "
           "ON a.prediction_id = p.prediction_id AND a.game_date BETWEEN @start AND @end "
           "WHERE p.game_date BETWEEN @start AND @end")
    assert unfiltered_tables(sql) == ["nba-props-platform.nba_predictions.prediction_accuracy"]


def test_unpartitioned_registry_needs_no_filter() -> None:
    assert unfiltered_tables("SELECT * FROM `nba-props-platform.nba_predictions.model_registry`") == []
