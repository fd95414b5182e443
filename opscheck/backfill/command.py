"""`opscheck backfill [predictions | subsets | all] [--date D | --dates A..B] [--subset NAME] [--apply]`.

Without `--apply`, a dry run: it prints the steps (ordered, each with why and the call) and calls
nothing. With it, the steps run (apply.py) and a table says, per date and step, before → after and
whether the date now passes. On Google Cloud it first asks, naming the project and the plan (`--yes`
for pipelines). Exit 0 nothing to backfill or everything repaired and verified, 1 work to do (a dry run,
a stall, a step refused or not verified), 2 cannot plan or may not apply, 130 stopped by Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from opscheck.backfill.apply import OK, WORK, Applied, apply, may_apply
from opscheck.backfill.plan import WHATS, Plan, dates, plan
from opscheck.backfill.progress import Progress
from opscheck.errors import OpscheckError
from opscheck.reports.evidence import render_table
from opscheck.session import Session
from opscheck.signals import sigint_stops

CANNOT = 2
SessionOf = Callable[[argparse.Namespace], AbstractContextManager[Session]]


def run(session: Session, args: argparse.Namespace) -> int:
    if args.date and args.dates:
        raise OpscheckError(f"--date {args.date} and --dates {args.dates}: give one of them")
    if args.apply:
        may_apply(session)
    days = dates(args.dates or args.date or session.today.isoformat(), session.today, session.config.run.max_dates)
    made = plan(session, days, args.what, args.subset or ())
    for note in made.notes:
        print(f"not planned: {note}")
    if made.empty:
        print(f"nothing to backfill for {made.span}" + (" (but see above)" if made.notes else ""))
        return OK
    print(render_table([{"#": i, **step.row()} for i, step in enumerate(made.steps, 1)]))
    if not args.apply:
        print(f"dry run: {len(made.steps)} step(s) for {made.span}; nothing was called "
              "(--apply runs them, or run each call above in order)")
        return WORK
    if session.target == "gcp" and not args.yes and not confirmed(session, made):
        return CANNOT
    progress = Progress()
    with sigint_stops(threading.Event(), "Ctrl-C: stopping after the request in flight (Ctrl-C again to stop at "
                                         "once)") as stop:
        applied = apply(session, made, concurrency=args.concurrency, progress=progress, stop=stop,
                        subsets=args.subset or ())
    report(applied)
    return applied.exit_code


def confirmed(session: Session, made: Plan) -> bool:
    """On Google Cloud, the person types the project's id after reading the plan; a pipeline passes --yes."""
    project = session.config.gcp.project
    if not sys.stdin.isatty():
        print(f"--apply on project {project}: confirmation needed and no terminal to ask on: pass --yes "
              "(nothing was called)", file=sys.stderr)
        return False
    calls = sorted({f"{s.service} {s.path}" for s in made.steps})
    answer = input(f"apply these {len(made.steps)} steps for {made.span} to project {project} "
                   f"({', '.join(calls)})? type the project id to go on: ")
    if answer.strip() != project:
        print(f"not confirmed ({answer.strip() or 'nothing'} typed, not {project}): nothing was called",
              file=sys.stderr)
        return False
    return True


def report(applied: Applied) -> None:
    """The before → after table, the diagnosis of a stall, and one line saying what is left."""
    print(render_table([o.row() for o in applied.outcomes]))
    if applied.findings:
        print("stall diagnosis (most likely first):")
        print(render_table([f.row() for f in applied.findings]))
    done = [o for o in applied.outcomes if o.status == "done"]
    left = [o for o in applied.outcomes if o.status != "done"]
    unverified = [o for o in done if not o.verified]
    head = "interrupted: " if applied.interrupted else ""
    print(f"{head}{len(done)} of {len(applied.outcomes)} step(s) done, {len(done) - len(unverified)} verified"
          + (f"; not done: {', '.join(f'{o.step.day} {o.step.kind} ({o.status})' for o in left)}" if left else "")
          + ("; `opscheck backfill` again plans what is left" if left or unverified else ""))


def install(commands: Any, session_options: Callable[[argparse.ArgumentParser], None], session_of: SessionOf) -> None:
    parser = commands.add_parser("backfill", help="plan the repairs the checks ask for (/start and /materialize "
                                                  "per date, in order); --apply runs and verifies them")
    parser.add_argument("what", nargs="?", choices=WHATS, default="all", help="what to repair (default: all)")
    parser.add_argument("--date", help="one date (default: today)")
    parser.add_argument("--dates", help="a range A..B, oldest first")
    parser.add_argument("--subset", action="append", help="only these subsets count as missing (repeatable)")
    parser.add_argument("--apply", action="store_true", help="run the plan: watch each batch, verify each date")
    parser.add_argument("--yes", action="store_true", help="with --apply on Google Cloud: do not ask")
    parser.add_argument("--concurrency", type=int, default=1, metavar="N", help="batches side by side (default 1)")
    session_options(parser)

    def handler(args: argparse.Namespace) -> int:
        with session_of(args) as session:
            return run(session, args)

    parser.set_defaults(handler=handler)
