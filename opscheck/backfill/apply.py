"""Applying a backfill plan: each date's steps in order, each batch watched, each date verified.

Why this shape (incident 9): the batch that sat at 0/N was found by someone watching it for minutes.
Here each `/start` is watched through the coordinator's `/status` and the rows that really landed; a
batch that stalls by the probes' thresholds stops the backfill at once and the stall diagnosis says why,
instead of the next date's batch stalling the same way. A date is verified once its steps are done: read
afresh by the views its checks read, so "done" means the checks would pass, not that a service said 200.

Safety: a date whose batch is still running is refused (a second `/start` leaves duplicate active rows);
every request is logged (actions.py); `stop` (Ctrl-C) ends the backfill after the request in flight,
and the result says what was done and what was not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

from opscheck.backfill import actions
from opscheck.backfill.plan import Plan, Step, judge
from opscheck.backfill.progress import Progress, batch_line
from opscheck.delivery import diagnosis
from opscheck.errors import GatewayError, OpscheckError
from opscheck.session import Session
from opscheck.views import Coordinator, Views
from opscheck.views.base import Days
from opscheck.views.coordinator import Batch

Status = Literal["done", "failed", "stalled", "refused", "interrupted", "not started"]
OK, WORK, INTERRUPTED = 0, 1, 130


@dataclasses.dataclass
class Outcome:
    """What became of one step."""

    step: Step
    status: Status = "not started"
    detail: str = ""
    after: str = ""
    verified: bool | None = None  # None: not verified (not reached, or its date did not finish)
    seconds: float = 0.0  # the service's own time: the tracker's first to last progress, or the request's

    def row(self) -> dict[str, Any]:
        return {"date": self.step.day.isoformat(), "step": self.step.kind,
                "before → after": f"{self.step.before} → {self.after or '?'}",
                "verified": {True: "yes", False: "NO", None: "-"}[self.verified],
                "status": self.status + (f": {self.detail}" if self.detail else "")}


@dataclasses.dataclass
class Applied:
    """A backfill's end: every step's outcome, and the diagnosis if a batch stalled."""

    plan: Plan
    outcomes: list[Outcome]
    findings: list[diagnosis.Finding]
    interrupted: bool

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return INTERRUPTED
        return OK if all(o.status == "done" and o.verified for o in self.outcomes) else WORK

    @property
    def processing_seconds(self) -> float:
        """The services' own time over every step (what bench/backfill.py holds the wall time against)."""
        return sum(o.seconds for o in self.outcomes)


