"""The prediction coordinator: `/start` fans a day's requests out over Pub/Sub.

One message per player with a prop line that day; `/status` shows each batch
as completed/N with when it started and last progressed (workers report back
on `/complete`); `/reset` empties the tracker, which is how incident 9's
backfills lost track of their batches. `SANDBOX_TRACKER_STUCK` makes
`/complete` accept reports and record nothing: a tracker that never moves.
`SANDBOX_START_500` makes `/start` fail reading the prop lines: it answers 500 and logs the error.

Probe contract (opscheck/delivery/contract.py): `/start` takes `players` (only
those), `probe_id` and `probe_expires`: the batch is `probe-<id>` and its
messages carry the probe attributes; `/forget` drops one batch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import uuid
from typing import Any

from opscheck.delivery import contract
from opscheck.sandbox import clients, schema
from opscheck.sandbox.services import App, Response, health


def build() -> App:
    app = App("prediction-coordinator")
    health(app)
    bq = clients.bigquery()
    publisher = clients.publisher()
    topic = f"projects/{clients.project()}/topics/{schema.REQUEST_TOPIC}"
    lock = threading.Lock()
    batches: dict[str, dict[str, Any]] = {}
    stuck = os.environ.get("SANDBOX_TRACKER_STUCK") == "1"
    start_fails = os.environ.get("SANDBOX_START_500") == "1"

    @app.route("POST", "/start")
    def start(body: dict[str, Any], match: re.Match[str]) -> Response:
        game_date = dt.date.fromisoformat(body["game_date"])
        from google.cloud import bigquery

        if start_fails:
            raise PermissionError(f"403 Access Denied: Table {schema.PROP_LINES}: the coordinator's service "
                                  "account lost roles/bigquery.dataViewer")

        rows = list(bq.query(
            f"SELECT game_id, player_lookup, line_value FROM {schema.PROP_LINES} "
            "WHERE game_date = @d ORDER BY player_lookup",
            job_config=bigquery.QueryJobConfig(
                query_parameters=[bigquery.ScalarQueryParameter("d", "DATE", game_date)]
            ),
        ).result(timeout=30))
        if body.get("players"):
            rows = [r for r in rows if r["player_lookup"] in set(body["players"])]
        probe = body.get("probe_id")
        marks = {contract.PROBE_ATTRIBUTE: probe,
                 contract.EXPIRES_ATTRIBUTE: str(body.get("probe_expires", ""))} if probe else {}
        batch_id = (f"{contract.BATCH_PREFIX}{probe}" if probe
                    else f"batch-{game_date:%Y%m%d}-{uuid.uuid4().hex[:8]}")
        now = clients.now().isoformat()
        with lock:
            batches[batch_id] = {
                "batch_id": batch_id, "game_date": game_date.isoformat(), "expected": len(rows),
                "completed": set(), "started_at": now, "updated_at": now,
            }
        futures = [
            publisher.publish(
                topic,
                json.dumps({"batch_id": batch_id, "game_date": game_date.isoformat(),
                            "game_id": r["game_id"], "player_lookup": r["player_lookup"],
                            "line_value": r["line_value"]}).encode(),
                batch_id=batch_id, game_date=game_date.isoformat(), player_lookup=r["player_lookup"],
                **marks,
            )
            for r in rows
        ]
        for future in futures:
            future.result(timeout=30)
        app.log("INFO", f"batch {batch_id} started: {len(rows)} requests for {game_date}", batch_id=batch_id)
        return 200, {"batch_id": batch_id, "expected": len(rows)}

    @app.route("POST", "/complete")
    def complete(body: dict[str, Any], match: re.Match[str]) -> Response:
        with lock:
            batch = batches.get(body["batch_id"])
            if batch is None:  # a batch the tracker forgot (after /reset)
                return 404, {"error": f"unknown batch {body['batch_id']}"}
            if not stuck:
                batch["completed"].add(body["player_lookup"])
                batch["updated_at"] = clients.now().isoformat()
        return 204, None

    @app.route("POST", "/forget")
    def forget(body: dict[str, Any], match: re.Match[str]) -> Response:
        with lock:
            dropped = batches.pop(body["batch_id"], None)
        return 200, {"forgotten": dropped is not None}

    @app.route("GET", "/status")
    def status(body: dict[str, Any], match: re.Match[str]) -> Response:
        with lock:
            view = [
                {**{k: v for k, v in b.items() if k != "completed"},
                 "completed": len(b["completed"]),
                 "progress": f"{len(b['completed'])}/{b['expected']}"}
                for b in batches.values()
            ]
        return 200, {"batches": view}

    @app.route("POST", "/reset")
    def reset(body: dict[str, Any], match: re.Match[str]) -> Response:
        with lock:
            cleared = len(batches)
            batches.clear()
        return 200, {"cleared": cleared}

    return app
