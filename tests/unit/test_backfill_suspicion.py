"""A batch is judged stalled only when the verdict holds: one reading on a busy machine is not a stall."""

from __future__ import annotations

from opscheck.backfill.apply import Suspicion

BEHIND = "at 40/48 by its tracker while 41 of its rows landed"


def test_a_verdict_that_clears_before_the_hold_never_stalls() -> None:
    held = Suspicion(3.0)
    assert held.confirm(BEHIND, 40, at=100.0) is None
    assert held.confirm(None, 41, at=101.0) is None  # the /complete arrived: the tracker caught up
    assert held.confirm(BEHIND, 41, at=102.0) is None  # a new sighting starts its own hold
    assert held.confirm(BEHIND, 41, at=104.5) is None
    assert held.confirm(BEHIND, 41, at=105.0) == BEHIND


def test_a_tracker_that_moves_restarts_the_hold() -> None:
    held = Suspicion(3.0)
    assert held.confirm(BEHIND, 40, at=0.0) is None
    assert held.confirm(BEHIND, 41, at=2.9) is None
    assert held.confirm(BEHIND, 42, at=5.8) is None  # counting, slowly: not stuck
    assert held.confirm(BEHIND, 42, at=8.7) is None
    assert held.confirm(BEHIND, 42, at=8.8) == BEHIND


def test_a_verdict_unchanged_for_the_hold_stands_and_a_zero_hold_stands_at_once() -> None:
    held = Suspicion(3.0)
    assert [held.confirm("at 0/48 for 15s", 0, at=t) for t in (10.0, 11.0, 12.0, 13.0)] == [
        None, None, None, "at 0/48 for 15s"]
    assert Suspicion(0.0).confirm("at 0/48 for 60s", 0, at=0.0) == "at 0/48 for 60s"
