"""How each fault's effect is seen in the platform's raw state (each fault's `observe=`).

With the platform's own clients and processes, never opscheck's checks: this proves the faults,
so the checks can later be proved by them.
"""

from __future__ import annotations

from typing import Any

import requests

from opscheck.sandbox import schema
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.state import PROJECT


def scalar(p: Sandbox, sql: str) -> Any:
    return next(iter(p.bigquery().query(sql).result()))[0]


def push_endpoint(p: Sandbox) -> str:
    sub = p.subscriber().get_subscription(
        subscription=f"projects/{PROJECT}/subscriptions/{schema.PUSH_SUBSCRIPTION}", timeout=10)
    return str(sub.push_config.push_endpoint)


def dlq_backlog(p: Sandbox) -> int:
    path = f"projects/{PROJECT}/subscriptions/{schema.DEAD_LETTER_SUBSCRIPTION}"
    sub = p.subscriber()
    got = sub.pull(request={"subscription": path, "max_messages": 100,
                            "return_immediately": True}, timeout=10).received_messages
    if got:
        sub.modify_ack_deadline(request={"subscription": path, "ack_deadline_seconds": 0,
                                         "ack_ids": [m.ack_id for m in got]}, timeout=10)
    return len(got)


def worker_predict_status(p: Sandbox) -> tuple[int, int, int]:
    """(min instances deployed, /health status, /predict status for a malformed push)."""
    url = p.url("prediction-worker")
    health = requests.get(f"{url}/health", timeout=5).status_code
    push = requests.post(f"{url}/predict", json={"message": {}}, timeout=5).status_code
    return p.deployed()["prediction-worker"]["min_instances"], health, push


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def object_exists(p: Sandbox, name: str) -> bool:
    return bool(p.storage().bucket(schema.BUCKET).blob(name).exists(timeout=10))
