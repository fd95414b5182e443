"""Delivery probes, passive: read-only, safe against a live project (incident 9)."""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.delivery import diagnosis
from opscheck.platform import Platform
from opscheck.reports.evidence import Evidence
from opscheck.views.coordinator import Coordinator
from opscheck.views.delivery import Delivery
from opscheck.views.services import Services

pytestmark = pytest.mark.probe


def test_subscription_config(delivery: Delivery, opscheck_config: Config, evidence: Evidence) -> None:
    push, wanted, probes = delivery.push, opscheck_config.pubsub, opscheck_config.probes
    subscriptions = delivery.dead_letter_subscriptions
    evidence.json("push subscription", push)
    evidence.json(f"subscriptions on {wanted.dead_letter_topic}", subscriptions)
    wrong = []
    if push["topic"] != wanted.request_topic:
        wrong.append(f"topic is {push['topic']}, expected {wanted.request_topic}")
    if push["ack_deadline_seconds"] < probes.worker_p95_seconds:
        wrong.append(f"ack deadline {push['ack_deadline_seconds']}s, below the worker's p95 latency "
                     f"{probes.worker_p95_seconds:g}s: slow predictions are redelivered while they run")
    if push["dead_letter_topic"] != wanted.dead_letter_topic:
        wrong.append(f"dead-letter topic is {push['dead_letter_topic']}, expected {wanted.dead_letter_topic}")
    attempts = push["max_delivery_attempts"]
    if attempts is None or not probes.min_delivery_attempts <= attempts <= probes.max_delivery_attempts:
        wrong.append(f"max delivery attempts {attempts}, expected {probes.min_delivery_attempts}.."
                     f"{probes.max_delivery_attempts}")
    if not subscriptions:
        wrong.append(f"dead-letter topic {wanted.dead_letter_topic} has no subscription, expected "
                     f"{wanted.dead_letter_subscription}: dead letters are dropped without a trace")
    if push["retry_minimum_backoff_seconds"] is None:
        wrong.append("no retry policy: failed pushes are retried at once, hammering a cold worker")
    assert not wrong, (
        f"{push['name']}: " + "; ".join(wrong)
        + f"; next: gcloud pubsub subscriptions update {push['name']} --project {opscheck_config.gcp.project} "
        "with the right --ack-deadline / --dead-letter-topic / --max-delivery-attempts / --min-retry-delay"
    )


def test_request_backlog(delivery: Delivery, opscheck_config: Config, evidence: Evidence) -> None:
    # The subscription first: Monitoring has no series for a deleted one either, and that is not "unknown".
    evidence.json("push subscription", delivery.push)
    backlog, probes = delivery.push_backlog, opscheck_config.probes
    evidence.json("push subscription backlog (Monitoring)", backlog)
    if backlog["undelivered"] is None:
        pytest.skip(f"{backlog['subscription']}: Monitoring has no series (idle, or not reporting yet): "
                    "its backlog is unknown, not zero")
    age = backlog["oldest_unacked_age_seconds"] or 0.0
    assert backlog["undelivered"] <= probes.backlog_max_messages and age <= probes.backlog_max_age_seconds, (
        f"{backlog['subscription']}: {backlog['undelivered']} requests undelivered (limit "
        f"{probes.backlog_max_messages}), oldest {age:.0f}s (limit {probes.backlog_max_age_seconds:g}s): "
        "delivery is failing; next: opscheck diagnose stall"
    )


def test_no_stalled_batches(coordinator: Coordinator, delivery: Delivery, services: Services, platform: Platform,
                            as_of: dt.datetime, opscheck_config: Config, evidence: Evidence) -> None:
    probes = opscheck_config.probes
    watched = coordinator.watched
    if not watched:
        pytest.skip(f"{coordinator.name} tracks no batch (GET /status lists none): no batch to judge (a restart "
                    "or a /reset empties its tracker; opscheck diagnose stall --batch ID looks for one by id)")
    landed = coordinator.landed(watched, before=as_of - dt.timedelta(seconds=probes.tracker_grace_seconds))
    evidence.table("coordinator batches (GET /status)",
                   [b.row(as_of, landed.get(b.batch_id)) for b in watched])
    stalled = [(b, why) for b in watched
               if (why := b.stall(as_of, landed.get(b.batch_id, 0), probes)) is not None]
    settled = as_of - dt.timedelta(seconds=probes.tracker_grace_seconds)
    unwritten = [(b, landed.get(b.batch_id, 0)) for b in watched
                 if b.updated_at < settled and landed.get(b.batch_id, 0) < b.completed]
    assert not unwritten, "; ".join(
        f"batch {b.batch_id} ({b.game_date}): its tracker counts {b.completed}/{b.expected} done, but only {rows} of "
        "its rows landed in the warehouse" for b, rows in unwritten) + (
        "; workers reported predictions they never wrote; next: check the worker's logs for failed writes, then "
        "rerun POST /start for that date")
    if not stalled:
        return
    first, why = stalled[0]
    findings = diagnosis.diagnose(diagnosis.Suspects(platform, delivery, services, coordinator, batch=first,
                                                     batch_id=first.batch_id, now=as_of))
    evidence.table("diagnosis (most likely first)", [f.row() for f in findings])
    pytest.fail(f"batch {first.batch_id} ({first.game_date}) {why}"
                + (f" (and {len(stalled) - 1} more stalled)" if len(stalled) > 1 else "")
                + f"; {diagnosis.lead(findings)}", pytrace=False)
