"""No check passes on missing data: replayed answers that say "unknown" fail, saying so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, edited_scenario, run_checks

DEAD_LETTERS = str(REPO / "checks/daily/test_dead_letters.py")


def test_healthy_dead_letters_are_counted_when_monitoring_has_no_series(pytester: pytest.Pytester) -> None:
    """Google omits idle subscriptions' series, and so does the stand-in the scenario was recorded from."""
    result = run_checks(pytester, DEAD_LETTERS, "-rA")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(['*"undelivered": null*', "dead-letter backlog (counted: Monitoring has no series)*"])


def test_no_series_and_no_count_fails_as_unknown(pytester: pytest.Pytester, tmp_path: Path) -> None:
    def denied(call: dict[str, Any]) -> None:
        if call["operation"] == "backlog":
            call.pop("result", None)
            call["error"] = {"type": "AccessDeniedError", "message": "subscription prediction-request-dlq-sub: "
                             "permission denied for opscheck@p.iam.gserviceaccount.com: grant roles/pubsub.viewer"}

    result = run_checks(pytester, DEAD_LETTERS, "--recordings", str(edited_scenario(tmp_path, "pubsub", denied)))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*prediction-request-dlq-sub: backlog unknown: Monitoring has no series for it "
                                 "in the last 30 minutes*cannot be counted directly (subscription *permission denied*"])


def test_an_expiring_dead_letter_subscription_fails(pytester: pytest.Pytester, tmp_path: Path) -> None:
    def expiring(call: dict[str, Any]) -> None:
        if call["operation"] == "subscription" and call["args"]["subscription"].endswith("dlq-sub"):
            call["result"]["expiration_ttl_seconds"] = 2678400

    result = run_checks(pytester, DEAD_LETTERS, "--recordings", str(edited_scenario(tmp_path, "pubsub", expiring)))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*prediction-request-dlq-sub expires after 31 days without activity*"])
