"""The requests a backfill makes to the platform's services, each one written down.

A backfill acts on production: whoever asks next ("who reran Feb 3, and what did the coordinator
say?") finds every request in `backfill.log`, one JSON line each with who, when, what and the answer,
appended and flushed before the next request is made. A request is never cut short by Ctrl-C (its
answer would be lost, and with it whether a batch started): the backfill stops after it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from opscheck.errors import AccessDeniedError, GatewayError, OpscheckError
from opscheck.platform import Platform, auth
from opscheck.platform.http import DENIED, HttpResult, may_not_call


def who(platform: Platform) -> str:
    """The person at the keyboard and the identity opscheck calls the services as."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): the uid says as much
        user = f"uid {os.getuid()}"
    return f"{user} as {auth.identity(platform.config)}"


class ActionLog:
    """Appends one JSON line per request to the configured file (created, with its folder, on first use)."""

    def __init__(self, path: str, actor: str) -> None:
        self.path = Path(path)
        self.actor = actor
        self._lock = threading.Lock()

    def ready(self) -> None:
        """Make sure the log can be written before the first request: an action must never go unrecorded."""
        self._append("")

    def record(self, what: Mapping[str, Any], answer: Mapping[str, Any]) -> None:
        line = json.dumps({"who": self.actor, "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                           "what": dict(what), "answer": dict(answer)}, sort_keys=True, default=str)
        self._append(line + "\n")

    def _append(self, text: str) -> None:
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as log:
                    log.write(text)
                    log.flush()
                    os.fsync(log.fileno())
            except OSError as exc:
                raise OpscheckError(f"backfill.log {self.path}: cannot write the action log ({exc.strerror}): "
                                    "point backfill.log at a writable file; nothing more will be called") from None

    def read(self) -> list[dict[str, Any]]:
        """Every action logged so far (what a test, or the next on-call, reads)."""
        if not self.path.is_file():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]


def post(platform: Platform, log: ActionLog, service: str, path: str, body: Mapping[str, Any]) -> HttpResult:
    """`POST path` on `service`, logged with its answer; a refusal or an error is an exception naming it.

    401 and 403 mean the identity in use may not invoke the service (Cloud Run IAM): said as such,
    with the role that lets it (http.may_not_call).
    """
    config = platform.config
    what = {"service": service, "request": f"POST {path}", "body": dict(body)}
    uri = str(platform.run.service(service)["uri"])
    try:
        answer = platform.http.post(uri, path, body, timeout=config.backfill.request_timeout_seconds)
    except GatewayError as exc:
        log.record(what, {"error": str(exc)})
        raise
    log.record(what, {"status": answer["status"], "body": answer["body"][:500]})
    if answer["status"] in DENIED:
        raise AccessDeniedError(f"{service} {path}: {may_not_call(config, service, answer['status'])}")
    if answer["status"] != 200:
        raise GatewayError(f"{service} {path}: HTTP {answer['status']}: {answer['body'][:200]}")
    return answer
