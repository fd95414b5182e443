"""The coordinator's tracker (`GET /status`): its batches, and how many rows each batch really wrote."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from opscheck.config import ProbesConfig
from opscheck.delivery import contract
from opscheck.errors import AccessDeniedError, GatewayError
from opscheck.platform.http import DENIED, may_not_call
from opscheck.views.base import Context, View, Warmer, once


@dataclasses.dataclass(frozen=True)
class Batch:
    """One batch as the coordinator's tracker shows it."""

    batch_id: str
    game_date: str
    expected: int
    completed: int
    started_at: dt.datetime
    updated_at: dt.datetime

    @property
    def probe(self) -> bool:
        return self.batch_id.startswith(contract.BATCH_PREFIX)

    @property
    def done(self) -> bool:
        return self.completed >= self.expected

    def stall(self, now: dt.datetime, landed: int, probes: ProbesConfig) -> str | None:
        """Why this batch is stalled at `now`, by the probes' thresholds, with `landed` of its rows written; else None.

        At 0/N past stall_zero_seconds, no progress for stall_progress_seconds, or fewer completed than
        landed (the tracker stopped counting): what incident 9's backfill looked like for minutes.
        """
        if self.done:
            return None
        age, quiet = (now - self.started_at).total_seconds(), (now - self.updated_at).total_seconds()
        if self.completed == 0 and age >= probes.stall_zero_seconds:
            return f"at 0/{self.expected} for {age:.0f}s"
        if self.completed and quiet >= probes.stall_progress_seconds:
            return f"at {self.completed}/{self.expected}, no progress for {quiet:.0f}s"
        if landed > self.completed:
            return f"at {self.completed}/{self.expected} by its tracker while {landed} of its rows landed"
        return None

    def row(self, now: dt.datetime, landed: int | None = None) -> dict[str, Any]:
        """The batch as an evidence row, ages in seconds from `now`."""
        return {"batch_id": self.batch_id, "game_date": self.game_date,
                "progress": f"{self.completed}/{self.expected}",
                "age_s": round((now - self.started_at).total_seconds()),
                "since_progress_s": round((now - self.updated_at).total_seconds()),
                "rows_landed": landed}

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Batch:
        started = _stamp(raw["started_at"])
        return cls(str(raw["batch_id"]), str(raw["game_date"]), int(raw["expected"]), int(raw["completed"]),
                   started, _stamp(raw.get("updated_at") or raw["started_at"]))


def _stamp(value: str) -> dt.datetime:
    stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


class Coordinator(View):
    """The coordinator's batches (`GET /status`), and how many rows each batch really wrote."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.name = self._platform.config.services.coordinator

    def status(self) -> list[Batch]:
        """Every batch the tracker knows, read now (not remembered: probes watch it move)."""
        uri = self._platform.run.service(self.name)["uri"]
        answer = self._platform.http.get(uri, "/status")
        if answer["status"] in DENIED:
            denied = may_not_call(self._platform.config, self.name, answer["status"])
            raise AccessDeniedError(f"{self.name} /status: {denied}")
        if answer["status"] != 200:
            raise GatewayError(f"{self.name} /status: HTTP {answer['status']}: {answer['body'][:200]}")
        try:
            return [Batch.parse(b) for b in json.loads(answer["body"])["batches"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise GatewayError(f"{self.name} /status: not the batches it should list ({exc})") from None

    @once
    def batches(self) -> list[Batch]:
        """The tracker's batches at the start of the session."""
        return self.status()

    @property
    def watched(self) -> tuple[Batch, ...]:
        """The batches the passive probes judge: all but probes' own (their probe watches those)."""
        return tuple(b for b in self.batches if not b.probe)

    def warmers(self) -> list[Warmer]:
        return [lambda: self.landed(self.watched)]

    def landed(self, batches: tuple[Batch, ...], before: dt.datetime | None = None) -> dict[str, int]:
        """Rows each batch really wrote (created on its date since it started), up to `before`.

        One query for all batches, grouped by date and second, so the tracker
        can be held against the warehouse whatever it says.
        """
        if not batches:
            return {}
        since = min(b.started_at for b in batches)
        rows = self._platform.bigquery.query(
            "batch_rows", system_id=self._platform.config.models.system_id,
            dates=sorted({dt.date.fromisoformat(b.game_date) for b in batches}), since=since)
        landed = {}
        for batch in batches:
            landed[batch.batch_id] = sum(
                int(r["rows"]) for r in rows if r["game_date"] == batch.game_date
                and batch.started_at <= _stamp(r["second"]) + dt.timedelta(seconds=1)
                and (before is None or _stamp(r["second"]) < before)
                and (str(r["probe"]) == batch.batch_id.removeprefix(contract.BATCH_PREFIX)
                     if batch.probe else not r["probe"]))
        return landed
