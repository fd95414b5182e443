"""Faults of Pub/Sub delivery and the coordinator's tracker: where requests go and what says they went."""

from __future__ import annotations

import json
import time
from typing import Any

from opscheck.sandbox import processes, schema
from opscheck.sandbox.faults import observe
from opscheck.sandbox.faults.catalogue import fault
from opscheck.sandbox.faults.common import CURRENT, TODAY, sql, today_players
from opscheck.sandbox.faults.ledger import keep_rows, misbehave
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.processes import SandboxError
from opscheck.sandbox.state import PROJECT

DEFAULT_EXPIRY = 31 * 24 * 3600  # Pub/Sub's default expiration policy: 31 days without activity
BACKFILL = 8  # players in the stuck backfill
TRACKER_SETTLE = 4.0  # seconds after the batch's last row: longer than the tracker lag tolerated (3 s, its overlay)


@fault("push-endpoint-stale", "the push subscription still targets the old worker URL",
       fails={"deploy": ("test_push_endpoint",),
              "probe": ("test_push_endpoint", "test_canary_round_trip", "test_probe_batch")},
       observe=observe.push_endpoint)
def _push_endpoint_stale(p: Sandbox) -> dict[str, Any]:
    p.ledger.append({"kind": "subscription", "endpoint": p.worker_push_endpoint()})
    stale = f"http://127.0.0.1:{processes.free_port()}/predict"
    p.subscriber().update_subscription(request={
        "subscription": p.push_subscription_spec(stale),
        "update_mask": {"paths": ["push_config"]}}, timeout=30)
    return {"push_endpoint": stale}


@fault("dead-letters", "requests dead-lettered: the dead-letter subscription has a backlog",
       fails={"daily": ("test_dead_letter_backlog_empty",), "probe": ("test_dead_letter_backlog_empty",)},
       observe=observe.dlq_backlog)
def _dead_letters(p: Sandbox) -> dict[str, Any]:
    p.ledger.append({"kind": "drain", "subscription": schema.DEAD_LETTER_SUBSCRIPTION})
    publisher = p.publisher()
    topic = f"projects/{PROJECT}/topics/{schema.DEAD_LETTER_TOPIC}"
    players = today_players(p)[:3]
    for player in players:
        body = {"batch_id": "batch-dead", "game_date": TODAY, "player_lookup": player}
        publisher.publish(topic, json.dumps(body).encode(), batch_id="batch-dead",
                          game_date=TODAY, player_lookup=player).result(timeout=30)
    return {"dead_lettered": len(players)}


@fault("dlq-unsubscribed", "the dead-letter topic's subscription was deleted: dead letters are silently dropped",
       fails={"daily": ("test_dead_letter_backlog_empty",),
              "probe": ("test_dead_letter_backlog_empty", "test_subscription_config")},
       observe=lambda p: [str(s).rsplit("/", 1)[-1] for s in p.publisher().list_topic_subscriptions(
               topic=f"projects/{PROJECT}/topics/{schema.DEAD_LETTER_TOPIC}", timeout=10)])
def _dlq_unsubscribed(p: Sandbox) -> dict[str, Any]:
    p.ledger.append({"kind": "dead_letter_subscription"})
    p.subscriber().delete_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.DEAD_LETTER_SUBSCRIPTION}", timeout=30)
    return {"deleted": schema.DEAD_LETTER_SUBSCRIPTION}


@fault("dlq-expiring", "the dead-letter subscription was created with Pub/Sub's default: it expires after 31 days idle",
       fails={"daily": ("test_dead_letter_backlog_empty",), "probe": ("test_dead_letter_backlog_empty",)},
       observe=lambda p: p.subscriber().get_subscription(
               subscription=f"projects/{PROJECT}/subscriptions/{schema.DEAD_LETTER_SUBSCRIPTION}",
               timeout=10).expiration_policy.ttl.total_seconds())
def _dlq_expiring(p: Sandbox) -> dict[str, Any]:
    subscriber = p.subscriber()
    p.ledger.append({"kind": "dead_letter_subscription"})
    subscriber.delete_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.DEAD_LETTER_SUBSCRIPTION}", timeout=30)
    subscriber.create_subscription(request=p.dead_letter_subscription_spec(DEFAULT_EXPIRY), timeout=30)
    return {"expiration_ttl_seconds": DEFAULT_EXPIRY}


