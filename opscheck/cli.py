"""`opscheck`: the command line: the local platform, and the model-governance commands.

Exit codes: 0 ok; 1 drift, a failed check or a refusal; 2 opscheck could not
run (bad input, configuration, credentials, an unreachable endpoint). Errors
opscheck raises on purpose print as one line; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from opscheck import config as configuration
from opscheck import governance
from opscheck.backfill import command as backfill
from opscheck.errors import OpscheckError
from opscheck.governance import commands
from opscheck.governance.commands import Refused, SyncResult
from opscheck.history import commands as remembered
from opscheck.platform import Platform
from opscheck.replay import offline
from opscheck.reports import junit
from opscheck.reports.evidence import render_table
from opscheck.session import MODES, TARGETS, Options, Session, open_session, save_recording

if TYPE_CHECKING:  # the local platform is imported by the commands that use it, not by every command
    from opscheck.sandbox.lifecycle import Sandbox

OK, DRIFT, CANNOT_RUN = 0, 1, 2
INTERRUPTED = 130  # the shell's convention for Ctrl-C


class UsageError(OpscheckError):
    """The command line itself is wrong (exit 2, one line)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the fix, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _whole_number(value: str, least: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = least - 1
    if number < least:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number {least} or more")
    return number


def seed_number(value: str) -> int:
    """`--seed`: a whole number 0 or more (the season's random numbers derive from it)."""
    return _whole_number(value, 0)


def feature_number(value: str) -> int:
    """`registry name --features`: 1 or more (the manifest refuses a name encoding 0 features)."""
    return _whole_number(value, 1)


# ---- the local platform --------------------------------------------------------
def _sandbox(args: argparse.Namespace) -> int:
    from opscheck.sandbox import faults, lifecycle

    if args.action == "break" and args.list:
        for fault in sorted(faults.FAULTS.values(), key=lambda f: f.name):
            print(f"{fault.name:28} {fault.summary}")
        return OK
    if args.all:
        return _every_platform(args.action, lifecycle.known())
    platform = lifecycle.Sandbox(configuration.sandbox_dir(Path.cwd()), args.seed)
    if args.action == "up":
        print(platform.up())
        print(f"configuration overlay: {platform.target_file} (use `pytest --target sandbox`)")
    elif args.action == "down":
        print(platform.down())
    elif args.action == "status":
        status = platform.status()
        if not status:
            print("not running")
            return DRIFT
        for name, info in status.items():
            state = "up" if info["alive"] else "DEAD"
            print(f"{name:24} {state:5} pid {info['pid']:<8} port {info['port']}")
        print(f"faults: {', '.join(platform.faults) or 'none'}")
        return OK if platform.is_up() else DRIFT
    elif args.action == "seed":
        print(platform.down())
        print(platform.up())
    elif args.action == "break":
        if not args.fault:
            raise UsageError("opscheck sandbox break: name a fault (see `--list`)")
        print(json.dumps(faults.inject(platform, args.fault)))
    elif args.action == "heal":
        print(f"healed: {', '.join(faults.heal(platform)) or 'nothing was broken'}")
    return OK


def _every_platform(action: str, platforms: Sequence[Sandbox]) -> int:
    """`status --all` / `down --all`: every platform opscheck started on this machine, wherever its state is."""
    if action not in ("status", "down"):
        raise UsageError(f"opscheck sandbox {action}: --all goes with `status` or `down`")
    if not platforms:
        print("no platform is running")
        return DRIFT if action == "status" else OK
    for platform in platforms:
        if action == "down":
            print(f"{platform.state_dir}: {platform.down()}")
        else:
            alive = sum(info["alive"] for info in platform.status().values())
            print(f"{platform.state_dir}: {'up' if platform.is_up() else 'PARTIAL'}, {alive} processes alive")
    return OK


# ---- governance ------------------------------------------------------------------
@contextlib.contextmanager
def _session(args: argparse.Namespace) -> Iterator[Session]:
    """The session a command runs in, resolved as the checks resolve theirs; offline opens no socket.

    In record mode the calls it made are merged into the scenario when it ends,
    as a checks run's are, so `opscheck diagnose stall` replays offline too.
    """
    overrides = {"repo": {"path": str(args.platform_repo.resolve())}} if args.platform_repo else None
    session = open_session(Options(config_path=args.opscheck_config, env=args.env, mode=args.mode,
                                   target=args.target, scenario=args.scenario, recordings=args.recordings,
                                   root=Path.cwd()), overrides)
    print(session.banner(), file=sys.stderr)
    if session.mode == "offline":
        offline.enable()
    try:
        yield session
        saved = save_recording(session)
        if saved is not None:
            print(saved, file=sys.stderr)
    finally:
        offline.disable()


def checkout_folder(value: str) -> Path:
    """`--platform-repo`: an existing folder (a typo must not read as "no checkout given")."""
    from opscheck.platform.checkout import folder_problem

    problem = folder_problem(given_path(value))
    if problem:
        raise argparse.ArgumentTypeError(f"{value}: {problem}")
    return Path(value)


def iso_date(value: str) -> dt.date:
    """`--start`/`--end`: an ISO date of 2000-2099, or a one-line usage error."""
    try:
        return governance.parse_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def iso_timestamp(value: str) -> dt.datetime:
    """`--created`: an ISO timestamp; without an offset it is taken as UTC."""
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a timestamp like 2026-02-01T01:10:18Z") from None
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    try:
        return governance.parse_timestamp(stamp)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _window(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    if args.end < args.start:
        raise UsageError(f"--end {args.end} is before --start {args.start}")
    return args.start, args.end


def _registry(args: argparse.Namespace) -> int:
    if args.action == "name":
        start, end = _window(args)
        created = args.created or dt.datetime.now(dt.UTC).replace(microsecond=0)
        print(governance.model_file_name(args.features, start, end, created))
        return OK
    if args.action == "guard":
        _window(args)
    with _session(args) as session:
        platform = session.platform
        if args.action == "sync":
            return _sync(commands.sync(platform, apply=args.apply), args.apply)
        if args.action == "list":
            print(render_table(commands.listing(platform)))
            return OK
        if args.action == "claude-md":
            return _claude_md(args, platform)
        verdict = commands.guard(platform, args.start, args.end, force=args.force)
        if verdict.same:
            print(f"warning: --force: training window {args.start} .. {args.end} already produced "
                  + "; ".join(governance.describe(m) for m in verdict.same), file=sys.stderr)
        for model in verdict.overlapping:
            print(f"warning: overlaps {governance.describe(model)}", file=sys.stderr)
        print(f"ok: no model was trained on {args.start} .. {args.end}" if not verdict.same
              else f"forced: training {args.start} .. {args.end} again")
        return OK


def _sync(result: SyncResult, applied: bool) -> int:
    before = result.before
    if before.empty:
        print(f"registry matches the manifest ({len(before.wanted)} models): nothing to write")
        return OK
    print(render_table(before.table()))
    if not applied:
        print(f"dry run: {len(before.writes)} row(s) would be written; run again with --apply to write them")
        return DRIFT
    if before.writes:
        print(f"wrote {len(before.writes)} row(s) in one MERGE ({result.written} affected)")
    else:
        print("nothing to write: every model of the manifest is in the registry as the manifest says")
    if before.missing:
        print("left alone (the manifest does not list them; remove them by hand if they are wrong): "
              + ", ".join(str(r.get("model_file")) for r in before.missing))
    return OK if result.in_sync else DRIFT


def _claude_md(args: argparse.Namespace, platform: Platform) -> int:
    if args.check:
        diff = commands.check_doc(platform, args.check)
        if diff:
            print(diff, end="")
            return DRIFT
        print(f"{args.check}: MODEL section matches the manifest")
        return OK
    if args.write:
        changed = commands.write_doc(platform, args.write)
        print(f"{args.write}: MODEL section {'rewritten' if changed else 'already matches the manifest'}")
        return OK
    print(commands.model_section(platform))
    return OK


# ---- the parser --------------------------------------------------------------
def given(value: str) -> str:
    """A value that must not be empty: `--env ""` (an unset pipeline variable) is not "no environment"."""
    if not value.strip():
        raise argparse.ArgumentTypeError("is empty: give a value, or leave the option out")
    return value


def given_path(value: str) -> Path:
    """A path that must not be empty: Path("") is the current folder, which nobody meant."""
    return Path(given(value))


def _session_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=MODES, help="live, offline (replay a scenario) or record")
    parser.add_argument("--target", choices=TARGETS, help="gcp or the local platform (sandbox)")
    parser.add_argument("--env", type=given, help="named environment of opscheck.toml ([env.NAME])")
    parser.add_argument("--scenario", type=given, help="recorded scenario to replay offline")
    parser.add_argument("--recordings", type=given_path, help="folder holding the scenarios")
    parser.add_argument("--opscheck-config", type=given_path, help="path of opscheck.toml")
    parser.add_argument("--platform-repo", type=checkout_folder, help="a checkout of the platform's repository")


def _diagnose(args: argparse.Namespace) -> int:
    from opscheck.delivery import diagnosis, morning
    from opscheck.views import Views

    if args.what == "stall" and args.date is not None:
        raise UsageError("--date is for `diagnose morning`; a stall is named by --batch")
    if args.what == "morning" and args.batch is not None:
        raise UsageError("--batch is for `diagnose stall`; the morning is named by --date")
    with _session(args) as session:
        if args.what == "morning":
            day = args.date or session.today
            if day > session.today:
                raise UsageError(f"--date {day} is after today ({session.today}): no morning run has happened for it")
            findings = morning.diagnose(morning.Morning.of(session.platform, Views.of(session.platform, day),
                                                           now=session.as_of), day)
            if not findings:
                print(f"{day}: nothing to diagnose: the predictions landed (or no games were due), no more errors "
                      "were logged than usual, and no build of the expected commit failed")
                return OK
        else:
            findings = diagnosis.diagnose(diagnosis.Suspects.of(session.platform, args.batch, now=session.as_of))
    if not findings:
        print(diagnosis.lead(findings))
        return OK
    print(render_table([{"rank": i, **f.row()} for i, f in enumerate(findings, 1)]))
    print(morning.lead(findings) if args.what == "morning" else diagnosis.lead(findings))
    return DRIFT


def _doctor(args: argparse.Namespace) -> int:
    from opscheck import doctor

    with _session(args) as session:
        if session.mode != "live":
            raise UsageError("doctor checks live access: run it with --mode live (or --target sandbox)")
        rows = doctor.examine(session.platform)
    print(render_table([r.show() for r in rows]))
    failed = [r for r in rows if not r.ok]
    print(f"{len(failed)} problem(s): fix them before the first live run" if failed else "everything reachable")
    return DRIFT if failed else OK


def _summary(args: argparse.Namespace) -> int:
    """Exit 0 only when the run passed: a failed run, or one where nothing ran, is not a green summary."""
    verdict, text = junit.junit_summary(args.junit)
    print(text, end="")
    return OK if verdict == "PASS" else DRIFT


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="opscheck", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    diagnose = commands.add_parser("diagnose", help="why delivery stalls, or why the morning's predictions are "
                                                    "missing: ranked causes with evidence")
    diagnose.add_argument("what", choices=["stall", "morning"], help="what to diagnose")
    diagnose.add_argument("--batch", help="stall: the stalled batch's id (GET /status of the coordinator)")
    diagnose.add_argument("--date", type=iso_date, help="morning: the day (default: today)")
    _session_options(diagnose)
    diagnose.set_defaults(handler=_diagnose)
    doctor = commands.add_parser("doctor", help="before a first live run: identity, API access, resources")
    _session_options(doctor)
    doctor.set_defaults(handler=_doctor)
    summary = commands.add_parser("summary", help="a Markdown summary of a run from its JUnit XML")
    summary.add_argument("junit", type=Path, help="the --junitxml file of a checks run")
    summary.set_defaults(handler=_summary)
    sandbox = commands.add_parser("sandbox", help="the local platform on real emulators")
    sandbox.add_argument("action", choices=["up", "status", "down", "seed", "break", "heal"])
    sandbox.add_argument("fault", nargs="?", help="with `break`: the fault to inject")
    sandbox.add_argument("--list", action="store_true", help="with `break`: list the faults")
    sandbox.add_argument("--all", action="store_true",
                         help="with `status`/`down`: every platform opscheck started here, wherever its state folder")
    sandbox.add_argument("--seed", type=seed_number, default=7, help="seed number of the season slice (0 or more)")
    sandbox.set_defaults(handler=_sandbox)

    reg = commands.add_parser("registry", help="model governance: manifest, registry, team doc, names")
    actions = reg.add_subparsers(dest="action", required=True, parser_class=_Parser)
    sync = actions.add_parser("sync", help="diff the registry against the manifest; --apply upserts it")
    sync.add_argument("--apply", action="store_true", help="write (one MERGE); default: dry run")
    actions.add_parser("list", help="the registry as a table, production first")
    doc = actions.add_parser("claude-md", help="the team doc's MODEL section from the manifest")
    mode = doc.add_mutually_exclusive_group()
    mode.add_argument("--check", type=Path, metavar="FILE", help="exit 1 with a diff when FILE's section differs")
    mode.add_argument("--write", type=Path, metavar="FILE", help="rewrite FILE's section (append if none)")
    guard = actions.add_parser("guard", help="before training: refuse a window that already has a model")
    guard.add_argument("--force", action="store_true", help="train it anyway (warns)")
    name = actions.add_parser("name", help="the conventional model file name")
    name.add_argument("--features", type=feature_number, default=governance.DEFAULT_FEATURES, help="feature count")
    name.add_argument("--created", type=iso_timestamp, help="creation time (default: now, UTC)")
    for sub in (guard, name):
        sub.add_argument("--start", type=iso_date, required=True, help="training start YYYY-MM-DD")
        sub.add_argument("--end", type=iso_date, required=True, help="training end YYYY-MM-DD")
    for sub in (sync, actions.choices["list"], doc, guard, name):
        _session_options(sub)
    reg.set_defaults(handler=_registry)
    remembered.install(commands, _session_options, _session, iso_date)
    backfill.install(commands, _session_options, _session)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        code: int = args.handler(args)
    except OpscheckError as exc:
        print(f"opscheck: {exc}", file=sys.stderr)
        return DRIFT if isinstance(exc, Refused) else CANNOT_RUN
    except KeyboardInterrupt:
        # Cleaned up already. One more Ctrl-C would now land in the interpreter's shutdown, after it has
        # put SIGINT back to the default: a kill instead of exit 130, or a traceback from an atexit hook.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("opscheck: interrupted (anything it had started is stopped again)", file=sys.stderr)
        return INTERRUPTED
    return code


if __name__ == "__main__":
    sys.exit(main())
