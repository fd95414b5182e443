"""Google Cloud's awkward behaviours, reproduced on the local platform, and what opscheck makes of them."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opscheck import cli
from opscheck.platform.channel import ROLES
from opscheck.sandbox import faults, schema
from opscheck.sandbox.faults.ledger import misbehave
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.state import CLOUD_API
from opscheck.session import Session
from tests.helpers import REPO, json_server, run_checks

FAKE_OAUTH = '''
import os
import google.oauth2.credentials

google.oauth2.credentials._GOOGLE_OAUTH2_TOKEN_ENDPOINT = os.environ["FAKE_TOKEN_URL"]
'''
REFRESHES: list[str] = []


@pytest.fixture
def revoked_token_endpoint() -> Iterator[str]:
    """Google's OAuth token endpoint answering a revoked refresh token, on loopback (REFRESHES counts the asks)."""
    revoked = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}

    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        REFRESHES.append(path)
        return 400, revoked

    REFRESHES.clear()
    with json_server(answer) as url:
        yield f"{url}/token"


def test_an_expired_login_stops_the_run_at_once_with_the_login_line(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    revoked_token_endpoint: str,
) -> None:
    """Real credentials (a person's, expired) against the local platform's endpoints."""
    overlay = tomllib.loads(healthy.target_file.read_text())
    endpoints = "\n".join(f'{k} = "{v}"' for k, v in overlay["endpoints"].items() if isinstance(v, str))
    config = tmp_path / "opscheck.toml"
    config.write_text(f'[run]\ntoday = 2026-02-09\n[endpoints]\n{endpoints}\nanonymous = false\nid_tokens = false\n'
                      'timeout_seconds = 20\n')
    adc = tmp_path / "adc.json"
    adc.write_text(json.dumps({"type": "authorized_user", "client_id": "c", "client_secret": "s",
                               "refresh_token": "revoked"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    monkeypatch.setenv("FAKE_TOKEN_URL", revoked_token_endpoint)
    pytester.makepyfile(fake_oauth=FAKE_OAUTH)
    pytester.syspathinsert()
    result = run_checks(pytester, str(REPO / "checks" / "daily"), "-p", "fake_oauth", "--mode", "live",
                        f"--opscheck-config={config}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()[-2000:]
    output = result.stdout.str() + result.stderr.str()
    assert "Google credentials expired or missing: run `gcloud auth application-default login`" in output
    assert " passed" not in output and " failed" not in output  # stopped before any check ran
    # The login was really tried, by the first calls racing to refresh it (one a Google client at most), and
    # then the run stopped: fewer asks than the checks it collected (the bug was one a check, each retried).
    collected = re.search(r"collected (\d+) items", output)
    assert collected is not None, output[-2000:]
    assert REFRESHES, "the expired login was never tried"
    assert len(REFRESHES) < int(collected.group(1)), REFRESHES


def test_a_failed_rollout_is_described_by_the_revision_that_serves(healthy: Sandbox, live: Session) -> None:
    """service.template is the latest *created* revision; traffic_statuses says what serves."""
    before = live.platform.run.service("prediction-worker")
    faults.inject(healthy, "rollout-failed")
    from opscheck.platform import Platform

    worker = Platform(live.config).run.service("prediction-worker")
    assert worker["revision"] == before["revision"] and worker["env"] == before["env"]
    assert worker["commit_sha"] == healthy.commits["main"] and worker["serving"][0]["percent"] == 100
    assert not worker["latest_created_ready"] and worker["latest_created_revision"] != worker["revision"]
    assert "failed to start" in str(worker["latest_created_problem"])


def test_a_metadata_only_edit_does_not_make_a_table_fresh(
    healthy: Sandbox, pytester: pytest.Pytester
) -> None:
    faults.inject(healthy, "lines-stale")
    client = healthy.bigquery()
    table = client.get_table(schema.PROP_LINES)
    before = table.modified
    table.labels = {"touched": "by-hand"}
    assert client.update_table(table, ["labels"], timeout=30).modified > before  # lastModifiedTime moved
    result = run_checks(pytester, str(REPO / "checks/daily/test_freshness.py"), "--target", "sandbox")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*player_prop_lines: newest scraped_at for 2026-02-09 *, 7?h before * (limit 36h)*"])


DOCTOR = ["doctor", "--target", "sandbox", "--opscheck-config", str(REPO / "opscheck.toml")]
PRODUCTION_OBJECT = "gs://nba-props-platform-models/catboost/v9/catboost_v9_33f_train20251102-20260108_20260201T011018.cbm"


def test_doctor_passes_healthy(healthy: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(DOCTOR) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("everything reachable") and PRODUCTION_OBJECT in out
    assert re.search(r"^job\s+morning-predictions\s+ok", out, re.M), out
    for api in ("scheduler", "build", "logging"):
        assert re.search(rf"^api\s+{api}\s+ok", out, re.M), out


def test_doctor_names_the_role_each_refusing_api_needs(healthy: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    """The Cloud APIs' stand-in refusing every caller (403 / PERMISSION_DENIED): each API's row names its role."""
    misbehave(healthy, CLOUD_API, SANDBOX_DENY="1")
    assert cli.main(DOCTOR) == 1
    rows = {tuple(re.split(r"\s{2,}", line)[:2]): line for line in capsys.readouterr().out.splitlines()}
    for api in ("run", "monitoring", "scheduler", "build", "logging"):
        line = rows[("api", api)]
        assert " FAIL " in line and f"grant {ROLES[api]}" in line, line
    assert " ok " in rows[("api", "bigquery")] and " ok " in rows[("api", "storage")]


@pytest.mark.parametrize(("fault", "row"), [
    ("dlq-unsubscribed", ["subscription", "prediction-request-dlq-sub"]),
    ("push-subscription-deleted", ["subscription", "prediction-request-prod-push"]),
    ("table-missing", ["table", "nba-props-platform.nba_predictions.current_subset_picks"]),
    ("model-object-deleted", ["object", PRODUCTION_OBJECT]),
    ("manifest-production-unlisted", ["object", "production model"]),
])
def test_doctor_names_each_missing_resource(healthy: Sandbox, capsys: pytest.CaptureFixture[str],
                                            fault: str, row: list[str]) -> None:
    """Every fault that removes a resource: that resource's row fails, and no other."""
    faults.inject(healthy, fault)
    assert cli.main(DOCTOR) == 1
    failed = [re.split(r"\s{2,}", line)[:3] for line in capsys.readouterr().out.splitlines() if " FAIL " in line]
    assert failed == [[*row, "FAIL"]]
