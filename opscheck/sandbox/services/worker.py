"""The prediction worker: Pub/Sub push in, one prediction row out.

It loads the CatBoost model named by `CATBOOST_V9_MODEL_PATH` from Cloud
Storage (once, then cached), reads the player's features from the feature
store, writes the prediction (superseding any earlier active row for that
player and date) and tells the coordinator. `SANDBOX_COLD_START_503` makes
`/predict` answer 503 while `/health` stays green: incident 9's cold starts.
`SANDBOX_DEEP_HEALTH_500` makes `/health/deep` alone answer 500;
`SANDBOX_DEEP_HEALTH_DEGRADED` makes it answer 200 with a body that says it
cannot reach BigQuery (a health endpoint that reports trouble with a 200).
`SANDBOX_SLOW_PREDICT=SECONDS` makes every prediction take that long (canaries
are still answered at once): a push that lands after its probe gave up.
`SANDBOX_FAIL_FIRST_ATTEMPT` makes the first delivery of every request fail (logged at ERROR,
answered 500); Pub/Sub's redelivery then lands the row: errors in the log, rows all there.

It honours opscheck's probe contract (opscheck/delivery/contract.py): a canary
is acknowledged and remembered (`GET /probe/receipts/<probe id>`, the newest
thousand canaries), a probe request writes
an inactive `probe-…` row without superseding anything, and an expired probe
message is acknowledged and dropped.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import hashlib
import json
import os
import re
import threading
import time
from typing import Any

import requests

from opscheck import governance
from opscheck.delivery import contract
from opscheck.sandbox import clients, models, schema
from opscheck.sandbox.services import App, Response, health


def build() -> App:
    app = App("prediction-worker")
    health(app)
    from google.cloud import bigquery

    bq = clients.bigquery()
    gcs = clients.storage()
    model_path = os.environ[schema.MODEL_PATH_ENV]
    coordinator = os.environ.get("COORDINATOR_URL", "")
    cold_start = os.environ.get("SANDBOX_COLD_START_503") == "1"
    deep_fails = os.environ.get("SANDBOX_DEEP_HEALTH_500") == "1"
    degraded = os.environ.get("SANDBOX_DEEP_HEALTH_DEGRADED") == "1"
    slow = float(os.environ.get("SANDBOX_SLOW_PREDICT") or 0)
    flaky = os.environ.get("SANDBOX_FAIL_FIRST_ATTEMPT") == "1"
    failed_once: set[str] = set()
    version = governance.model_version(model_path.rsplit("/", 1)[-1], models.SYSTEM_ID)
    loaded: dict[str, Any] = {}
    lock = threading.Lock()
    receipts: collections.deque[dict[str, Any]] = collections.deque(maxlen=1000)  # bounded, like any log

    def model() -> Any:
        with lock:
            if "model" not in loaded:
                bucket, _, name = model_path.removeprefix("gs://").partition("/")
                blob = gcs.bucket(bucket).blob(name).download_as_bytes(timeout=30)
                loaded["model"] = models.load(blob)
                loaded["sha256"] = hashlib.sha256(blob).hexdigest()
            return loaded["model"]

    def params(**values: Any) -> Any:
        kinds = {str: "STRING", float: "FLOAT64", dt.date: "DATE", bool: "BOOL", dt.datetime: "TIMESTAMP"}
        return bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter(k, kinds[type(v)], v) for k, v in values.items()
        ])

    @app.route("GET", "/health/deep")
    def deep(body: dict[str, Any], match: re.Match[str]) -> Response:
        if deep_fails:
            return 500, {"status": "error", "error": "BigQuery check timed out after 10s"}
        if degraded:
            model()
            return 200, {"status": "error", "model": model_path, "model_sha256": loaded["sha256"],
                         "bigquery": "unreachable"}
        model()
        list(bq.query("SELECT 1 AS ok").result(timeout=10))
        return 200, {"status": "ok", "model": model_path, "model_sha256": loaded["sha256"],
                     "bigquery": "reachable"}

    @app.route("GET", r"/probe/receipts/(?P<probe>[\w.-]+)")
    def probe_receipts(body: dict[str, Any], match: re.Match[str]) -> Response:
        with lock:  # one probe's only: a whole day's canaries would not fit a health-check-sized answer
            return 200, {"receipts": [r for r in receipts if r["probe"] == match["probe"]]}

    @app.route("POST", "/predict")
    def predict(body: dict[str, Any], match: re.Match[str]) -> Response:
        if cold_start:
            return 503, {"error": "instance starting (min-instances 0)"}
        message = body["message"]
        attributes = message.get("attributes") or {}
        probe = attributes.get(contract.PROBE_ATTRIBUTE)
        if probe and float(attributes.get(contract.EXPIRES_ATTRIBUTE, "inf")) < time.time():
            return 204, None  # its probe has given up: acknowledge, do nothing
        request = json.loads(base64.b64decode(message["data"]))
        if probe and request.get(contract.CANARY_KEY):
            with lock:
                receipts.append({"probe": probe, "message_id": message.get("messageId"),
                                 "publish_time": message.get("publishTime"),
                                 "received_at": dt.datetime.now(dt.UTC).isoformat()})
            return 204, None
        time.sleep(slow)
        if flaky and not probe and message.get("messageId") not in failed_once:
            with lock:
                failed_once.add(str(message.get("messageId")))
            raise TimeoutError("feature store read timed out after 30s")
        game_date = dt.date.fromisoformat(request["game_date"])
        player = request["player_lookup"]
        # The features, and whether an earlier active row awaits superseding, in one round trip: the first
        # run of a day has nothing to supersede and skips the UPDATE.
        rows = list(bq.query(
            f"SELECT features, (SELECT COUNT(*) FROM {schema.PREDICTIONS} WHERE game_date = @d AND player_lookup = @p "
            "AND system_id = @s AND is_active) AS earlier "
            f"FROM {schema.FEATURES} WHERE game_date = @d AND player_lookup = @p",
            job_config=params(d=game_date, p=player, s=models.SYSTEM_ID),
        ).result(timeout=30))
        if not rows:
            return 400, {"error": f"no features for {player} on {game_date}"}
        features = json.loads(rows[0]["features"])
        predicted = round(float(model().predict([features])[0]), 2)
        line = float(request["line_value"])
        call, confidence = models.recommend(predicted, line)
        now = clients.now()
        prediction_id = contract.row_id(probe, player) if probe else hashlib.sha256(
            f"{game_date}|{player}|{models.SYSTEM_ID}|{now.isoformat()}".encode()
        ).hexdigest()[:20]
        if not probe and rows[0]["earlier"]:  # a probe's row supersedes nothing
            bq.query(
                f"UPDATE {schema.PREDICTIONS} SET is_active = FALSE WHERE game_date = @d "
                "AND player_lookup = @p AND system_id = @s AND is_active",
                job_config=params(d=game_date, p=player, s=models.SYSTEM_ID),
            ).result(timeout=30)
        bq.query(
            f"INSERT INTO {schema.PREDICTIONS} (prediction_id, game_date, game_id, player_lookup, "
            "system_id, model_version, line_value, predicted_points, recommendation, confidence, "
            "is_active, created_at) VALUES (@id, @d, @g, @p, @s, @v, @line, @pred, @rec, @conf, "
            "@active, @created)",
            job_config=params(
                id=prediction_id, d=game_date, g=request["game_id"], p=player, s=models.SYSTEM_ID,
                v=version, line=line, pred=predicted, rec=call, conf=confidence, active=not probe, created=now,
            ),
        ).result(timeout=30)
        app.log("INFO", f"prediction written for {player} on {game_date}", prediction_id=prediction_id)
        if coordinator:
            requests.post(
                f"{coordinator}/complete",
                json={"batch_id": request["batch_id"], "player_lookup": player}, timeout=10,
            )
        return 204, None

    return app
