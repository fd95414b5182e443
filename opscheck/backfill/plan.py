"""The backfill plan: what to rerun for a range of dates, in order, each step with why and the call.

Read from the same views the checks judge (Predictions, Subsets), so a date the checks fail is a date
the plan repairs, and a second plan after the repair is empty. Nothing here calls a service.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, Literal

from opscheck.errors import OpscheckError
from opscheck.session import Session
from opscheck.views import Predictions, Subsets, Views
from opscheck.views.base import Days, between

What = Literal["predictions", "subsets", "all"]
WHATS: tuple[What, ...] = ("predictions", "subsets", "all")


@dataclasses.dataclass(frozen=True)
class Step:
    day: dt.date
    kind: Literal["predictions", "subsets"]
    why: str
    service: str
    path: str
    body: dict[str, Any]
    after: str | None = None  # the step it waits for

    def row(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "step": self.kind, "why": self.why,
                "call": f"POST {self.path} {json.dumps(self.body)} on {self.service}"
                        + (f" (after {self.after})" if self.after else "")}


@dataclasses.dataclass(frozen=True)
class Plan:
    first: dt.date
    last: dt.date
    steps: list[Step]
    notes: list[str]  # dates that cannot be backfilled from here, and why

    @property
    def empty(self) -> bool:
        return not self.steps


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
            reruns[day] = Step(day, "predictions", why, coordinator, "/start", {"game_date": day.isoformat()})
    # What the subsets check of each date judges: its whole look-back window, so dates before the range count.
    missing: dict[dt.date, set[str]] = {}
    for day in days if what in ("subsets", "all") else ():
        for date, subset in picks.missing(day):
            if subset in wanted:
                missing.setdefault(dt.date.fromisoformat(date), set()).add(subset)
    steps: list[Step] = []
    for day in sorted(set(reruns) | set(missing)):
        if day in reruns:
            steps.append(reruns[day])
            if what == "all":
                steps.append(Step(day, "subsets", "its picks are made from the predictions being rerun",
                                  materializer, "/materialize", _range(day), after=f"predictions of {day}"))
                continue
        if day in missing:
            steps.append(Step(day, "subsets", f"missing: {', '.join(sorted(missing[day]))}", materializer,
                              "/materialize", _range(day)))
    return Plan(days[0], days[-1], steps, notes)


def _range(day: dt.date) -> dict[str, str]:
    return {"start_date": day.isoformat(), "end_date": day.isoformat()}

