"""Delivery probes, active: they push, publish and /start for real, then clean up (incident 9).

Marked `active`: never run against a live GCP project without --allow-active,
and never replayed offline (they act on the platform; a recording cannot).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from opscheck.config import Config
from opscheck.delivery import diagnosis
from opscheck.delivery.probes import ACK_CODES, Prober, latency_summary
from opscheck.reports.evidence import Evidence

pytestmark = [pytest.mark.probe, pytest.mark.active]


def test_worker_accepts_push(prober: Prober, opscheck_config: Config, evidence: Evidence) -> None:
    answer = prober.push_answer
    evidence.json("a canary push envelope straight to the worker's /predict",
                  {k: answer[k] for k in ("url", "status", "latency_ms")} | {"body": answer["body"][:200]})
    assert answer["status"] in ACK_CODES, (
        f"{opscheck_config.services.worker} answered a push with HTTP {answer['status']}: Pub/Sub counts that as "
        f"a nack, backs off, and after the dead-letter policy's attempts drops the request into "
        f"{opscheck_config.pubsub.dead_letter_topic} (acknowledged: {', '.join(map(str, sorted(ACK_CODES)))}); "
        "next: opscheck diagnose stall (min instances? a cold start answers 503)"
    )


def _not_blocked(prober: Prober, what: str) -> None:
    __tracebackhide__ = True
    blocked = prober.blocked()
    if blocked is not None:
        pytest.fail(f"{what} not attempted: {blocked}; publishing now would only feed the dead-letter topic; "
                    "next: opscheck diagnose stall", pytrace=False)


def test_canary_round_trip(prober: Prober, opscheck_config: Config, evidence: Evidence,
                           record_property: Callable[[str, object], None]) -> None:
    probes = opscheck_config.probes
    _not_blocked(prober, "canary")
    with prober.probing("c", probes.canary_deadline_seconds) as probe:
        latencies = prober.canary(probe)
    summary = latency_summary(latencies) if latencies else {}
    for name, value in summary.items():
        record_property(f"canary_{name}", value)
    evidence.json("canary round trip", {"published": probes.canary_messages, "delivered": len(latencies),
                                        "seen via": probes.canary_via, **summary})
    assert len(latencies) == probes.canary_messages, (
        f"{len(latencies)} of {probes.canary_messages} canaries published on {opscheck_config.pubsub.request_topic} "
        f"were seen delivered (via {probes.canary_via}) within {probes.canary_deadline_seconds:g}s; "
        "next: opscheck diagnose stall"
    )


def test_probe_batch(prober: Prober, opscheck_config: Config, evidence: Evidence) -> None:
    probes = opscheck_config.probes
    _not_blocked(prober, "probe batch")
    with prober.probing("b", probes.batch_deadline_seconds) as probe:
        batch, waited = prober.batch(probe)
        evidence.json("probe batch", {**batch.row(batch.updated_at), "waited_s": round(waited, 2)})
        if not batch.done:
            findings = diagnosis.diagnose(diagnosis.Suspects(
                prober.platform, prober.delivery, prober.services, prober.coordinator, batch=batch,
                batch_id=batch.batch_id, now=prober.config.now()))
            evidence.table("diagnosis (most likely first)", [f.row() for f in findings])
            pytest.fail(f"probe batch {batch.batch_id} ({batch.game_date}) at {batch.completed}/{batch.expected} "
                        f"after {waited:.0f}s (deadline {probes.batch_deadline_seconds:g}s); "
                        f"{diagnosis.lead(findings)}", pytrace=False)