@fault("tracker-stuck", "the coordinator never marks progress: a backfill sits at 0/N while its rows land",
       # The batch never completes, so nothing materialises its picks again: today's name the replaced run's.
       fails={"daily": ("test_subsets_pick_active_predictions",),
              "probe": ("test_no_stalled_batches", "test_probe_batch")},
       observe=lambda p: [b["progress"] for b in p.call("prediction-coordinator", "/status")["batches"]
                                       if b["progress"].split("/")[0] != b["progress"].split("/")[1]])
def _tracker_stuck(p: Sandbox) -> dict[str, Any]:
    keep_rows(p, schema.PREDICTIONS, CURRENT)
    misbehave(p, "prediction-coordinator", SANDBOX_TRACKER_STUCK="1")
    # A backfill of a few players: enough to sit at 0/N while its rows land, a fraction of a day's wait.
    batch = p.call("prediction-coordinator", "/start", {"game_date": TODAY, "players": today_players(p)[:BACKFILL]})
    started = next(b for b in p.call("prediction-coordinator", "/status")["batches"]
                   if b["batch_id"] == batch["batch_id"])["started_at"]
    count = (f"SELECT COUNT(*) FROM {schema.PREDICTIONS} WHERE {CURRENT} "
             f"AND created_at >= TIMESTAMP '{started}'")
    deadline = time.monotonic() + 120
    while next(iter(sql(p, count).result()))[0] < batch["expected"]:
        if time.monotonic() > deadline:
            raise SandboxError(f"tracker-stuck: batch {batch['batch_id']} never landed its rows")
        time.sleep(0.3)
    time.sleep(TRACKER_SETTLE)
    return {"batch_id": batch["batch_id"], "expected": batch["expected"]}


@fault("push-subscription-deleted", "the push subscription was deleted: requests published to the topic go nowhere",
       fails={"daily": ("test_dead_letter_backlog_empty",),
              "deploy": ("test_push_endpoint",),
              "probe": ("test_canary_round_trip", "test_dead_letter_backlog_empty", "test_probe_batch",
                        "test_push_endpoint", "test_request_backlog", "test_subscription_config")},
       observe=lambda p: [str(s).rsplit("/", 1)[-1] for s in p.publisher().list_topic_subscriptions(
               topic=f"projects/{PROJECT}/topics/{schema.REQUEST_TOPIC}", timeout=10)])
def _push_subscription_deleted(p: Sandbox) -> dict[str, Any]:
    p.ledger.append({"kind": "push_subscription", "endpoint": p.worker_push_endpoint()})
    p.subscriber().delete_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.PUSH_SUBSCRIPTION}", timeout=30)
    return {"deleted": schema.PUSH_SUBSCRIPTION}


@fault("dead-letter-policy-missing", "the push subscription lost its dead-letter policy: nothing can be dead-lettered",
       fails={"daily": ("test_dead_letter_backlog_empty",),
              "probe": ("test_dead_letter_backlog_empty", "test_subscription_config")},
       observe=lambda p: str(p.subscriber().get_subscription(
               subscription=f"projects/{PROJECT}/subscriptions/{schema.PUSH_SUBSCRIPTION}",
               timeout=10).dead_letter_policy.dead_letter_topic))
def _dead_letter_policy_missing(p: Sandbox) -> dict[str, Any]:
    # The emulator refuses to clear a dead-letter policy by update ("Dead letter topic not found"), so the
    # subscription is made again without one, as a hand-made one would be.
    spec = p.push_subscription_spec(p.worker_push_endpoint())
    p.ledger.append({"kind": "dead_letter_policy", "endpoint": p.worker_push_endpoint()})
    p.subscriber().delete_subscription(subscription=spec["name"], timeout=30)
    p.subscriber().create_subscription(request={k: v for k, v in spec.items() if k != "dead_letter_policy"},
                                       timeout=30)
    return {"dead_letter_policy": None}
