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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypedDict, get_args

from opscheck.config import Config, TablesConfig
from opscheck.errors import ConfigError
from opscheck.platform import shapes
from opscheck.platform.shapes import Count, Date, Number, Timestamp

SQL_DIR = Path(__file__).parent  # the .sql files sit beside this module
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
TABLE_KEYS = tuple(f.name for f in dataclasses.fields(TablesConfig))


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


# ---- what each named query's rows hold (held at the gateway: opscheck/platform/shapes.py) -------------------
class ProbeSecondRow(TypedDict):
    game_date: Date
    second: Timestamp
    probe: str
    rows: Count


class PingRow(TypedDict):
    ok: int


class ExpectedRow(TypedDict):
    """One row per date of the range: what the schedule and the lines say is due."""

    game_date: Date
    games: Count
    games_with_lines: Count
    players_with_lines: Count


class FreshnessRow(TypedDict):
    game_date: Date
    newest: Timestamp | None
    rows: Count


class HitRow(TypedDict):
    game_date: Date
    model_version: str
    rows: Count
    hits: Count
    graded: Count


Problem = Literal["duplicate", "value not a number", "value negative", "line not a number",
                  "value far from the line", "confidence outside [0, 1]", "no scheduled game"]
PROBLEMS: tuple[Problem, ...] = get_args(Problem)
"""The kinds of problem prediction_problems.sql looks for (its @kinds: one row per date and kind)."""


class ProblemRow(TypedDict):
    """One row per date of the range and kind of problem."""

    game_date: Date
    problem: Problem
    predictions: Count
    example_player: str | None


class LineDriftRow(TypedDict):
    """One row per date of the range: its players with a line, judged against their own history, and moved."""

    game_date: Date
    players: Count
    judged: Count
    moved: Count  # judged lines far from the player's own recent ones
    impossible: Count  # NULL, NaN, not above 0, or above the configured most
    example_player: str | None
    example_line: Number | None
    example_usual: Number | None


class BacktestRow(TypedDict):
    """One graded pick of the serving model with the feature row it was scored from."""

    game_date: Date
    player_lookup: str
    features: str | None  # a JSON array in the model's feature order
    line_value: Number | None
    actual_points: Count
    serving_call: str | None
    serving_correct: bool | None


DriftMetric = Literal["edge", "recommendation", "confidence"]


class DriftRow(TypedDict):
    """Per date, model version, metric and bin: the active predictions in it, and the sums of their edges
    and lines (summed over one metric's bins: the day's moments)."""

    game_date: Date
    model_version: str
    metric: DriftMetric
    bin: str | None  # a category's name (recommendation)
    low: Number | None  # an ordered bin's lower bound (edge, confidence)
    predictions: Count
    edge_sum: Number
    edge_squares: Number
    line_sum: Number
    line_squares: Number
    edge_line_sum: Number


class VersionRow(TypedDict):
    """Per date and model version; a date without predictions has one row, model_version null, all zero."""

    game_date: Date
    model_version: str | None
    rows: Count
    active: Count
    players: Count
    calls: Count
    graded: Count
    decided: Count


class PlayerRow(TypedDict):
    game_date: Date
    player_lookup: str


class ProbeRow(TypedDict):
    probe: str | None  # NULL: a probe- row whose id is in no format opscheck writes
    rows: Count


class RegistryRow(TypedDict):
    model_id: str
    system_id: str | None
    model_version: str | None
    model_file: str | None
    gcs_path: str | None
    training_start_date: Date | None
    training_end_date: Date | None
    feature_count: int | None
    sha256: str | None
    hit_rate: Number | None
    status: str | None
    created_at: Timestamp | None
    updated_at: Timestamp | None


class UsageRow(TypedDict):
    source: Literal["predictions", "subset_picks", "graded"]
    model_version: str
    first_date: Date
    last_date: Date
    rows: Count


class CoverageRow(TypedDict):
    """One row per date of the range and configured subset."""

    game_date: Date
    subset_name: str
    predictions: Count
    picks: Count
    stale_picks: Count  # picks naming no active prediction of that date


shapes.at_most(HitRow, ("hits", "graded"), ("graded", "rows"))
shapes.at_most(VersionRow, ("players", "active"), ("calls", "active"), ("active", "rows"), ("decided", "graded"),
               ("graded", "active"))
