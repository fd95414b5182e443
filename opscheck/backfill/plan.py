"""The backfill plan: what to rerun for a range of dates, in order, each step with why and the call.

Read from the same views the checks judge (Predictions, Subsets), so a date the checks fail is a date
the plan repairs, and a second plan after the repair is empty. Nothing here calls a service.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Collection, Sequence
from typing import Any, Literal

from opscheck.errors import OpscheckError
from opscheck.session import Session
from opscheck.views import Predictions, Subsets, Views
from opscheck.views.base import Days, between

What = Literal["predictions", "subsets", "all"]
WHATS: tuple[What, ...] = ("predictions", "subsets", "all")


@dataclasses.dataclass(frozen=True)
class Step:
    """One call that repairs one date, with why (as the checks would say it) and the date's state before."""

    day: dt.date
    kind: Literal["predictions", "subsets"]
    why: str
    service: str
    path: str
    body: dict[str, Any]
    before: str  # the date's state as the views read it before the repair ("24/48 active", "missing: a, b")
    waits_for: str | None = None  # the step of the same date that must be done first

    def row(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "step": self.kind, "why": self.why,
                "call": f"POST {self.path} {json.dumps(self.body)} on {self.service}"
                        + (f" (after {self.waits_for})" if self.waits_for else "")}


@dataclasses.dataclass(frozen=True)
class Plan:
    """The steps for a range of dates, ordered by date and, within a date, predictions before subsets."""

    first: dt.date
    last: dt.date
    steps: list[Step]
    notes: list[str]  # dates that cannot be backfilled from here, and why

    @property
    def empty(self) -> bool:
        return not self.steps

    @property
    def span(self) -> str:
        return f"{self.first}..{self.last}" if self.first != self.last else str(self.first)


@dataclasses.dataclass(frozen=True)
class Gaps:
    """One date's subsets the picks check fails: without picks, or whose picks name replaced predictions."""

    missing: frozenset[str] = frozenset()
    stale: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale)

    def __or__(self, other: Gaps) -> Gaps:
        return Gaps(self.missing | other.missing, self.stale | other.stale)

    def describe(self, otherwise: str) -> str:
        parts = [f"{what}: {', '.join(sorted(names))}" for what, names in
                 (("missing", self.missing), ("picks of replaced predictions", self.stale)) if names]
        return "; ".join(parts) or otherwise


def gaps(picks: Subsets, day: dt.date, wanted: Collection[str]) -> dict[dt.date, Gaps]:
    """The gaps of every date of `day`'s look-back window (what its subsets checks judge), by date."""
    found: dict[dt.date, Gaps] = {}
    pairs = [(date, Gaps(missing=frozenset([subset]))) for date, subset in picks.missing(day)]
    pairs += [(r["game_date"], Gaps(stale=frozenset([r["subset_name"]]))) for r in picks.stale(day)]
    for date, gap in pairs:
        if gap.missing <= set(wanted) and gap.stale <= set(wanted):
            day_of = dt.date.fromisoformat(date)
            found[day_of] = found.get(day_of, Gaps()) | gap
    return found


def judge(session: Session, day: dt.date, kind: str, subsets: Sequence[str] = ()) -> tuple[str, bool]:
    """What a `kind` step of `day` repairs, read afresh by the views its checks read; and whether it passes.

    Fresh views (no answer remembered from before the repair), reading only what that kind's checks
    read: test_predictions_landed's active predictions against the floor, or the subsets checks' picks
    (none, or naming replaced predictions) of the configured subsets.
    """
    views = Views(session.platform, Days.of([day]))
    if kind == "predictions":
        predictions = views.get(Predictions)
        active = predictions.active_players(day)
        return _active(active, predictions.expected(day).players_with_lines), active >= predictions.floor(day)
    found = gaps(views.get(Subsets), day, subsets or session.config.subsets.names).get(day, Gaps())
    return found.describe("every subset picked from active predictions"), not found


def _active(active: int, players: int) -> str:
    return f"{active}/{players} active"


def dates(value: str, today: dt.date, most: int) -> list[dt.date]:
    """`--dates A..B` (or one date) checked: ordered, not after today, no longer than `most` days."""
    from opscheck.governance import parse_date

    first_text, sep, last_text = value.partition("..")
    try:
        first = parse_date(first_text)
        last = parse_date(last_text) if sep else first
    except ValueError as exc:
        raise OpscheckError(f"--dates {value}: {exc} (write A..B, like 2026-02-01..2026-02-09)") from None
    if last < first:
        raise OpscheckError(f"--dates {value}: {last} is before {first}: write the range oldest first, "
                            f"{last}..{first}")
    if last > today:
        raise OpscheckError(f"--dates {value}: {last} is after today ({today}): nothing is due yet to backfill")
    span = between(first, last)
    if len(span) > most:
        raise OpscheckError(f"--dates {value} spans {len(span)} days, more than run.max_dates ({most}): split it")
    return span


def plan(session: Session, days: Sequence[dt.date], what: What = "all", subsets: Sequence[str] = ()) -> Plan:
    """The steps that repair `days`; `subsets` narrows which missing subsets count (default: every one)."""
    config = session.config
    unknown = sorted(set(subsets) - set(config.subsets.names))
    if unknown:
        raise OpscheckError(f"--subset {unknown[0]}: not a configured subset (subsets.names: "
                            f"{', '.join(config.subsets.names)})")
    wanted = set(subsets or config.subsets.names)
    if what != "predictions" and config.services.materializer not in config.services.others:
        raise OpscheckError(f"services.materializer ({config.services.materializer}) is not one of services.others "
                            f"({', '.join(config.services.others)}): name the service that makes the subset picks")
    views = Views(session.platform, Days.of(list(days)))
    predictions, picks = views.get(Predictions), views.get(Subsets)
    coordinator, materializer = config.services.coordinator, config.services.materializer
    reruns: dict[dt.date, Step] = {}
    notes: list[str] = []
    for day in days if what in ("predictions", "all") else ():
        expected = predictions.expected(day)
        if not expected.games:
            continue
        active, floor = predictions.active_players(day), predictions.floor(day)
        if not expected.players_with_lines:
            notes.append(f"{day}: {expected.games} games and no prop lines: /start would predict no one; "
                         "repair the scrapers first")
        elif active < floor:
            why = (f"{active} of {expected.players_with_lines} players with lines have an active prediction "
                   f"(at least {floor} expected)" if active else "no active prediction")
            reruns[day] = Step(day, "predictions", why, coordinator, "/start", {"game_date": day.isoformat()},
                               _active(active, expected.players_with_lines))
    # What the subsets checks of each date judge: its whole look-back window, so dates before the range count.
    missing: dict[dt.date, Gaps] = {}
    for day in days if what in ("subsets", "all") else ():
        for date, gap in gaps(picks, day, wanted).items():
            missing[date] = missing.get(date, Gaps()) | gap
    steps: list[Step] = []
    for day in sorted(set(reruns) | set(missing)):
        if day in reruns:
            steps.append(reruns[day])
            if what == "all":
                steps.append(Step(day, "subsets", "its picks are made from the predictions being rerun",
                                  materializer, "/materialize", _range(day),
                                  missing.get(day, Gaps()).describe("picked from the partial run"),
                                  waits_for=f"predictions of {day}"))
                continue
        if day in missing:
            told = missing[day].describe("")
            steps.append(Step(day, "subsets", told, materializer, "/materialize", _range(day), told))
    return Plan(days[0], days[-1], steps, notes)


def _range(day: dt.date) -> dict[str, str]:
    return {"start_date": day.isoformat(), "end_date": day.isoformat()}

