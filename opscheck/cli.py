"""`opscheck`: the command line (the local platform; governance commands follow).

Errors opscheck raises on purpose print as one line and exit 2; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from opscheck.errors import OpscheckError

STATE_ENV = "OPSCHECK_SANDBOX_DIR"


def sandbox_dir() -> Path:
    """The local platform's state folder: $OPSCHECK_SANDBOX_DIR, else `.sandbox` here."""
    return Path(os.environ.get(STATE_ENV) or Path.cwd() / ".sandbox")


def _sandbox(args: argparse.Namespace) -> int:
    from opscheck.sandbox import faults
    from opscheck.sandbox.local import LocalPlatform

    if args.action == "break" and args.list:
        for fault in faults.FAULTS.values():
            print(f"{fault.name:28} {fault.summary}")
        return 0
    platform = LocalPlatform(sandbox_dir(), args.seed)
    if args.action == "up":
        print(platform.up())
        print(f"configuration overlay: {platform.target_file} (use `pytest --target sandbox`)")
    elif args.action == "down":
        print(platform.down())
    elif args.action == "status":
        status = platform.status()
        if not status:
            print("not running")
            return 1
        for name, info in status.items():
            state = "up" if info["alive"] else "DEAD"
            print(f"{name:24} {state:5} pid {info['pid']:<8} port {info['port']}")
        print(f"faults: {', '.join(platform.faults) or 'none'}")
        return 0 if platform.is_up() else 1
    elif args.action == "seed":
        print(platform.down())
        print(platform.up())
    elif args.action == "break":
        if not args.fault:
            raise OpscheckError("opscheck sandbox break: name a fault (see `--list`)")
        print(json.dumps(faults.inject(platform, args.fault)))
    elif args.action == "heal":
        print(f"healed: {', '.join(faults.heal(platform)) or 'nothing was broken'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opscheck", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sandbox = commands.add_parser("sandbox", help="the local platform on real emulators")
    sandbox.add_argument("action", choices=["up", "status", "down", "seed", "break", "heal"])
    sandbox.add_argument("fault", nargs="?", help="with `break`: the fault to inject")
    sandbox.add_argument("--list", action="store_true", help="with `break`: list the faults")
    sandbox.add_argument("--seed", type=int, default=7, help="seed number of the season slice")
    sandbox.set_defaults(handler=_sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except OpscheckError as exc:
        print(f"opscheck: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
