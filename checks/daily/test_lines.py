"""The day's prop lines look like each player's own recent lines (PLATFORM.md: the scrapers feed the run).

A scraper that writes another market's numbers, or the right numbers in the wrong unit, passes every
freshness check: the lines are there, and new. Each player's line is held against that player's own
last weeks (line_drift.sql), so a slate where many moved at once is caught before it feeds the model.
"""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.reports.evidence import Evidence
from opscheck.views.lines import Lines

pytestmark = pytest.mark.daily


def test_prop_lines_consistent(lines: Lines, day: dt.date, opscheck_config: Config, evidence: Evidence) -> None:
    """No line that cannot be; at most `thresholds.line_moved_share` of the judged lines far from their own history."""
    drift = lines.drift(day)
    evidence.json(f"prop lines on {day} against each player's last {opscheck_config.thresholds.line_lookback_days} "
                  "days", drift)
    if not drift["players"]:
        pytest.skip(f"{day}: no prop lines to judge (test_predictions_landed says whether any were due)")
    thresholds = opscheck_config.thresholds
    table = opscheck_config.table("prop_lines")
    example = (f"e.g. {drift['example_player']} at {drift['example_line']:g}"
               + (f", usually {drift['example_usual']:.1f}" if drift["example_usual"] is not None else "")
               if drift["example_player"] else "")
    fix = (f"next: check the scrapers' source and parsing for {day} in {table}, rerun them, then rerun "
           f"POST /start {{\"game_date\": \"{day}\"}}")
    found = []
    if drift["impossible"]:
        found.append(f"{drift['impossible']} of {drift['players']} prop lines cannot be (missing, not above 0, or "
                     f"above {thresholds.max_line_points:g} points)")
    share = drift["moved"] / drift["judged"] if drift["judged"] else 0.0
    if share > thresholds.line_moved_share:
        found.append(f"{drift['moved']} of {drift['judged']} players' lines ({share:.0%}) lie far from their own last "
                     f"{thresholds.line_lookback_days} days (more than {thresholds.line_move_sd:g} spreads and "
                     f"{thresholds.line_move_points:g} points; at most {thresholds.line_moved_share:.0%} may)")
    if not found and not drift["judged"]:
        pytest.skip(f"{day}: none of the {drift['players']} players with a line has {thresholds.line_min_history} "
                    f"earlier days of lines in the last {thresholds.line_lookback_days}: nothing to hold them against")
    assert not found, (f"{day}: " + "; ".join(found) + f": {example}; the scraper wrote other numbers than the "
                       f"books', or in another unit; {fix}")
