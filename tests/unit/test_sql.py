"""Every named query parses as BigQuery SQL and filters each partitioned table on game_date.

Why static: a query that scans a whole partitioned table costs money and time
on every morning run, and the local stand-in would never notice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from opscheck import queries
from opscheck.config import Config

REPO = Path(__file__).resolve().parents[2]
CONFIG = Config()
PARTITION = "game_date"
UNPARTITIONED = {"registry"}
PARTITIONED = {CONFIG.table(k) for k in queries.TABLE_KEYS if k not in UNPARTITIONED}


def unfiltered_tables(sql: str) -> list[str]:
    """Partitioned tables of `sql` that no WHERE or JOIN ON restricts on the partition column."""
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
        conditions = [select.args.get("where")] + [j.args.get("on") for j in select.args.get("joins") or []]
        if not any(_restricts(c, table.alias_or_name, len(sources) == 1) for c in conditions if c):
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


@pytest.mark.parametrize("name", queries.names())
def test_query_filters_partitions(name: str) -> None:
    assert unfiltered_tables(queries.render(name, CONFIG)) == []


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


def test_unpartitioned_registry_needs_no_filter() -> None:
    assert unfiltered_tables("SELECT * FROM `nba-props-platform.nba_predictions.model_registry`") == []