class Applier:
    """Runs one plan against the session's platform; `stop` set (Ctrl-C) ends it after the request in flight."""

    def __init__(self, session: Session, plan: Plan, progress: Progress, stop: threading.Event,
                 subsets: Sequence[str] = ()) -> None:
        self.session = session
        self.config = session.config
        self.platform = session.platform
        self.plan = plan
        self.progress = progress
        self.stop = stop
        self.subsets = subsets
        self.log = actions.ActionLog(self.config.backfill.log, actions.who(self.platform))
        self.coordinator = Views(self.platform, Days.of([plan.first])).get(Coordinator)
        self.halted = threading.Event()  # a stall or a refused call: no new request, whichever lane
        self.findings: list[diagnosis.Finding] = []
        self._moved_at: dict[str, float] = {}  # each watched batch's last progress (monotonic), across lanes
        self._verifier: ThreadPoolExecutor
        self._verifying: list[Future[None]] = []

    def run(self, concurrency: int = 1) -> Applied:
        self.log.ready()
        lanes: dict[dt.date, list[Outcome]] = {}
        for step in self.plan.steps:
            lanes.setdefault(step.day, []).append(Outcome(step))
        # A date is verified while the next one is repaired: reads, which never wait for the batches.
        with ThreadPoolExecutor(1, thread_name_prefix="verify") as self._verifier:
            if concurrency <= 1:
                for lane in lanes.values():
                    self._lane(lane)
            else:
                with ThreadPoolExecutor(concurrency, thread_name_prefix="backfill") as pool:
                    for done in [pool.submit(self._lane, lane) for lane in lanes.values()]:
                        done.result()
            for verified in self._verifying:
                verified.result()
        outcomes = [o for lane in lanes.values() for o in lane]
        return Applied(self.plan, outcomes, self.findings, self.stop.is_set())

    # ---- one date ------------------------------------------------------------------
    def _lane(self, lane: list[Outcome]) -> None:
        """A date's steps in order (a later one only after the one it waits for is done), then its verdict."""
        for outcome in lane:
            if self.stop.is_set() or self.halted.is_set():
                outcome.detail = "the backfill stopped before it"
                return
            try:
                if outcome.step.kind == "predictions":
                    self._rerun(outcome)
                else:
                    self._materialize(outcome)
            except GatewayError as exc:
                outcome.status, outcome.detail = "failed", str(exc)
                self.halted.set()
            if outcome.status != "done":
                for later in lane[lane.index(outcome) + 1:]:
                    later.detail = f"waits for {outcome.step.kind} of {outcome.step.day}"
                return
        self._verifying.append(self._verifier.submit(self._verify, lane))

    def _verify(self, lane: list[Outcome]) -> None:
        day = lane[0].step.day
        try:
            for outcome in lane:
                outcome.after, outcome.verified = judge(self.session, day, outcome.step.kind, self.subsets)
        except GatewayError as exc:
            for outcome in lane:
                outcome.detail = f"not verified: {exc}"
            return
        verdict = "verified" if all(o.verified for o in lane) else "NOT repaired"
        self.progress.say(f"{day}: {verdict} ({'; '.join(f'{o.step.kind} {o.after}' for o in lane)})")

    # ---- the steps ---------------------------------------------------------------------
    def _rerun(self, outcome: Outcome) -> None:
        step = outcome.step
        running = [b for b in self.coordinator.status()
                   if not b.probe and not b.done and b.game_date == step.day.isoformat()]
        if running:
            batch = running[0]
            outcome.status = "refused"
            outcome.detail = (f"batch {batch.batch_id} of {step.day} is still running ({batch.completed}/"
                              f"{batch.expected}): a second /start would leave duplicate active rows; wait for "
                              f"it to finish (if it stalled: opscheck diagnose stall --batch {batch.batch_id})")
            self.progress.say(f"{step.day} predictions: refused: {outcome.detail}")
            return
        answer = actions.post(self.platform, self.log, step.service, step.path, step.body)
        try:
            batch_id = str(json.loads(answer["body"])["batch_id"])
        except (ValueError, KeyError, TypeError):
            raise GatewayError(f"{step.service} {step.path}: answered without a batch_id: "
                               f"{answer['body'][:200]!r}") from None
        self._watch(outcome, batch_id)

    def _watch(self, outcome: Outcome, batch_id: str) -> None:
        """Follow batch `batch_id` to N/N, a stall, or a stop; the tracker's word held against rows landed."""
        step, probes, every = outcome.step, self.config.probes, self.config.backfill.rows_every_seconds
        label, started = f"{step.day} predictions {batch_id}", time.monotonic()
        landed, read_at, completed = 0, float("-inf"), 0
        held = Suspicion(probes.tracker_grace_seconds)
        while True:
            batch = next((b for b in self.coordinator.status() if b.batch_id == batch_id), None)
            if batch is None:
                self._stalled(outcome, batch_id, label, "vanished from the coordinator's tracker")
                return
            if batch.completed > completed:
                completed, self._moved_at[batch_id] = batch.completed, time.monotonic()
            if batch.done or time.monotonic() - read_at >= every:  # a query: not at every poll
                landed, read_at = self.coordinator.landed((batch,)).get(batch_id, 0), time.monotonic()
            line = batch_line(label, batch, landed, time.monotonic() - started)
            if batch.done:
                outcome.status, outcome.seconds = "done", _tracked(batch)
                self.progress.finish(batch_id, f"{line}: done in {outcome.seconds:.0f}s")
                return
            now = self.config.now()
            if landed > batch.completed:  # workers write before they report: only rows settled past the grace count
                landed = self.coordinator.landed(
                    (batch,), before=now - dt.timedelta(seconds=probes.tracker_grace_seconds)).get(batch_id, 0)
            why = batch.stall(now, landed, probes)
            if why is not None and landed <= batch.completed and self._others_moving(batch_id):
                why = None  # its requests wait behind a sibling batch's on the one push subscription
            why = held.confirm(why, batch.completed, time.monotonic())
            if why is not None:
                self.progress.finish(batch_id, line)
                self._stalled(outcome, batch_id, label, why)
                return
            self.progress.show(batch_id, line)
            if self.stop.wait(self.config.backfill.poll_seconds):
                outcome.status = "interrupted"
                outcome.detail = (f"batch {batch_id} started and left running at {batch.completed}/{batch.expected} "
                                  "(not watched to its end, not verified)")
                self.progress.finish(batch_id, f"{line}: left running")
                return

    def _others_moving(self, batch_id: str) -> bool:
        """Whether another batch of this backfill progressed within stall_zero_seconds: delivery works."""
        recent = time.monotonic() - self.config.probes.stall_zero_seconds
        return any(moved > recent for other, moved in list(self._moved_at.items()) if other != batch_id)

    def _stalled(self, outcome: Outcome, batch_id: str, label: str, why: str) -> None:
        """A stall stops the whole backfill: the next batch would stall the same way. The diagnosis says why."""
        self.halted.set()
        findings = diagnosis.diagnose(diagnosis.Suspects.of(self.platform, batch_id))
        self.findings = findings
        outcome.status = "stalled"
        outcome.detail = f"batch {batch_id} {why}; {diagnosis.lead(findings)}"
        self.progress.say(f"{label}: STALLED {why}")

    def _materialize(self, outcome: Outcome) -> None:
        step = outcome.step
        started = time.monotonic()
        answer = actions.post(self.platform, self.log, step.service, step.path, step.body)
        outcome.status, outcome.seconds = "done", time.monotonic() - started
        picks = _field(answer["body"], "picks")
        self.progress.say(f"{step.day} subsets: materialized ({picks} picks) in {outcome.seconds:.1f}s")


