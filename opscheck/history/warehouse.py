"""History in BigQuery too (`[history] table`): a live run on Google Cloud appends its rows there.

For a team that wants a season of mornings beside the platform's own tables (Elementary keeps its test
results in the warehouse for the same reason): one load job per run (not streaming inserts: free, and a
run's rows land together), into a table partitioned by run date. The SQLite store stays the memory a
run reads; this is its copy for dashboards. Created when `history.create_table` allows, else one line
with the DDL to run and the role it needs; a table of another shape is refused, never appended to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from opscheck.errors import GatewayError, HistoryError
from opscheck.history.incidents import RunFacts, row
from opscheck.history.memory import Result
from opscheck.history.store import RESULT_COLUMNS
from opscheck.session import Session

TYPES = {"seq": "INT64", "started": "TIMESTAMP", "as_of": "TIMESTAMP", "day": "DATE", "duration": "FLOAT64",
         "bytes_billed": "INT64"}
COLUMNS = ("run_date", *(c for c in RESULT_COLUMNS if c != "seq"))


def ddl(table: str) -> str:
    listed = ", ".join(f"{c} {'DATE' if c == 'run_date' else TYPES.get(c, 'STRING')}" for c in COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS `{table}` ({listed}) PARTITION BY run_date"


def rows(facts: RunFacts, results: Sequence[Result], fingerprints: dict[str, str]) -> list[dict[str, Any]]:
    """The run's rows as the store keeps them, with their run date (the partition) and without the store's seq."""
    as_of = facts.as_of.astimezone(dt.UTC)
    made = []
    for r in results:
        kept = row(facts, 0, as_of.isoformat(), r, fingerprints.get(r.check_key))
        del kept["seq"]
        made.append({"run_date": as_of.date().isoformat(), **kept})
    return made


def export(session: Session, facts: RunFacts, results: Sequence[Result], fingerprints: dict[str, str]) -> None:
    """Append the run to `[history] table`; HistoryError (one line) when it cannot be."""
    history = session.config.history
    table = session.config.table_id(history.table)
    gateway = session.platform.bigquery
    try:
        columns = gateway.columns(table)
        if columns is None:
            if not history.create_table:
                raise HistoryError(f"history table {table} does not exist: run `bq query --use_legacy_sql=false "
                                   f"'{ddl(table)}'` (needs roles/bigquery.dataEditor on the dataset), or set "
                                   "history.create_table = true")
            gateway.run_ddl(ddl(table), f"create history table {table}")
        elif tuple(columns) != COLUMNS:
            raise HistoryError(f"history table {table} has columns {', '.join(columns)}, not opscheck's "
                               f"({', '.join(COLUMNS)}): point history.table at a new table")
        gateway.append(table, rows(facts, results, fingerprints))
    except GatewayError as exc:
        raise HistoryError(f"history table {table}: {exc}") from None
