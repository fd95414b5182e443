"""Upstream tables were written recently: a silent scraper looks like "no predictions"."""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.evidence import Evidence
from opscheck.resources.upstream import FRESH_TABLES, Tables

pytestmark = pytest.mark.daily


@pytest.mark.parametrize("table", FRESH_TABLES)
def test_upstream_table_fresh(
    tables: Tables, table: str, as_of: dt.datetime, opscheck_config: Config, evidence: Evidence
) -> None:
    info = tables.info(table)
    evidence.json("table", info)
    modified = dt.datetime.fromisoformat(info["modified"])
    age_hours = (as_of - modified).total_seconds() / 3600
    limit = opscheck_config.thresholds.freshness_hours
    assert age_hours <= limit, (
        f"{info['table']} last modified {modified.isoformat(timespec='minutes')}, {age_hours:.0f}h "
        f"before {as_of.isoformat(timespec='minutes')} (limit {limit:g}h); next: check the job "
        "that writes it (scrapers for lines and schedule, the morning run for predictions)"
    )
