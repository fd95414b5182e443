"""History copied to BigQuery (`[history] table`), live against the local platform's BigQuery stand-in:
one load job a run, the table created only when allowed (else its DDL and role), another schema refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import REPO, run_checks

DAILY = str(REPO / "checks" / "daily")
TABLE = "nba_predictions.opscheck_history"


def config_with(tmp_path: Path, history: str) -> Path:
    config = tmp_path / "opscheck.toml"
    shipped = (REPO / "opscheck.toml").read_text()
    assert "\n[history]" in shipped  # its section (all comments): the keys go under it, TOML allows one
    config.write_text(shipped.replace("\n[history]", f"\n[history]\n{history}\n", 1))
    return config


def count(platform: Sandbox) -> int:
    return int(next(iter(platform.bigquery().query(f"SELECT COUNT(*) AS n FROM {TABLE}").result()))["n"])


def test_history_is_appended_to_bigquery_once_a_run_and_the_table_made_only_when_allowed(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    healthy.bigquery().query(f"DROP TABLE IF EXISTS {TABLE}").result()
    refused = run_checks(pytester, DAILY, "--target", "sandbox", f"--report-dir={tmp_path}",
                         f"--opscheck-config={config_with(tmp_path, f'table = {TABLE!r}')}")
    assert refused.ret == pytest.ExitCode.OK  # a run that cannot copy its history keeps its exit code
    refused.stdout.fnmatch_lines([f"opscheck: warning: history table *{TABLE} does not exist: run `bq query "
                                  "--use_legacy_sql=false 'CREATE TABLE IF NOT EXISTS * PARTITION BY run_date'` "
                                  "(needs roles/bigquery.dataEditor on the dataset), or set history.create_table = "
                                  "true; the run is remembered in *"])
    allowed = config_with(tmp_path, f"table = {TABLE!r}\ncreate_table = true")
    for runs in (1, 2):
        result = run_checks(pytester, DAILY, "--target", "sandbox", f"--opscheck-config={allowed}",
                            f"--report-dir={tmp_path}")
        assert result.ret == pytest.ExitCode.OK and "warning" not in result.stdout.str(), result.stdout.str()[-1500:]
        assert count(healthy) == 23 * runs
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["bytes_billed"] == 0  # the stand-in bills nothing, as it says in its job statistics
    rows = list(healthy.bigquery().query(
        f"SELECT COUNT(DISTINCT run_id) AS runs, MIN(run_date) AS day FROM {TABLE}").result())
    assert rows[0]["runs"] == 2 and str(rows[0]["day"]) == "2026-02-09"


def test_a_history_table_of_another_schema_is_refused_in_one_line(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    healthy.bigquery().query(f"DROP TABLE IF EXISTS {TABLE}").result()
    healthy.bigquery().query(f"CREATE TABLE {TABLE} (run STRING, outcome STRING)").result()
    try:
        result = run_checks(pytester, DAILY, "--target", "sandbox",
                            f"--opscheck-config={config_with(tmp_path, f'table = {TABLE!r}')}")
        assert result.ret == pytest.ExitCode.OK
        result.stdout.fnmatch_lines([f"opscheck: warning: history table *{TABLE} has columns run, outcome, not "
                                     "opscheck's (run_date, run_id, *): point history.table at a new table; *"])
        assert count(healthy) == 0
    finally:
        healthy.bigquery().query(f"DROP TABLE IF EXISTS {TABLE}").result()
