"""Upstream data landed recently: a silent scraper looks like "no predictions".

Measured from the data (each table's [freshness] column), never from table
metadata: a label or schema edit moves lastModifiedTime without a row landing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.errors import BadRequestError, NotFoundError
from opscheck.reports.evidence import Evidence
from opscheck.views.base import Days
from opscheck.views.freshness import FRESH_TABLES, Freshness
from opscheck.views.predictions import Predictions

pytestmark = pytest.mark.daily
WRITERS = {"prop_lines": "the scrapers", "schedule": "the scrapers", "predictions": "the morning run"}
GAME_DAY_ONLY = {"prop_lines", "predictions"}  # rows land only for games, in that game day's partition
CLOCK_SKEW = dt.timedelta(minutes=5)  # newer than as-of by more than this: a clock or the data is wrong


@pytest.mark.parametrize("table", FRESH_TABLES)
def test_upstream_table_fresh(
    freshness: Freshness, table: str, as_of: dt.datetime, today: dt.date, days: Days, predictions: Predictions,
    opscheck_config: Config, evidence: Evidence,
) -> None:
    """The newest row landed within the window; on a game day, lines and predictions in today's own partition."""
    name, column = opscheck_config.table(table), freshness.column(table)
    try:
        partitions = freshness.partitions(table)
    except NotFoundError as exc:
        pytest.fail(f"{name} is missing ({exc}); next: restore it (or fix [tables] {table})", pytrace=False)
    except BadRequestError as exc:
        pytest.fail(f"{name} has no usable freshness column {column} ({exc}); next: set [freshness] {table} "
                    "to a timestamp column written when its data lands", pytrace=False)
    evidence.table(f"newest {column} per partition of {name}, {freshness.start}..{freshness.end}", partitions)
    writer = f"next: check {WRITERS[table]}"
    around = freshness.landed(table)
    assert around.rows, (f"{name}: no rows in partitions {freshness.start}..{freshness.end}: nothing landed around "
                         f"today; {writer}")
    assert around.newest is not None, (
        f"{name}: {around.rows} rows in partitions {freshness.start}..{freshness.end}, and not one has a {column}: "
        f"when they landed cannot be told; next: have {WRITERS[table]} write {column} (or set [freshness] {table})"
    )
    assert around.newest <= as_of + CLOCK_SKEW, (
        f"{name}: newest {column} {around.newest.isoformat(timespec='minutes')} is "
        f"{(around.newest - as_of).total_seconds() / 3600:.0f}h after {as_of.isoformat(timespec='minutes')}: a "
        f"clock or the data is wrong, so freshness cannot be judged; next: check what {WRITERS[table]} write to "
        f"{column}"
    )
    limit = opscheck_config.thresholds.freshness_hours
    judged, what = around, f"newest {column}"
    if table in GAME_DAY_ONLY and days.first <= today <= days.last:
        games = predictions.expected(today).games
        if games == 0:
            evidence.note("schedule", f"no games on {today}: no new {column} is due")
            return
        judged, what = freshness.landed(table, today), f"newest {column} for {today}"
        assert judged.newest is not None, (
            f"{name}: no rows for {today}, a game day ({games} games); the newest are from "
            f"{around.newest.isoformat(timespec='minutes')}: {WRITERS[table]} did not run for today; {writer}"
        )
    newest = judged.newest or around.newest  # today's was asserted above when it is the one judged
    age_hours = (as_of - newest).total_seconds() / 3600
    assert age_hours <= limit, (
        f"{name}: {what} {newest.isoformat(timespec='minutes')}, {age_hours:.0f}h before "
        f"{as_of.isoformat(timespec='minutes')} (limit {limit:g}h); {writer}"
    )
