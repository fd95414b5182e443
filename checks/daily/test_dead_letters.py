"""Nothing waits on the dead-letter subscription: every request reached a worker."""

from __future__ import annotations

import pytest

from opscheck.config import Config
from opscheck.evidence import Evidence
from opscheck.resources.upstream import DeadLetters

pytestmark = [pytest.mark.daily, pytest.mark.probe]


def test_dead_letter_backlog_empty(
    dead_letters: DeadLetters, opscheck_config: Config, evidence: Evidence
) -> None:
    subscription = dead_letters.subscription
    backlog = dead_letters.backlog
    evidence.json("dead-letter backlog (Monitoring)", backlog)
    waiting = backlog["undelivered"] or 0
    assert waiting == 0, (
        f"{subscription}: {waiting} dead-lettered requests waiting (oldest "
        f"{backlog['oldest_unacked_age_seconds']}s): requests failed 5 deliveries; next: pull "
        f"them to see which batch and player, fix the worker, republish to "
        f"{opscheck_config.pubsub.request_topic}"
    )
