"""`opscheck backfill`'s plan, offline on the bundled scenarios: what to rerun, in order, and its exit codes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from opscheck.backfill import Plan, plan
from opscheck.errors import OpscheckError
from opscheck.replay import offline
from opscheck.session import Options, Session, open_session
from tests.helpers import REPO


def backfill(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "opscheck.cli", "backfill", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def steps(out: str) -> list[tuple[str, str]]:
    """(date, step) of each row of the plan's table."""
    return [(line.split()[1], line.split()[2]) for line in out.splitlines() if line[:1].isdigit()]


def test_a_partial_run_is_rerun_then_its_subsets_made_again_after_it() -> None:
    done = backfill("--scenario", "partial-run")
    assert done.returncode == 1, done.stderr
    assert steps(done.stdout) == [("2026-02-09", "predictions"), ("2026-02-09", "subsets")]
    assert 'POST /start {"game_date": "2026-02-09"} on prediction-coordinator' in done.stdout
    assert "(after predictions of 2026-02-09)" in done.stdout
    assert "24 of 48 players with lines have an active prediction (at least 44 expected)" in done.stdout
    assert "dry run: 2 step(s) for 2026-02-09; nothing was called" in done.stdout


def test_missing_subsets_of_the_window_are_planned_date_by_date() -> None:
    done = backfill("--scenario", "subsets-missing")
    assert done.returncode == 1
    assert steps(done.stdout) == [(f"2026-02-0{d}", "subsets") for d in range(1, 9)]
    only = backfill("predictions", "--scenario", "subsets-missing")  # no prediction is missing
    assert only.returncode == 0 and "nothing to backfill for 2026-02-09" in only.stdout


@pytest.mark.parametrize("scenario", ["healthy", "off-day"])
def test_nothing_to_do_exits_0(scenario: str) -> None:
    done = backfill("--scenario", scenario)
    assert done.returncode == 0 and done.stdout.strip() == "nothing to backfill for 2026-02-09"


def test_a_day_without_lines_is_not_planned_and_says_why() -> None:
    done = backfill("--scenario", "lines-missing")
    assert done.returncode == 0
    assert "not planned: 2026-02-09: 6 games and no prop lines: /start would predict no one; repair the scrapers" \
        in done.stdout


@pytest.mark.parametrize(("args", "line"), [
    (("--dates", "2026-02-09..2026-02-01"), "2026-02-01 is before 2026-02-09: write the range oldest first"),
    (("--dates", "2026-02-01..2026-02-19"), "2026-02-19 is after today (2026-02-09): nothing is due yet"),
    (("--dates", "2025-01-01..2026-02-09"), "spans 405 days, more than run.max_dates (250): split it"),
    (("--dates", "2026-02-31..2026-03-01"), "day is out of range for month (write A..B"),
    (("--dates", "yesterday"), "is not a date YYYY-MM-DD"),
    (("--subset", "best_bet"), "--subset best_bet: not a configured subset (subsets.names: top_confidence"),
    (("--date", "2026-02-08", "--dates", "2026-02-01..2026-02-09"), "give one of them"),
])
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], line: str) -> None:
    done = backfill(*args)
    assert done.returncode == 2 and line in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("opscheck: ")


def partial_run_plan() -> tuple[Session, Plan]:
    """The plan of the partial-run scenario, made through the function a pipeline calls."""
    session = open_session(Options(config_path=REPO / "opscheck.toml", scenario="partial-run", root=REPO))
    offline.enable()
    try:
        return session, plan(session, [session.today])
    finally:
        offline.disable()


def test_the_plan_is_a_function_a_pipeline_can_call() -> None:
    _, made = partial_run_plan()
    assert [(s.kind, s.path, s.body) for s in made.steps] == [
        ("predictions", "/start", {"game_date": "2026-02-09"}),
        ("subsets", "/materialize", {"start_date": "2026-02-09", "end_date": "2026-02-09"})]
    assert made.steps[1].waits_for == "predictions of 2026-02-09" and not made.empty


def test_a_materializer_that_is_no_configured_service_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text().replace(
        'materializer = "subset-materializer"  #', 'materializer = "picks"  #', 1))
    done = backfill("--scenario", "healthy", f"--opscheck-config={config}")
    assert done.returncode == 2 and "services.materializer (picks) is not one of services.others" in done.stderr


def test_picks_that_name_replaced_predictions_are_made_again() -> None:
    done = backfill("--scenario", "subsets-stale")
    assert done.returncode == 1, done.stderr
    assert steps(done.stdout) == [("2026-02-09", "subsets")]
    assert "picks of replaced predictions: best_bets, high_edge, top_confidence" in done.stdout


def test_offline_a_backfill_is_planned_never_applied() -> None:
    done = backfill("--scenario", "partial-run", "--apply", "--yes")
    assert done.returncode == 2, done.stdout
    assert ("opscheck: --apply in offline mode (scenario partial-run): a backfill is only planned from a recording; "
            "apply it live") in done.stderr
    assert done.stdout == ""  # refused before anything was planned or shown as if it would run


@pytest.mark.parametrize("concurrency", [0, 5])
def test_a_concurrency_outside_the_configured_bound_is_refused(concurrency: int) -> None:
    from opscheck.backfill import apply

    session = open_session(Options(config_path=REPO / "opscheck.toml", scenario="healthy", root=REPO))
    live = Session(session.config, "live", "sandbox", None, session.today, session.as_of, session.channel)
    with pytest.raises(OpscheckError, match=rf"--concurrency {concurrency}: give 1 to 4 \(backfill.max_concurrency\)"):
        apply(live, Plan(session.today, session.today, [], []), concurrency=concurrency)


@pytest.mark.parametrize(("typed", "goes_on"), [("nba-props-platform\n", True), ("yes\n", False), ("\n", False)])
def test_on_google_cloud_the_person_types_the_project_to_go_on(
    typed: str, goes_on: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from opscheck.backfill.command import confirmed

    session, made = partial_run_plan()
    monkeypatch.setattr(sys, "stdin", Typed(typed))
    assert confirmed(session, made) is goes_on
    out = capsys.readouterr()
    assert ("apply these 2 steps for 2026-02-09 to project nba-props-platform (prediction-coordinator /start, "
            "subset-materializer /materialize)? type the project id to go on: ") in out.out
    if not goes_on:
        assert "not confirmed" in out.err and "nothing was called" in out.err


class Typed(io.StringIO):
    """A terminal's stdin with `text` typed into it."""

    def isatty(self) -> bool:
        return True


def test_applied_as_a_function_an_offline_session_is_refused_too() -> None:
    from opscheck.backfill import apply

    session, made = partial_run_plan()
    with pytest.raises(OpscheckError, match=r"--apply in offline mode \(scenario partial-run\)"):
        apply(session, made)


def test_an_action_log_that_cannot_be_written_stops_the_backfill_before_its_first_request(tmp_path: Path) -> None:
    import dataclasses

    from opscheck.backfill import apply

    offline_session, made = partial_run_plan()
    (tmp_path / "a-file").write_text("")
    config = dataclasses.replace(offline_session.config, backfill=dataclasses.replace(
        offline_session.config.backfill, log=str(tmp_path / "a-file" / "backfill-actions.jsonl")))
    live = Session(config, "live", "sandbox", None, offline_session.today, offline_session.as_of,
                   offline_session.channel)  # the replay channel: any request would fail the test loudly
    with pytest.raises(OpscheckError, match=r"backfill.log .*a-file/backfill-actions.jsonl: cannot write the action "
                                            r"log \(File exists\): point backfill.log at a writable file"):
        apply(live, made)
