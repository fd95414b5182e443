"""Bad input stops with one line; bad data fails the check that reads it, saying where; nothing passes blind."""

from __future__ import annotations

import base64
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import RECORDINGS, REPO, edited_scenario, run_checks

DAILY = str(REPO / "checks" / "daily")
TRAINING = str(REPO / "checks" / "training")


def one_line_error(result: pytest.RunResult) -> str:
    """A run that could not start: exit 4, exactly one line on stderr, no traceback anywhere."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()[-1000:] + result.stderr.str()
    lines = [line for line in result.errlines if line.strip()]
    assert len(lines) == 1, result.errlines
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    return lines[0]


# ---- things that passed when they must not -------------------------------------
@pytest.mark.parametrize("end", [None, "02/10/2026", "last tuesday"])
def test_an_unreadable_training_end_fails_naming_field_and_model(
    pytester: pytest.Pytester, tmp_path: Path, end: str | None
) -> None:
    def redate(call: dict[str, Any]) -> None:
        if call["operation"] == "read" and call["args"]["path"].endswith("manifest.json"):
            manifest = json.loads(base64.b64decode(call["result"]))
            for entry in manifest["models"]:
                if entry["file"] == manifest["production_model"]:
                    entry["training_end_date"] = end
            call["result"] = base64.b64encode(json.dumps(manifest).encode()).decode()

    folder = edited_scenario(tmp_path, "storage", redate)
    daily = run_checks(pytester, f"{DAILY}/test_predictions.py", "-k", "overlap", "--recordings", str(folder))
    daily.assert_outcomes(failed=1)
    daily.stdout.fnmatch_lines([f"*cannot tell whether the serving model was trained on this date: "
                                f"catboost_v9_33f_train20251102-20260108_20260201T011018.cbm: training_end_date: "
                                f"{end!r} is not a date YYYY-MM-DD*"])
    assert "leakage" not in daily.stdout.str()
    training = run_checks(pytester, f"{TRAINING}/test_windows.py", "-k", "leakage", "--recordings", str(folder))
    training.assert_outcomes(failed=1)
    training.stdout.fnmatch_lines(["*cannot tell whether rows fall inside their model's training window: "
                                   f"*training_end_date: {end!r} is not a date*"])


def test_a_number_recorded_as_a_string_fails_at_the_gateway(pytester: pytest.Pytester, tmp_path: Path) -> None:
    def stringly(call: dict[str, Any]) -> None:
        if call["operation"] == "subscription_backlog":
            call["result"]["undelivered"] = "0"

    result = run_checks(pytester, f"{DAILY}/test_dead_letters.py",
                        "--recordings", str(edited_scenario(tmp_path, "monitoring", stringly)))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*monitoring.json: call subscription_backlog *: malformed recording, "
                                 "result.undelivered: expected a whole number 0 or more, got str '0' (or null)*"])
    assert "0 dead-lettered requests waiting" not in result.stdout.str()


@pytest.mark.parametrize(("damage", "expected"), [
    (lambda c: c.update(result="48 rows"), "result: expected a list, got str '48 rows'"),
    (lambda c: c.update(result=None), "result: expected a list, got null"),
    (lambda c: c.update(result=[{k: v for k, v in r.items() if k != "active"} for r in c["result"]]),
     "result?0?: VersionRow without active"),
    (lambda c: (c.pop("result"), c.update(error="it broke")),
     "malformed recording, error must be {\"type\": \"NotFoundError\", \"message\": \"...\"}, got 'it broke'"),
], ids=["rows-as-a-string", "null", "a-row-missing-a-column", "error-as-a-string"])
def test_a_recording_of_the_wrong_shape_names_file_call_and_expectation(
    pytester: pytest.Pytester, tmp_path: Path, damage: Callable[[dict[str, Any]], Any], expected: str
) -> None:
    def edit(call: dict[str, Any]) -> None:
        if call["args"].get("query") == "predictions_by_version" and "result" in call:
            damage(call)

    folder = edited_scenario(tmp_path, "bigquery", edit)
    result = run_checks(pytester, f"{DAILY}/test_predictions.py", "-k", "landed", "--recordings", str(folder))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*{expected}*"])
    if "a row without" not in expected:
        result.stdout.fnmatch_lines([f"*{folder / 'healthy' / 'bigquery.json'}: call query *"])
    assert "KeyError" not in result.stdout.str() and "TypeError" not in result.stdout.str()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("project", "someone-else", "scenario 'healthy' was recorded from project someone-else, the configuration names "
                                "nba-props-platform"),
    ("target", "mars", "target 'mars' is neither gcp nor sandbox"),
    ("format", 2, "recording format 2, this opscheck reads format 1: record it again"),
    ("today", "2026-02-30", "today '2026-02-30' is not a real date YYYY-MM-DD"),
    ("as_of", "2026-02-09T07:30:00", "as_of '2026-02-09T07:30:00' is not a timestamp with its UTC offset"),
])
def test_a_meta_json_that_does_not_fit_is_one_line(
    pytester: pytest.Pytester, tmp_path: Path, field: str, value: Any, message: str
) -> None:
    shutil.copytree(RECORDINGS / "healthy", tmp_path / "healthy")
    meta = tmp_path / "healthy" / "meta.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), field: value}))
    line = one_line_error(run_checks(pytester, DAILY, "--recordings", str(tmp_path)))
    assert line.startswith("ERROR: opscheck: ") and message in line


# ---- errors that must be one line ----------------------------------------------
@pytest.mark.parametrize("kind", ["folder", "binary"])
def test_a_config_that_is_a_folder_or_binary_is_one_line(pytester: pytest.Pytester, tmp_path: Path,
                                                         kind: str) -> None:
    path = tmp_path
    if kind == "binary":
        path = tmp_path / "opscheck.toml"
        path.write_bytes(bytes(range(256)))
    line = one_line_error(run_checks(pytester, DAILY, f"--opscheck-config={path}"))
    assert ("is a folder; pass the opscheck.toml file inside it" if kind == "folder"
            else "not a text file (TOML expected)") in line


@pytest.mark.parametrize("content", [None, "garbage {", "badkey"], ids=["missing", "garbage", "bad-key"])
def test_credentials_that_cannot_work_are_one_line_once(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None
) -> None:
    path = tmp_path / "adc.json"
    if content == "badkey":
        path.write_text(json.dumps({"type": "service_account", "client_email": "x@p.iam.gserviceaccount.com",
                                    "private_key": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
                                    "token_uri": "https://oauth2.googleapis.com/token"}))
    elif content is not None:
        path.write_text(content)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    line = one_line_error(run_checks(pytester, DAILY, "--mode", "live"))
    said = {None: "which does not exist", "garbage {": "which is not JSON", "badkey": "no usable Google credentials"}
    assert said[content] in line and str(path) in line
    assert "run `gcloud auth application-default login`" in line


@pytest.mark.parametrize("api", ["bigquery", "storage", "pubsub", "run", "monitoring", "scheduler"])
def test_a_host_that_does_not_resolve_stops_the_run_at_once(pytester: pytest.Pytester, tmp_path: Path,
                                                            api: str) -> None:
    """No DNS cost a live run 41 s and 506 lines of "no answer within 30s" (issue 18): a name that does not
    resolve is not a timeout. `.invalid` never resolves (RFC 6761), wherever the test runs."""
    endpoints = {name: f"http://127.0.0.1:{port}" for port, name in enumerate(
        ("bigquery", "storage", "pubsub", "run", "monitoring", "scheduler"), start=1)}  # refused at once
    endpoints[api] = f"http://{api}.opscheck.invalid:9050"
    config = tmp_path / "opscheck.toml"
    lines = "".join(f'{k} = "{v}"\n' for k, v in endpoints.items())
    config.write_text(f"[run]\ntoday = 2026-02-09\n[endpoints]\n{lines}anonymous = true\nid_tokens = false\n"
                      "timeout_seconds = 30\n")
    result = run_checks(pytester, DAILY, "--mode", "live", f"--opscheck-config={config}")
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output[-2000:]
    assert f"cannot resolve {api}.opscheck.invalid (no DNS here, or endpoints.{api} = " in output
    assert "no answer within" not in output and "Traceback" not in output
    assert not re.search(r"\d+ (passed|failed)", output)  # stopped before any check ran


# ---- flags and paths -------------------------------------------------------------
@pytest.mark.parametrize(("argv", "message"), [
    (("--date", "2026-02-05", "--dates", "2026-02-01..2026-02-09"), "--date 2026-02-05 and --dates "),
    (("--dates", "2000-01-01..2026-02-09"), "spans 9537 days, more than run.max_dates (250, a season)"),
    (("--mode", "record", "--scenario", "../../../x"), "--scenario '../../../x': must be a plain folder name"),
    (("--dates", "2026-02-08..2026-02-10"), "--dates 2026-02-08..2026-02-10: 2026-02-10 is after today "
                                            "(2026-02-09 in America/New_York): nothing is due yet"),
    # A pipeline's unset commit variable: the stale-services check would skip and the gate pass.
    (("--expect-commit=",), "--expect-commit is empty: give the commit every service must run"),
    (("--platform-repo=/nonexistent/platform",), "--platform-repo /nonexistent/platform: not a folder; give a "
                                                  "checkout of the platform's repository"),
    (("--expect-commit", "main"), "--expect-commit 'main': expected a commit SHA (7-40 hex digits)"),
    (("--notify", "hooks.example.com/services/T0/B0/s3cret"), "--notify: not an http(s) URL with a host"),
])
def test_flags_that_cannot_work_are_one_line(pytester: pytest.Pytester, argv: tuple[str, ...], message: str) -> None:
    line = one_line_error(run_checks(pytester, DAILY, *argv))
    assert message in line and "s3cret" not in line


def test_a_report_dir_that_cannot_be_written_stops_before_the_checks(pytester: pytest.Pytester,
                                                                       tmp_path: Path) -> None:
    """It used to run every check, then end in a traceback and exit 1 on a green run."""
    taken = tmp_path / "reports"
    taken.write_text("a file, not a folder")
    line = one_line_error(run_checks(pytester, DAILY, f"--report-dir={taken}"))
    assert line.endswith(f"--report-dir {taken}: cannot make it a folder (File exists); give a writable folder")


def test_a_report_lost_to_a_full_disk_is_one_line_and_keeps_the_verdict(pytester: pytest.Pytester,
                                                                          tmp_path: Path) -> None:
    pytester.makepyfile(diskfull="""
        import errno
        from opscheck.reports import collector

        def full(run, folder):
            raise OSError(errno.ENOSPC, "No space left on device")

        collector.write = full
    """)
    result = run_checks(pytester, DAILY, "-p", "diskfull", f"--report-dir={tmp_path}")
    assert result.ret == pytest.ExitCode.OK and "Traceback" not in result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines([f"opscheck: could not write the report to {tmp_path} (No space left on device); "
                                 "the run's verdict stands"])


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("OPSCHECK_COMMIT", "v1.2", "$OPSCHECK_COMMIT 'v1.2': expected a commit SHA"),
    ("OPSCHECK_NOTIFY_URL", "ftp://hooks.example.com/s3cret", "$OPSCHECK_NOTIFY_URL: not an http(s) URL"),
])
def test_environment_values_that_cannot_work_are_one_line(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                          variable: str, value: str, message: str) -> None:
    monkeypatch.setenv(variable, value)
    line = one_line_error(run_checks(pytester, DAILY))
    assert message in line and "s3cret" not in line


def test_an_unknown_scenario_lists_the_given_folders_scenarios(pytester: pytest.Pytester, tmp_path: Path) -> None:
    shutil.copytree(RECORDINGS / "partial-run", tmp_path / "only-this-one")
    line = one_line_error(run_checks(pytester, DAILY, "--recordings", str(tmp_path), "--scenario", "nope"))
    assert line.endswith(f"scenarios in {tmp_path}: only-this-one")


def test_a_missing_recording_hint_repeats_the_runs_flags(pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, f"{DAILY}/test_predictions.py", "-k", "landed", "--date", "2026-01-15")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*record it with `pytest checks --mode record --target sandbox --scenario healthy "
                                 "--date 2026-01-15`*"])


def test_the_readmes_single_date_example_replays(pytester: pytest.Pytester) -> None:
    assert "--date 2026-02-05" in (REPO / "README.md").read_text()
    result = run_checks(pytester, DAILY, "--date", "2026-02-05")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-2000:]


# ---- a dependency that failed ------------------------------------------------------
@pytest.mark.parametrize("tb", ["auto", "long"])
def test_a_check_stopped_by_a_failed_call_shows_the_calls_line_at_the_checks_line(
    pytester: pytest.Pytester, tmp_path: Path, tb: str
) -> None:
    """Not the chain through gateway and client library (pytest took ~0.2 s a check to format it); `--tb=long` does."""
    def unreachable(call: dict[str, Any]) -> None:
        if call["args"].get("query") == "predictions_by_version":
            call.pop("result", None)
            call["error"] = {"type": "UnreachableError", "message": "bigquery: no answer within 3s"}

    folder = edited_scenario(tmp_path, "bigquery", unreachable)
    result = run_checks(pytester, f"{DAILY}/test_predictions.py", "-k", "manifest", "--recordings", str(folder),
                        f"--tb={tb}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*checks/daily/test_predictions.py:*: in test_model_version_matches_manifest",
                                 "E   opscheck.errors.UnreachableError: bigquery: no answer within 3s"]
                                if tb == "auto" else ["E *opscheck.errors.UnreachableError: bigquery: no answer*"])
    assert ("opscheck/replay/channels.py" in result.stdout.str()) == (tb == "long")
