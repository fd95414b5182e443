"""Nothing waits on the dead-letter subscription, and the subscription is there to stay (incident 9)."""

from __future__ import annotations

import pytest

from opscheck.config import Config
from opscheck.errors import GatewayError, NotFoundError
from opscheck.reports.evidence import Evidence
from opscheck.views.dead_letters import DeadLetters

pytestmark = [pytest.mark.daily, pytest.mark.probe]


def test_dead_letter_backlog_empty(dead_letters: DeadLetters, opscheck_config: Config, evidence: Evidence) -> None:
    name, topic = dead_letters.subscription, opscheck_config.pubsub.dead_letter_topic
    create = (f"gcloud pubsub subscriptions create {name} --topic {topic} --expiration-period=never "
              f"--project {opscheck_config.gcp.project}")
    try:
        info = dead_letters.info
    except NotFoundError as exc:
        pytest.fail(f"dead-letter subscription {name} does not exist ({exc}): requests that exhaust their "
                    f"delivery attempts are dropped without a trace; next: {create}", pytrace=False)
    evidence.json("dead-letter subscription", info)
    ttl = info["expiration_ttl_seconds"]
    assert ttl is None, (
        f"{name} expires after {ttl / 86400:g} days without activity (its expiration policy; Pub/Sub's default "
        "is 31 days): a quiet dead-letter queue disappears, and dead letters are then dropped; next: "
        f"gcloud pubsub subscriptions update {name} --expiration-period=never --project {opscheck_config.gcp.project}"
    )
    push, wanted = opscheck_config.pubsub.push_subscription, opscheck_config.pubsub.dead_letter_topic
    try:
        policy = dead_letters.delivery.push["dead_letter_topic"]
    except NotFoundError as exc:
        pytest.fail(f"push subscription {push} does not exist ({exc}): nothing delivers requests, and nothing can "
                    f"be dead-lettered, so an empty {name} means nothing; next: pytest -m deploy (test_push_endpoint)",
                    pytrace=False)
    evidence.json(f"dead-letter policy of {push}", {"dead_letter_topic": policy, "expected": wanted})
    assert policy == wanted, (
        f"{push} " + (f"dead-letters into {policy}, not {wanted}" if policy else "has no dead-letter policy")
        + f": a request that fails every delivery never reaches {name}, so an empty queue here means nothing "
        f"(it is retried until Pub/Sub's retention drops it); next: gcloud pubsub subscriptions update {push} "
        f"--dead-letter-topic={wanted} --max-delivery-attempts={opscheck_config.probes.min_delivery_attempts} "
        f"--project {opscheck_config.gcp.project}"
    )
    backlog = dead_letters.backlog
    evidence.json("dead-letter backlog (Monitoring)", backlog)
    if backlog["undelivered"] is not None:
        waiting, oldest, how = backlog["undelivered"], backlog["oldest_unacked_age_seconds"], "Monitoring"
    else:
        try:
            counted = dead_letters.counted
        except GatewayError as exc:
            pytest.fail(f"{name}: backlog unknown: Monitoring has no series for it in the last 30 minutes (idle, "
                        f"or metrics not reporting) and it cannot be counted directly ({exc})", pytrace=False)
        evidence.json("dead-letter backlog (counted: Monitoring has no series)", counted)
        waiting, oldest, how = counted["count"] - counted["probes"], counted["oldest_age_seconds"], "counted"
    age = f"{oldest:.0f}s" if oldest is not None else "of unknown age"
    assert waiting == 0, (
        f"{name}: {waiting} dead-lettered requests waiting (oldest {age}; {how}): requests failed every "
        f"delivery attempt; next: pull them to see which batch and player, fix the worker, republish to "
        f"{opscheck_config.pubsub.request_topic}"
    )
