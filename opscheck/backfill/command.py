"""`opscheck backfill [predictions | subsets | all] [--date D | --dates A..B] [--subset NAME]`: the plan.

A dry run: it prints the steps (ordered, each with why and the call) and calls nothing. Exit 0 when
there is nothing to backfill, 1 when there is work, 2 when it cannot plan (bad input, configuration,
an unreadable view).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from opscheck.backfill.plan import WHATS, dates, plan
from opscheck.errors import OpscheckError
from opscheck.reports.evidence import render_table
from opscheck.session import Session

OK, WORK = 0, 1
SessionOf = Callable[[argparse.Namespace], AbstractContextManager[Session]]


def run(session: Session, args: argparse.Namespace) -> int:
    if args.date and args.dates:
        raise OpscheckError(f"--date {args.date} and --dates {args.dates}: give one of them")
    days = dates(args.dates or args.date or session.today.isoformat(), session.today, session.config.run.max_dates)
    made = plan(session, days, args.what, args.subset or ())
    span = f"{made.first}..{made.last}" if made.first != made.last else str(made.first)
    for note in made.notes:
        print(f"not planned: {note}")
    if made.empty:
        print(f"nothing to backfill for {span}" + (" (but see above)" if made.notes else ""))
        return OK
    print(render_table([{"#": i, **step.row()} for i, step in enumerate(made.steps, 1)]))
    print(f"dry run: {len(made.steps)} step(s) for {span}; nothing was called (run each call above in order)")
    return WORK


def install(commands: Any, session_options: Callable[[argparse.ArgumentParser], None], session_of: SessionOf) -> None:
    parser = commands.add_parser("backfill", help="plan the repairs the checks ask for: /start and /materialize per "
                                                  "date, in order (a dry run)")
    parser.add_argument("what", nargs="?", choices=WHATS, default="all", help="what to repair (default: all)")
    parser.add_argument("--date", help="one date (default: today)")
    parser.add_argument("--dates", help="a range A..B, oldest first")
    parser.add_argument("--subset", action="append", help="only these subsets count as missing (repeatable)")
    session_options(parser)

    def handler(args: argparse.Namespace) -> int:
        with session_of(args) as session:
            return run(session, args)

    parser.set_defaults(handler=handler)