shapes.at_most(ExpectedRow, ("games_with_lines", "games"), ("games_with_lines", "players_with_lines"))
shapes.at_most(UsageRow, ("first_date", "last_date"))
shapes.at_most(CoverageRow, ("stale_picks", "picks"))
shapes.at_most(LineDriftRow, ("judged", "players"), ("moved", "judged"), ("impossible", "players"))
ROWS: dict[str, Any] = {
    "backtest_rows": BacktestRow, "batch_rows": ProbeSecondRow, "doctor_ping": PingRow,
    "prediction_drift": DriftRow, "expected_predictions": ExpectedRow,
    "freshness": FreshnessRow, "hit_rate_daily": HitRow, "line_drift": LineDriftRow, "prediction_problems": ProblemRow,
    "predictions_by_version": VersionRow, "probe_players": PlayerRow, "probe_rows": ProbeRow,
    "registry_models": RegistryRow, "rows_by_model": UsageRow, "subset_coverage": CoverageRow,
}
"""The row of every named query that is read (statements such as the MERGE answer a row count)."""


def row_of(name: str) -> Any:
    """The TypedDict each row of query `name` must be (ConfigError for a query that declares none)."""
    try:
        return ROWS[name]
    except KeyError:
        raise ConfigError(f"query {name}.sql declares no row shape (opscheck/sql/queries.py ROWS)") from None


_WINDOW = {"start": "DATE", "end": "DATE"}
_REGISTRY_ROW = ("STRUCT<model_id STRING, system_id STRING, model_version STRING, model_file STRING, gcs_path STRING, "
                 "training_start_date DATE, training_end_date DATE, feature_count INT64, sha256 STRING, "
                 "hit_rate FLOAT64, status STRING, created_at TIMESTAMP>")
PARAMS: dict[str, dict[str, str]] = {
    "backtest_rows": {**_WINDOW, "system_id": "STRING", "serving_version": "STRING"},
    "batch_rows": {"dates": "ARRAY<DATE>", "system_id": "STRING", "since": "TIMESTAMP"},
    "doctor_ping": {},
    "expected_predictions": _WINDOW,
    "freshness": _WINDOW,
    "hit_rate_daily": {**_WINDOW, "system_id": "STRING"},
    "line_drift": {**_WINDOW, "lookback": "INT64", "min_history": "INT64", "move_sd": "FLOAT64",
                   "move_points": "FLOAT64", "max_line": "FLOAT64"},
    "prediction_drift": {**_WINDOW, "system_id": "STRING"},
    "prediction_problems": {**_WINDOW, "system_id": "STRING", "max_edge": "FLOAT64", "kinds": "ARRAY<STRING>"},
    "predictions_by_version": {**_WINDOW, "system_id": "STRING"},
    "probe_cleanup": {**_WINDOW, "prefix": "STRING", "probes": "ARRAY<STRING>"},
    "probe_players": {**_WINDOW, "players": "INT64"},
    "probe_rows": {**_WINDOW, "prefix": "STRING"},
    "registry_merge": {"rows": f"ARRAY<{_REGISTRY_ROW}>"},
    "registry_models": {"system_id": "STRING"},
    "rows_by_model": {**_WINDOW, "system_id": "STRING"},
    "subset_coverage": {**_WINDOW, "system_id": "STRING", "subsets": "ARRAY<STRING>"},
}
"""Each named query's parameters and their GoogleSQL types: what the gateway binds (it checks every call
against this), and what Google's own analyzer checks each query with (tests/unit/test_googlesql.py)."""


def check_params(name: str, bound: Mapping[str, str]) -> None:
    """Raise ConfigError unless `bound` (name -> GoogleSQL type) is what query `name` declares."""
    declared = PARAMS.get(name)
    if declared is None:
        raise ConfigError(f"query {name}.sql declares no parameters (opscheck/sql/queries.py PARAMS)")
    if dict(bound) != declared:
        wrong = sorted(k for k in {*bound, *declared} if bound.get(k) != declared.get(k))
        raise ConfigError(f"query {name}.sql: parameters bound as {dict(bound)}, declared {declared} "
                          f"(differ in {', '.join(wrong)})")
