"""What passed while the platform was broken (issue 18), each as the hand-edited recording that showed it.

Each case copies `healthy`, edits one gateway's answers the way the hostile user did, replays a suite, and
asserts the run is no longer green: the check that reads the answer fails naming what is wrong, or the
answer itself is refused at the gateway naming the file, the call and the field.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import RECORDINGS, REPO, edited_scenario, run_checks, summary_of

CHECKS = REPO / "checks"
TODAY = "2026-02-09"
Edit = Callable[[dict[str, Any]], None]


def rows(query: str, change: Callable[[list[dict[str, Any]]], Any]) -> Edit:
    """An edit of every recorded call of one named query: `change(rows)` in place (or returning new rows)."""
    def edit(call: dict[str, Any]) -> None:
        if call["args"].get("query") == query and "result" in call:
            changed = change(call["result"])
            if changed is not None:
                call["result"] = changed
    return edit


def each(query: str, where: Callable[[dict[str, Any]], bool], **values: Any) -> Edit:
    """Set `values` on the rows of `query` for which `where(row)` holds."""
    return rows(query, lambda found: [row.update(values) for row in found if where(row)] and None)


def today(row: dict[str, Any]) -> bool:
    return bool(row["game_date"] == TODAY)


def replay(pytester: pytest.Pytester, tmp_path: Path, gateway: str, edit: Edit, *args: str) -> dict[str, Any]:
    """Replay `args` (a suite) on healthy with `edit` applied to `gateway`'s answers; summary.json of the run."""
    folder = edited_scenario(tmp_path, gateway, edit)
    result = run_checks(pytester, *args, "--recordings", str(folder), f"--report-dir={tmp_path / 'out'}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    return summary_of(tmp_path / "out")


def failed(summary: dict[str, Any], name: str, instance: str = "") -> str:
    """The message of check `name` (its instances whose id holds `instance`), which must have failed."""
    found = [c for c in summary["checks"] if c["name"] == name and instance in c["id"]]
    assert found and all(c["outcome"] in ("failed", "error") for c in found), found
    return " ".join(f"{c['message']} {c['next_step'] or ''}" for c in found)


# ---- green while broken ---------------------------------------------------------------------------------
def test_no_lines_no_predictions_six_games(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """17 passed, 1 skipped: the floor was int(0 players x 0.9) = 0."""
    def no_lines(call: dict[str, Any]) -> None:
        each("expected_predictions", today, games_with_lines=0, players_with_lines=0)(call)
        each("predictions_by_version", today, model_version=None, rows=0, active=0, players=0, calls=0, graded=0,
             decided=0)(call)

    summary = replay(pytester, tmp_path, "bigquery", no_lines, str(CHECKS / "daily"))
    assert "6 of 6 scheduled games have no prop lines at all" in failed(summary, "test_predictions_landed")
    assert summary["verdict"] == "FAIL"


def test_no_serving_revision_fails_the_deploy_gate(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """`serving: []` on the worker's service answer: 12 of 12 passed, the checks looping over nothing."""
    def idle(call: dict[str, Any]) -> None:
        if call["operation"] == "service":
            call["result"].update(serving=[], revision="", env={}, min_instances=0, commit_sha=None)

    summary = replay(pytester, tmp_path, "run", idle, str(CHECKS), "-m", "deploy")
    for name in ("test_worker_model_path", "test_worker_serves_configured_model", "test_worker_min_instances",
                 "test_services_run_expected_commit", "test_latest_revisions_ready"):
        assert "no revision serves traffic" in failed(summary, name), name


def test_a_deep_health_200_that_says_error_is_unhealthy(pytester: pytest.Pytester, tmp_path: Path) -> None:
    def degraded(call: dict[str, Any]) -> None:
        if call["args"]["url"].endswith("/health/deep"):
            call["result"]["body"] = json.dumps({"status": "error", "bigquery": "unreachable"})

    summary = replay(pytester, tmp_path, "http", degraded, str(CHECKS / "daily"))
    message = failed(summary, "test_service_healthy", "prediction-worker")
    assert "/health/deep HTTP 200, but it says bigquery: unreachable, status: error" in message
    card = (tmp_path / "out" / "daily-2026-02-09.html").read_text()
    assert "unreachable" in card  # the answer itself is in the evidence


def test_a_push_subscription_without_a_dead_letter_policy_fails_the_morning(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    def no_policy(call: dict[str, Any]) -> None:
        if call["operation"] == "subscription" and call["args"]["subscription"].endswith("-push"):
            call["result"].update(dead_letter_topic=None, max_delivery_attempts=None)

    summary = replay(pytester, tmp_path, "pubsub", no_policy, str(CHECKS / "daily"))
    assert "has no dead-letter policy" in failed(summary, "test_dead_letter_backlog_empty")


@pytest.mark.parametrize("edit", [
    rows("hit_rate_daily", lambda found: [row.update(hits=0, graded=0) for row in found] and None),
    rows("hit_rate_daily", lambda found: []),
], ids=["graded-null", "empty"])
def test_no_graded_pick_for_a_week_fails_the_hit_rate(pytester: pytest.Pytester, tmp_path: Path,
                                                       edit: Edit) -> None:
    """The check skipped with "no games in that window" and the run was green."""
    summary = replay(pytester, tmp_path, "bigquery", edit, str(CHECKS / "daily"))
    assert "not one is graded as a hit or a miss" in failed(summary, "test_hit_rate_within_bounds")


# ---- answers in another shape, or impossible, refused at the gateway --------------------------------
@pytest.mark.parametrize(("edit", "refused"), [
    (each("predictions_by_version", today, game_date="2026/02/09"), "game_date: expected a date YYYY-MM-DD, got str "
                                                                    "'2026/02/09'"),
    (each("predictions_by_version", today, game_date="2026-02-09T00:00:00Z"), "game_date: expected a date"),
    (each("expected_predictions", today, game_date="02/09/2026"), "game_date: expected a date"),
    (rows("expected_predictions", lambda found: []), "expected_predictions.sql answered no row for game_date"),
    (rows("expected_predictions", lambda found: [r for r in found if r["game_date"] != "2026-02-08"]),
     "expected_predictions.sql answered no row for game_date = ('2026-02-08',)"),
    (each("prediction_problems", lambda r: r["problem"] == "duplicate", problem="Duplicate"),
     "problem: expected one of 'duplicate'"),
    (each("hit_rate_daily", lambda r: True, hits=99, graded=10), "hits 99 is more than graded 10, which cannot be"),
    (each("predictions_by_version", today, graded=99), "graded 99 is more than active"),
    (each("predictions_by_version", today, active=10**30), "active: expected a whole number 0 or more, got int"),
    (rows("subset_coverage", lambda found: found[1:]), "subset_coverage.sql answered no row for game_date, "
                                                       "subset_name"),
    (rows("subset_coverage", lambda found: []), "subset_coverage.sql answered no row"),
    (each("expected_predictions", today, players_with_lines=0),
     "games_with_lines 6 is more than players_with_lines 0, which cannot be"),
], ids=["slashes", "a-timestamp", "us-order", "expected-empty", "yesterday-missing", "problem-case",
        "hits-above-graded", "graded-above-active", "ten-to-the-thirty", "coverage-missing-a-pair", "coverage-empty",
        "lines-but-no-players"])
def test_an_answer_in_another_shape_is_refused_naming_file_call_and_field(
    pytester: pytest.Pytester, tmp_path: Path, edit: Edit, refused: str
) -> None:
    summary = replay(pytester, tmp_path, "bigquery", edit, str(CHECKS / "daily"))
    messages = [c["message"] for c in summary["checks"] if c["outcome"] in ("failed", "error")]
    assert any(refused in m for m in messages), messages[:3]
    assert summary["verdict"] == "FAIL"


@pytest.mark.parametrize("value", [None, "abc", math.nan, math.inf, True, [], "2026-02-09T12:05:00"],
                         ids=["null", "abc", "nan", "infinity", "true", "list", "no-offset"])
def test_a_bigquery_value_that_is_not_one_fails_in_one_line(pytester: pytest.Pytester, tmp_path: Path,
                                                            value: Any) -> None:
    """These gave raw TypeError, ValueError, OverflowError, IndexError or numpy errors."""
    field = "newest" if isinstance(value, str) and value.startswith("2026") else "rows"
    summary = replay(pytester, tmp_path, "bigquery", each("freshness", today, **{field: value}), str(CHECKS / "daily"))
    messages = [c["message"] for c in summary["checks"] if c["name"] == "test_upstream_table_fresh"]
    assert messages and all(f"freshness\"}}: malformed recording, result[7].{field}: expected" in m for m in messages)
    assert all("\n" not in m and "Traceback" not in m for m in messages)


def test_impossible_counts_and_times_fail_their_check(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """A freshness timestamp five years after as-of; more players predicted than have lines."""
    def impossible(call: dict[str, Any]) -> None:
        each("freshness", today, newest="2031-02-09T12:00:00+00:00")(call)
        each("predictions_by_version", today, rows=60, active=60, players=60)(call)

    summary = replay(pytester, tmp_path, "bigquery", impossible, str(CHECKS / "daily"))
    as_of = json.loads((RECORDINGS / "healthy" / "meta.json").read_text())["as_of"][:16]  # when it was recorded
    assert f"h after {as_of}" in failed(summary, "test_upstream_table_fresh", "predictions")
    assert "60 players have an active catboost_v9 prediction but only 48 have a prop line" in failed(
        summary, "test_predictions_landed")


def test_an_empty_rows_by_model_cannot_rule_out_leakage(pytester: pytest.Pytester, tmp_path: Path) -> None:
    summary = replay(pytester, tmp_path, "bigquery", rows("rows_by_model", lambda found: []), str(CHECKS),
                     "-m", "training")
    assert "counts no prediction on 2026-01-27..2026-02-09, while" in failed(summary, "test_no_leakage")


# ---- messages that sent on-call the wrong way ------------------------------------------------------------
def test_a_zero_width_space_in_model_version_says_so(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """It read as "the deploy did not take effect"."""
    summary = replay(pytester, tmp_path, "bigquery", each("predictions_by_version", today,
                                                          model_version="v9_20260201_011018\u200b"),
                     str(CHECKS / "daily"))
    message = failed(summary, "test_model_version_matches_manifest")
    assert "which contains U+200B ZERO WIDTH SPACE" in message and "deploy did not take effect" not in message


def test_a_null_freshness_column_with_rows_says_so(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """MAX(col) null with 552 rows said "no rows"."""
    summary = replay(pytester, tmp_path, "bigquery", each("freshness", lambda r: True, newest=None),
                     str(CHECKS / "daily"))
    assert "and not one has a" in failed(summary, "test_upstream_table_fresh")


@pytest.mark.parametrize(("field", "value", "refused"), [
    ("undelivered", -5, "undelivered: expected a whole number 0 or more, got int -5"),
    ("oldest_unacked_age_seconds", math.nan, "oldest_unacked_age_seconds: expected a finite number, got float nan"),
], ids=["negative-count", "nan-age"])
def test_a_dead_letter_answer_that_cannot_be_is_refused(pytester: pytest.Pytester, tmp_path: Path, field: str,
                                                        value: float, refused: str) -> None:
    """A negative count printed "-5 waiting (oldest Nones)"; a TTL of NaN "expires after nan days"."""
    def odd(call: dict[str, Any]) -> None:
        if call["operation"] == "subscription_backlog":
            call["result"][field] = value

    summary = replay(pytester, tmp_path, "monitoring", odd, str(CHECKS / "daily" / "test_dead_letters.py"))
    assert refused in failed(summary, "test_dead_letter_backlog_empty")


def test_upper_case_hashes_are_the_same_bytes(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """Integrity said "the object is not the model, restore it", the gate "it loaded other bytes"."""
    def shout(call: dict[str, Any]) -> None:
        if call["operation"] == "read" and call["args"]["path"].endswith("manifest.json"):
            manifest = json.loads(base64.b64decode(call["result"]))
            for entry in manifest["models"]:
                entry["sha256"] = entry["sha256"].upper()
            call["result"] = base64.b64encode(json.dumps(manifest).encode()).decode()

    folder = edited_scenario(tmp_path, "storage", shout)
    result = run_checks(pytester, str(CHECKS), "-m", "deploy", "--recordings", str(folder))
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]


def test_the_golden_sample_is_named_as_it_is_read(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """The failure named <file>.json while the code reads <model_version>.json."""
    config = tmp_path / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text().replace('golden_dir = ""', f'golden_dir = "{tmp_path}"'))
    result = run_checks(pytester, str(CHECKS / "training" / "test_model_files.py"), f"--opscheck-config={config}")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*no golden sample for catboost_v9_33f_train20251102-20260108_20260201T011018.cbm*"
                                 "as v9_20260201_011018.json*"])
    (tmp_path / "v9_20260201_011018.json").write_text('{"rows": []}')
    result = run_checks(pytester, str(CHECKS / "training" / "test_model_files.py"), f"--opscheck-config={config}")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*the golden sample has no rows: nothing to re-score*"])


def test_a_sidecar_that_is_not_a_model_is_one_line(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """A swapped sidecar gave a raw CatBoostError."""
    blobs = tmp_path / "blobs"
    folder = edited_scenario(tmp_path, "storage", lambda call: None)
    (blobs).unlink()
    blobs.mkdir()
    data = json.loads((folder / "healthy" / "storage.json").read_text())
    for call in data["calls"]:
        if call["operation"] == "download":
            (blobs / call["file"]).write_bytes(b'{"not": "a model"}')
    result = run_checks(pytester, str(CHECKS / "training" / "test_model_files.py"), "--recordings", str(folder))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*DataError: gs://nba-props-platform-models/catboost/v9/*.cbm (* bytes, read into "
                                 "*): CatBoost cannot load it (*): it is not a model file"])
    assert "Traceback" not in result.stdout.str()
