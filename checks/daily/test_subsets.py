"""Every configured subset is materialised for every date with predictions, from those that stand (incident 3)."""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.reports.evidence import Evidence
from opscheck.views.subsets import Subsets

pytestmark = pytest.mark.daily


def judged_window(subsets: Subsets, day: dt.date, nothing_due: str) -> tuple[dt.date, dt.date]:
    """`day`'s look-back window; a skip saying why when no date of it has predictions to judge."""
    start, end = subsets.window(day)
    if not subsets.predicted_days(day):
        pytest.skip(f"no date of {start}..{end} has active predictions, so {nothing_due} (no games then; "
                    "test_predictions_landed judges the predictions)")
    return start, end


def materialize(first: str, last: str) -> str:
    """The command that makes the picks of `first`..`last` again, and the calls it makes."""
    dates = f"--date {first}" if first == last else f"--dates {first}..{last}"
    return (f"opscheck backfill subsets {dates} --apply (POST /materialize {{\"start_date\": \"{first}\", "
            f"\"end_date\": \"{last}\"}} on subset-materializer, a date at a time)")


def test_subsets_materialized(subsets: Subsets, day: dt.date, evidence: Evidence) -> None:
    start, end = judged_window(subsets, day, "no subset is due")
    missing = subsets.missing(day)
    evidence.table(f"missing (date, subset) pairs {start}..{end}",
                   [{"game_date": d, "subset_name": s} for d, s in missing])
    if missing:
        first, last = min(d for d, _ in missing), max(d for d, _ in missing)
        pairs = ", ".join(f"({d}, {s})" for d, s in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        pytest.fail(
            f"{len(missing)} (date, subset) pairs have predictions but no picks: {pairs}{more}; "
            f"next: {materialize(first, last)}",
            pytrace=False,
        )


def test_subsets_pick_active_predictions(subsets: Subsets, day: dt.date, evidence: Evidence) -> None:
    """Picks made before a rerun name predictions that no longer stand: the site shows yesterday's numbers."""
    start, end = judged_window(subsets, day, "no pick can name one")
    stale = subsets.stale(day)
    evidence.table(f"picks naming no active prediction of their date, {start}..{end}", stale)
    if stale:
        first, last = min(r["game_date"] for r in stale), max(r["game_date"] for r in stale)
        picks = sum(r["stale_picks"] for r in stale)
        pytest.fail(
            f"{picks} subset picks in {len(stale)} (date, subset) pairs {first}..{last} name predictions that "
            f"are no longer active (a rerun replaced them after the picks were made); next: materialise them "
            f"again: {materialize(first, last)}",
            pytrace=False,
        )
