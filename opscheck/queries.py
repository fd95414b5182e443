"""Named SQL: `opscheck/sql/NAME.sql`, with configured table names filled in.

Why named files: a reviewer reads the SQL a check runs without reading Python,
and a static test can parse every query (partition filters). Table names are
identifiers, which BigQuery cannot take as parameters, so `{predictions}`-style
placeholders are replaced by the configured, validated, backticked names;
values always travel as query parameters.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
from collections.abc import Mapping
from pathlib import Path

from opscheck.config import Config, TablesConfig
from opscheck.errors import ConfigError

SQL_DIR = Path(__file__).parent / "sql"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
TABLE_KEYS = tuple(f.name for f in dataclasses.fields(TablesConfig))
# sqlglot is used from the session prefetch's threads at once, and it is not safe so:
# its dialect metaclass (_Dialect.__new__) registers a class before it sets the class's
# tokenizer and parser, so a thread parsing while another loads the BigQuery dialect
# tokenizes with the generic one (backticks are no identifiers) and a good query fails
# (a check failed so once in CI). One thread at a time; each query is parsed once a
# process, so the lock costs nothing.
_SQLGLOT = threading.Lock()


@functools.cache
def _text(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    try:
        return path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"no named query {name!r} ({path} does not exist)") from None


def names() -> list[str]:
    """Every named query that ships with opscheck."""
    return sorted(p.stem for p in SQL_DIR.glob("*.sql"))


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def render(name: str, config: Config, identifiers: Mapping[str, str] | None = None) -> str:
    """The SQL of query `name` with configured tables (and given identifiers) in place of placeholders.

    `identifiers` fill the generic placeholders of a query that serves several
    tables: `{table}` takes a table key, `{column}` a column name.
    """
    given = dict(identifiers or {})

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "table" and given.get("table") in TABLE_KEYS:
            return f"`{config.table(given['table'])}`"
        if key == "column" and _IDENTIFIER.match(given.get("column", "")):
            return f"`{given['column']}`"
        if key not in TABLE_KEYS:
            raise ConfigError(f"{name}.sql: placeholder {{{key}}} needs a table key or column name, got "
                              f"{given.get(key)!r}")
        return f"`{config.table(key)}`"

    return _PLACEHOLDER.sub(fill, _text(name))


@functools.cache
def _selected(sql: str) -> frozenset[str]:
    with _SQLGLOT:
        import sqlglot

        tree = sqlglot.parse_one(sql, read="bigquery")
    return frozenset(tree.named_selects) if isinstance(tree, sqlglot.exp.Query) else frozenset()


def columns(name: str, config: Config, identifiers: Mapping[str, str] | None = None) -> frozenset[str]:
    """The columns the rows of query `name` carry (its final SELECT list), as every row must."""
    return _selected(render(name, config, identifiers))
