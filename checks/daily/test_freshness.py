"""Upstream data landed recently: a silent scraper looks like "no predictions".

Measured from the data (each table's [freshness] column), never from table
metadata: a label or schema edit moves lastModifiedTime without a row landing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.errors import BadRequestError, NotFoundError
from opscheck.evidence import Evidence
from opscheck.resources import Days
from opscheck.resources.predictions import Predictions
from opscheck.resources.upstream import FRESH_TABLES, Tables

pytestmark = pytest.mark.daily
WRITERS = {"prop_lines": "the scrapers", "schedule": "the scrapers", "predictions": "the morning run"}
GAME_DAY_ONLY = {"prop_lines", "predictions"}  # rows land only for games: on a day without any, none are due


@pytest.mark.parametrize("table", FRESH_TABLES)
def test_upstream_table_fresh(
    tables: Tables, table: str, as_of: dt.datetime, today: dt.date, days: Days, predictions: Predictions,
    opscheck_config: Config, evidence: Evidence,
) -> None:
    name, column = opscheck_config.table(table), tables.column(table)
    try:
        found = tables.newest(table)
    except NotFoundError as exc:
        pytest.fail(f"{name} is missing ({exc}); next: restore it (or fix [tables] {table})", pytrace=False)
    except BadRequestError as exc:
        pytest.fail(f"{name} has no usable freshness column {column} ({exc}); next: set [freshness] {table} "
                    "to a timestamp column written when its data lands", pytrace=False)
    evidence.json(f"newest {column} in {name}, partitions {tables.start}..{tables.end}", found)
    assert found["newest"] is not None, (
        f"{name}: no rows in partitions {tables.start}..{tables.end}: nothing landed around today; "
        f"next: check {WRITERS[table]}"
    )
    newest = dt.datetime.fromisoformat(str(found["newest"]))
    age_hours = (as_of - newest).total_seconds() / 3600
    limit = opscheck_config.thresholds.freshness_hours
    if table in GAME_DAY_ONLY and days.first <= today <= days.last and predictions.expected(today).games == 0:
        evidence.note("schedule", f"no games on {today}: no new {column} is due ({age_hours:.0f}h old)")
        return
    assert age_hours <= limit, (
        f"{name}: newest {column} {newest.isoformat(timespec='minutes')}, {age_hours:.0f}h before "
        f"{as_of.isoformat(timespec='minutes')} (limit {limit:g}h); next: check {WRITERS[table]}"
    )
