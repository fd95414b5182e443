"""What faults of several families do to the platform: SQL, the manifest, the tracker, the queues."""

from __future__ import annotations

import json
from typing import Any

from opscheck.sandbox import models, schema, season
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.state import PROJECT

TODAY = season.TODAY.isoformat()
CURRENT = f"game_date = '{TODAY}' AND system_id = '{models.SYSTEM_ID}'"
"""Today's rows of the production system, in the tables keyed by game_date and system_id."""


def sql(p: Sandbox, text: str) -> Any:
    job = p.bigquery().query(text)
    job.result(timeout=60)
    return job


def drain(p: Sandbox, subscription: str) -> int:
    """Acknowledge everything waiting on a pull subscription; returns how many."""
    sub = p.subscriber()
    path = f"projects/{PROJECT}/subscriptions/{subscription}"
    drained = 0
    while True:
        response = sub.pull(request={"subscription": path, "max_messages": 100,
                                     "return_immediately": True}, timeout=10)
        ids = [m.ack_id for m in response.received_messages]
        if not ids:
            return drained
        sub.acknowledge(request={"subscription": path, "ack_ids": ids}, timeout=10)
        drained += len(ids)


def read_manifest(p: Sandbox) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(p.read_object(schema.MANIFEST))
    return data


def write_manifest(p: Sandbox, data: dict[str, Any]) -> None:
    p.write_object(schema.MANIFEST, json.dumps(data, indent=2).encode())


def forget_batches(p: Sandbox, day: str = TODAY) -> None:
    """Drop `day`'s batches from the coordinator's tracker: a run that never happened (or stopped) has no
    finished batch, and the tracker must not claim rows the warehouse does not have."""
    for batch in p.call("prediction-coordinator", "/status")["batches"]:
        if batch["game_date"] == day and not batch["batch_id"].startswith("probe-"):
            p.call("prediction-coordinator", "/forget", {"batch_id": batch["batch_id"]})


def today_players(p: Sandbox) -> list[str]:
    return sorted(pd.player.lookup for pd in season.player_days(p.seed_number, season.TODAY))
