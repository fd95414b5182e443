"""Active probes: push, publish and /start for real, as marked probes, and always clean up.

Black-box probing of the delivery path (incident 9): the worker must accept a
push, a canary must travel the real topic to where it is delivered, and a tiny
batch must reach N/N. Every message carries the probe marks of
contract.py, so the platform never mistakes a probe for work; every
probe removes what it made (its rows, its tracker entry, its temporary
subscription) on success, failure and Ctrl-C, and sweeps what an interrupted
run left behind. Probes never publish into a path that is known to be broken
(a push endpoint that is not the worker, a worker refusing pushes): those
messages would only be dead-lettered after the probe has gone.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import json
import math
import re
import secrets
import statistics
import time
from collections.abc import Iterator
from typing import Any

from opscheck.delivery import contract
from opscheck.errors import GatewayError
from opscheck.platform import Platform
from opscheck.platform.http import HttpResult
from opscheck.signals import sigint_deferred
from opscheck.views.base import once
from opscheck.views.coordinator import Batch, Coordinator
from opscheck.views.delivery import Delivery
from opscheck.views.services import Services

ACK_CODES = frozenset({102, 200, 201, 202, 204})
"""What Pub/Sub counts as an acknowledged push (503 and 429 are nacks, retried with backoff).

https://cloud.google.com/pubsub/docs/push#receive_push. Google's emulator
accepts 200, 201, 203 and 204 instead; a probe judges by the real service's
rules, so a worker answering 203 would pass here and fail in production.
"""
SUBSCRIPTION_PREFIX = "opscheck-canary-"
EXPIRY_MARGIN = 10.0  # seconds past a probe's deadline its messages still count (clock skew between machines)
POLL_SECONDS = 0.3
_ID = re.compile(r"^[a-z](\d{10})x[0-9a-f]+$")


def new_id(kind: str, expires: float) -> str:
    """A probe id: its kind, its expiry (epoch seconds) and a random part, in lowercase letters and digits.

    The expiry is in the id so that whoever finds a probe's leftovers (rows, a tracker entry, a
    subscription) can tell whether that probe can still be running, or its messages still landing: the
    worker drops a probe message past its expiry, so after it nothing of that probe moves again.
    """
    return f"{kind}{int(expires):010d}x{secrets.token_hex(3)}"


def expired(probe_id: str, now: float) -> bool:
    """Whether nothing of probe `probe_id` can move any more (an id in no format of this opscheck's: yes)."""
    match = _ID.match(probe_id)
    return match is None or int(match.group(1)) < now


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile of `values` by nearest rank (a handful of canaries needs no more)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclasses.dataclass
class ProbeRun:
    """One active probe: its marks, and what it made (so it can take it away again)."""

    id: str
    expires: float
    subscription: str | None = None
    batch: str | None = None
    day: dt.date | None = None

    @classmethod
    def new(cls, kind: str, lifetime: float) -> ProbeRun:
        """A probe of `kind` whose messages count for `lifetime` seconds from now, and a margin."""
        expires = time.time() + lifetime + EXPIRY_MARGIN
        return cls(new_id(kind, expires), expires)

    def attributes(self) -> dict[str, str]:
        return {contract.PROBE_ATTRIBUTE: self.id, contract.EXPIRES_ATTRIBUTE: f"{self.expires:.0f}"}


class Prober:
    """Runs the active probes of one session against the platform the session talks to."""

    def __init__(self, platform: Platform, delivery: Delivery, services: Services, coordinator: Coordinator) -> None:
        self.platform = platform
        self.config = platform.config
        self.delivery = delivery
        self.services = services
        self.coordinator = coordinator

    @property
    def worker_uri(self) -> str:
        return str(self.services.describe(self.config.services.worker)["uri"])

    # ---- the probes ------------------------------------------------------------
    @once
    def push_answer(self) -> HttpResult:
        """The worker's answer to a canary push envelope sent straight to `/predict` (once a session)."""
        probe = ProbeRun.new("p", self.config.endpoints.timeout_seconds)
        envelope = {
            "message": {"data": base64.b64encode(json.dumps({contract.CANARY_KEY: True}).encode()).decode(),
                        "attributes": probe.attributes(), "messageId": probe.id,
                        "publishTime": dt.datetime.now(dt.UTC).isoformat()},
            "subscription": self.platform.pubsub.subscription_path(self.config.pubsub.push_subscription),
        }
        return self.platform.http.post(self.worker_uri, "/predict", envelope)

    def blocked(self) -> str | None:
        """Why publishing would only feed the dead-letter topic, or None when the path looks open."""
        push = self.delivery.push
        wanted = self.worker_uri.rstrip("/") + "/predict"
        if push["push_endpoint"] != wanted:
            return f"the push endpoint is {push['push_endpoint']}, not the worker's {wanted}"
        answer = self.push_answer
        if answer["status"] not in ACK_CODES:
            return f"the worker answers a push with HTTP {answer['status']} (a nack: retried, then dead-lettered)"
        return None

    @contextlib.contextmanager
    def probing(self, kind: str, deadline: float) -> Iterator[ProbeRun]:
        """A new probe for the block; what it made is removed afterwards, whatever happens.

        Expired probes' leftovers are swept before and after: messages of a probe interrupted
        before its rows landed keep landing until its expiry, after its own cleanup.
        """
        self.sweep()
        probe = ProbeRun.new(kind, deadline)
        try:
            yield probe
        finally:
            with sigint_deferred():
                self.clean(probe)
                self.sweep()

    def canary(self, probe: ProbeRun) -> list[float]:
        """Publish the canaries and wait for each to be delivered; their latencies, in seconds."""
        count = self.config.probes.canary_messages
        topic = self.config.pubsub.request_topic
        if self.config.probes.canary_via == "subscription":
            probe.subscription = self.platform.pubsub.create_subscription(
                f"{SUBSCRIPTION_PREFIX}{probe.id}", topic,
                filter=f'attributes.{contract.PROBE_ATTRIBUTE} = "{probe.id}"')
        for sequence in range(count):
            data = json.dumps({contract.CANARY_KEY: True, "sequence": sequence}).encode()
            self.platform.pubsub.publish(topic, data, probe.attributes())
        deadline = time.monotonic() + self.config.probes.canary_deadline_seconds
        seen: dict[str, float] = {}
        while len(seen) < count and time.monotonic() < deadline:
            for receipt in self._receipts(probe):
                seen[receipt["message_id"]] = (dt.datetime.fromisoformat(receipt["received_at"])
                                               - dt.datetime.fromisoformat(receipt["publish_time"])).total_seconds()
            time.sleep(POLL_SECONDS)
        return sorted(seen.values())

    def _receipts(self, probe: ProbeRun) -> list[dict[str, Any]]:
        """Deliveries of this probe's canaries seen so far (the worker's receipts, or the probe's subscription)."""
        if probe.subscription:
            got = self.platform.pubsub.pull(probe.subscription)
            return [dict(r) for r in got if r["attributes"].get(contract.PROBE_ATTRIBUTE) == probe.id]
        path = f"/probe/receipts/{probe.id}"
        answer = self.platform.http.get(self.worker_uri, path)
        if answer["status"] != 200:
            raise GatewayError(f"{self.config.services.worker} {path}: HTTP {answer['status']}")
        try:
            receipts = json.loads(answer["body"])["receipts"]
        except (ValueError, KeyError, TypeError):
            raise GatewayError(f"{self.config.services.worker} {path}: not the receipts JSON the probe "
                               f"contract promises: {answer['body'][:120]!r}") from None
        return [r for r in receipts if r["probe"] == probe.id]

    def batch(self, probe: ProbeRun) -> tuple[Batch, float]:
        """`/start` a tiny probe batch and watch it; the batch as last seen, and the seconds waited."""
        today = self.config.today()
        players = self.platform.bigquery.query("probe_players", start=today - dt.timedelta(days=14), end=today,
                                               players=self.config.probes.batch_players)
        if not players:
            raise GatewayError(f"no prop lines in the 14 days up to {today}: nothing to build a probe batch from")
        probe.day = dt.date.fromisoformat(players[0]["game_date"])
        uri = str(self.services.describe(self.config.services.coordinator)["uri"])
        started = time.monotonic()
        answer = self.platform.http.post(uri, "/start", {
            "game_date": probe.day.isoformat(), "players": [p["player_lookup"] for p in players],
            "probe_id": probe.id, "probe_expires": f"{probe.expires:.0f}"})
        if answer["status"] != 200:
            raise GatewayError(f"{self.config.services.coordinator} /start: HTTP {answer['status']}: "
                               f"{answer['body'][:200]}")
        probe.batch = str(json.loads(answer["body"])["batch_id"])
        deadline = started + self.config.probes.batch_deadline_seconds
        while True:
            mine = next((b for b in self.coordinator.status() if b.batch_id == probe.batch), None)
            if mine is None:
                raise GatewayError(f"{self.config.services.coordinator} lost probe batch {probe.batch} "
                                   "from its tracker while it ran")
            if mine.done or time.monotonic() > deadline:
                return mine, time.monotonic() - started
            time.sleep(POLL_SECONDS)

    # ---- cleaning up -------------------------------------------------------------
    def clean(self, probe: ProbeRun) -> None:
        """Remove what `probe` made: its rows, its tracker entry, its subscription.

        Once a batch may have been asked for (`day` set), its tracker entry is forgotten by the id the
        probe contract gives it, so a Ctrl-C while `/start` was answering leaves none behind either.
        """
        if probe.day is not None:
            self._delete_rows([probe.id])
            self._forget(probe.batch or f"{contract.BATCH_PREFIX}{probe.id}")
        if probe.subscription is not None:
            self.platform.pubsub.delete_subscription(probe.subscription)

    def sweep(self) -> None:
        """Remove what expired probes left behind, whoever ran them (their ids say when they expired)."""
        now = time.time()
        for name in self.platform.pubsub.subscriptions(SUBSCRIPTION_PREFIX):
            if expired(name.removeprefix(SUBSCRIPTION_PREFIX), now):
                self.platform.pubsub.delete_subscription(name)
        if self.delivery.dead_letter_subscriptions:
            # A probe message in the dead-letter queue helps nobody and would read as a real failure.
            self.platform.pubsub.purge(self.config.pubsub.dead_letter_subscription, contract.PROBE_ATTRIBUTE)
        for batch in self.coordinator.status():
            if batch.probe and expired(batch.batch_id.removeprefix(contract.BATCH_PREFIX), now):
                self._forget(batch.batch_id)
        stale = [str(r["probe"]) for r in self._probe_rows() if expired(str(r["probe"]), now)]
        if stale:
            self._delete_rows(stale)

    def leftovers(self) -> dict[str, Any]:
        """Everything probe-made that is still there (what a test expects to be empty)."""
        return {"subscriptions": self.platform.pubsub.subscriptions(SUBSCRIPTION_PREFIX),
                "rows": sum(int(r["rows"]) for r in self._probe_rows()),
                "batches": [b.batch_id for b in self.coordinator.status() if b.probe]}

    def _window(self) -> dict[str, dt.date]:
        """The dates probe rows can be on: a probe batch runs on the latest date with lines in the last 14 days."""
        today = self.config.today()
        return {"start": today - dt.timedelta(days=14), "end": today}

    def _probe_rows(self) -> list[dict[str, Any]]:
        return self.platform.bigquery.query("probe_rows", prefix=contract.ROW_PREFIX, **self._window())

    def _delete_rows(self, probes: list[str]) -> None:
        self.platform.bigquery.execute("probe_cleanup", prefix=contract.ROW_PREFIX, probes=probes,
                                       **self._window())

    def _forget(self, batch_id: str) -> None:
        uri = str(self.services.describe(self.config.services.coordinator)["uri"])
        self.platform.http.post(uri, "/forget", {"batch_id": batch_id})


def latency_summary(latencies: list[float]) -> dict[str, float]:
    """p50 and p95 of publish-to-delivery latencies, in milliseconds."""
    return {"p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(percentile(latencies, 0.95) * 1000, 1)}
