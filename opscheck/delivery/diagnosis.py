"""Why delivery stalls: one function runs every sub-probe and ranks what it found.

Incident 9: a backfill's batch stayed at 0/N, the subscription looked right,
workers passed their health checks, no error logs. Each sub-probe here looks
at one suspect (the push endpoint, the worker, cold starts, the dead-letter
side, the coordinator's tracker) and returns findings with the evidence it
saw, how likely that suspect explains a stall, and the fix. The likelihoods
are a ranking, not probabilities: a misrouted push endpoint explains a stall
on its own; a min-instances of 0 only makes cold-start 503s possible.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from opscheck.errors import GatewayError, NotFoundError
from opscheck.platform import Platform
from opscheck.views import Batch, Coordinator, Delivery, Services, Views
from opscheck.views.services import gcloud_update


@dataclasses.dataclass(frozen=True)
class Finding:
    """One suspect that the evidence supports."""

    cause: str
    likelihood: float
    seen: str
    fix: str
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return {"cause": self.cause, "likelihood": f"{self.likelihood:.2f}", "seen": self.seen, "next": self.fix}


@dataclasses.dataclass
class Suspects:
    """The views the sub-probes read (each part read once, shared with the checks' session)."""

    platform: Platform
    delivery: Delivery
    services: Services
    coordinator: Coordinator
    batch: Batch | None = None
    batch_id: str | None = None
    # The moment ages are read at, on the platform's clock: the session's as-of, or Config.now.
    now: dt.datetime = dataclasses.field(kw_only=True)

    @classmethod
    def of(cls, platform: Platform, batch_id: str | None = None, now: dt.datetime | None = None) -> Suspects:
        """Suspects of a stall, `batch_id` looked up in the coordinator's tracker as it is now.

        `now` is the session's as-of time, so that a replay judges ages as the recording did.
        """
        now = now or platform.config.now()
        views = Views.of(platform, now.date())
        coordinator = views.get(Coordinator)
        batch = next((b for b in coordinator.status() if b.batch_id == batch_id), None) if batch_id else None
        return cls(platform, views.get(Delivery), views.get(Services), coordinator, batch=batch, batch_id=batch_id,
                   now=now)


def diagnose(suspects: Suspects) -> list[Finding]:
    """Every finding of every sub-probe, most likely first; [] when the delivery path looks healthy."""
    findings: list[Finding] = []
    for probe in SUB_PROBES:
        try:
            findings.extend(probe(suspects))
        except GatewayError as exc:  # a part that cannot be read is itself a lead, never a crash
            findings.append(Finding(f"unreadable: {probe.__name__.removeprefix('_')}", 0.2,
                                    f"could not read it: {exc}", "fix access to it, then diagnose again"))
    return sorted(findings, key=lambda f: -f.likelihood)


def _push_endpoint(s: Suspects) -> list[Finding]:
    config = s.platform.config
    update = f"gcloud pubsub subscriptions update {config.pubsub.push_subscription} --project {config.gcp.project}"
    try:
        push = s.delivery.push
    except NotFoundError as exc:
        return [Finding("push-subscription-missing", 0.99, f"{exc}: nothing delivers the requests",
                        f"gcloud pubsub subscriptions create {config.pubsub.push_subscription} "
                        f"--topic {config.pubsub.request_topic} --push-endpoint=WORKER_URL/predict ...")]
    worker = s.services.describe(config.services.worker)["uri"].rstrip("/") + "/predict"
    found = []
    if push["push_endpoint"] != worker:
        found.append(Finding("push-endpoint-stale", 0.95,
                             f"pushes go to {push['push_endpoint']}, the worker serves at {worker}",
                             f"{update} --push-endpoint={worker}",
                             {"push_endpoint": push["push_endpoint"], "worker": worker}))
    if not push["oidc_service_account"]:
        found.append(Finding("push-auth-missing", 0.8, "pushes carry no OIDC token: the worker refuses them",
                             f"{update} --push-auth-service-account=SA_WITH_run.invoker"))
    return found


def _worker_health(s: Suspects) -> list[Finding]:
    worker = s.platform.config.services.worker
    found = []
    for path in s.services.health_paths(worker):
        answer = s.services.health(worker, path)
        if not answer.healthy:
            found.append(Finding("worker-down" if path == "/health" else "worker-not-ready",
                                 0.9 if path == "/health" else 0.7, f"{worker} {path}: {answer.problem}",
                                 f"gcloud run services logs read {worker} --project {s.platform.config.gcp.project}",
                                 answer.summary()))
    return found


def _cold_start(s: Suspects) -> list[Finding]:
    config = s.platform.config
    worker = config.services.worker
    scaling = s.services.describe(worker)["min_instances"]
    responses = s.delivery.push_responses
    refused = responses.get("remote_server_5xx", 0)
    evidence = {"min_instances": scaling, "floor": config.services.worker_min_instances,
                f"push responses, last {s.delivery.recent_minutes} min": responses or "no series"}
    fix = gcloud_update(config, worker, f"--min-instances={config.services.worker_min_instances}")
    if scaling < config.services.worker_min_instances:
        seen = f"{worker} min instances {scaling}: cold starts answer 503 and Pub/Sub backs off"
        if refused:
            seen += f"; {refused} pushes refused with 5xx in the last {s.delivery.recent_minutes} min"
        return [Finding("cold-start-503", 0.85 if refused else 0.6, seen, fix, evidence)]
    if refused:
        return [Finding("worker-refusing-pushes", 0.65, f"{refused} pushes refused with 5xx in the last "
                        f"{s.delivery.recent_minutes} min while {worker} keeps {scaling} instance(s) warm",
                        f"gcloud run services logs read {worker} --project {config.gcp.project}", evidence)]
    return []


def _dead_letters(s: Suspects) -> list[Finding]:
    config = s.platform.config.pubsub
    subscriptions = s.delivery.dead_letter_subscriptions
    if not subscriptions:
        return [Finding("dlq-unsubscribed", 0.75,
                        f"dead-letter topic {config.dead_letter_topic} has no subscription: requests that "
                        "exhausted their delivery attempts were dropped without a trace (no error logs)",
                        f"gcloud pubsub subscriptions create {config.dead_letter_subscription} "
                        f"--topic {config.dead_letter_topic} --expiration-period=never",
                        {"dead_letter_topic": config.dead_letter_topic, "subscriptions": []})]
    peek = s.delivery.dead_letter_peek
    waiting = peek["count"] - peek["probes"]
    if waiting <= 0:
        return []
    ours = s.batch is not None and s.batch.batch_id in peek["batches"]
    return [Finding("dead-lettered", 0.95 if ours else 0.8,
                    f"{waiting} requests on {config.dead_letter_subscription} (batches "
                    f"{', '.join(peek['batches'][:5]) or 'unknown'}): they failed every delivery attempt",
                    f"pull them from {config.dead_letter_subscription} to see why, fix the worker, "
                    f"republish to {config.request_topic}", dict(peek))]


def _tracker(s: Suspects) -> list[Finding]:
    if s.batch_id and s.batch is None:
        return [Finding("tracker-reset", 0.85, f"the coordinator does not know batch {s.batch_id}: its tracker "
                        "was emptied (a /reset) or the coordinator restarted, so progress is never shown",
                        "start the batch again (POST /start); never /reset while a batch runs")]
    watched = [s.batch] if s.batch is not None else [b for b in s.coordinator.watched if not b.done]
    grace = dt.timedelta(seconds=s.platform.config.probes.tracker_grace_seconds)
    landed = s.coordinator.landed(tuple(watched), before=s.now - grace)
    found = []
    for batch in watched:
        rows = landed.get(batch.batch_id, 0)
        if rows > batch.completed:
            found.append(Finding("tracker-stuck", 0.9,
                                 f"batch {batch.batch_id}: the tracker says {batch.completed}/{batch.expected}, "
                                 f"but {rows} of its rows landed: delivery works, progress is not recorded",
                                 f"check the coordinator's /complete handling (logs of "
                                 f"{s.platform.config.services.coordinator}), then redeploy it",
                                 batch.row(s.now, rows)))
    return found


def _push_backlog(s: Suspects) -> list[Finding]:
    backlog = s.delivery.push_backlog
    waiting, age = backlog["undelivered"], backlog["oldest_unacked_age_seconds"]
    if not waiting or age is None or age < s.platform.config.probes.backlog_max_age_seconds:
        return []
    return [Finding("requests-waiting", 0.3, f"{waiting} requests wait on the push subscription, the oldest "
                    f"{age:.0f}s: pushes are not being acknowledged", "see the findings above", dict(backlog))]


SUB_PROBES: tuple[Callable[[Suspects], list[Finding]], ...] = (
    _push_endpoint, _worker_health, _cold_start, _dead_letters, _tracker, _push_backlog,
)


NOTHING_FOUND = "no suspect found: push endpoint, worker, scaling, dead letters and tracker all look right"


def lead(findings: list[Finding], nothing: str = NOTHING_FOUND) -> str:
    """The sentence a failure starts with: the most likely cause and its fix (`nothing` when none was found)."""
    if not findings:
        return nothing
    top = findings[0]
    others = ", ".join(f.cause for f in findings[1:4])
    return (f"most likely {top.cause}: {top.seen}; next: {top.fix}"
            + (f" (also suspected: {others})" if others else ""))