@dataclasses.dataclass
class Suspicion:
    """A stall verdict stands only once it held for `hold_seconds` while the tracker did not move.

    One reading is not enough on a busy machine: a worker stamps its row, the insert commits seconds later
    and its `/complete` follows, so for a moment a healthy batch has more rows landed than its tracker
    counts (CI saw 41 rows at 40/48). A stuck tracker stays stuck; a counting one moves within the grace.
    """

    hold_seconds: float
    since: float | None = None
    completed: int = -1

    def confirm(self, why: str | None, completed: int, at: float) -> str | None:
        """`why` if it has held since `hold_seconds` before `at` with the tracker at `completed`; else None."""
        if why is None:
            self.since = None
            return None
        if self.since is None or completed != self.completed:
            self.since, self.completed = at, completed
        return why if at - self.since >= self.hold_seconds else None


def _tracked(batch: Batch) -> float:
    """The batch's own time by its tracker: started to last progress."""
    return max(0.0, (batch.updated_at - batch.started_at).total_seconds())


def _field(body: str, key: str) -> str:
    try:
        return str(json.loads(body)[key])
    except (ValueError, KeyError, TypeError):
        return "?"


def may_apply(session: Session) -> None:
    """Refuse to act from an offline or record session: a replay cannot be repaired, a recording holds no writes."""
    if session.mode != "live":
        where = f"scenario {session.scenario.name}" if session.scenario else session.mode
        raise OpscheckError(f"--apply in {session.mode} mode ({where}): a backfill is only planned from a "
                            "recording; apply it live (--mode live, or --target sandbox for the local platform)")


def apply(session: Session, plan: Plan, *, concurrency: int = 1, progress: Progress | None = None,
          stop: threading.Event | None = None, subsets: Sequence[str] = ()) -> Applied:
    """Apply `plan` live (what `opscheck backfill --apply` does, for a scheduler or pipeline to call).

    No confirmation is asked here: the caller decided. Offline or record sessions are refused (may_apply);
    `stop`, when set, ends it after the request in flight.
    """
    may_apply(session)
    most = session.config.backfill.max_concurrency
    if not 1 <= concurrency <= most:
        raise OpscheckError(f"--concurrency {concurrency}: give 1 to {most} (backfill.max_concurrency)")
    applier = Applier(session, plan, progress or Progress(), stop or threading.Event(), subsets)
    return applier.run(concurrency)
