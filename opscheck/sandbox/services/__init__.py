"""The platform's Cloud Run services, as real HTTP processes on loopback.

A tiny router over the standard library's threading HTTP server: each service
is a module exposing `build() -> App`; `python -m opscheck.sandbox.services
NAME PORT` serves it. Threads matter: Pub/Sub pushes several requests at once,
and the coordinator hears from workers while it publishes.

A service logs as Cloud Run services do: one JSON object a line on stdout, with `severity`,
`message` and `time`, which Cloud Logging turns into an entry's jsonPayload with that severity
(https://cloud.google.com/run/docs/logging#writing_structured_logs). The Logging stand-in serves
those lines; a handler that raises is logged at ERROR with the reason and answers 500.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Response = tuple[int, Any]
Handler = Callable[[dict[str, Any], re.Match[str]], Response]


class App:
    """Routes (method, path regex) to handlers taking the JSON body and the match."""

    def __init__(self, name: str, denied: dict[str, Any] | None = None) -> None:
        self.name = name
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._denied = denied  # the body a refused caller gets (None: Cloud Run's own "Forbidden" for a service)

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append((method, re.compile(f"^{pattern}$"), handler))
            return handler

        return register

    def dispatch(self, method: str, path: str, body: dict[str, Any]) -> Response:
        if os.environ.get("SANDBOX_DENY") == "1":  # IAM in front of the service refuses the caller
            return 403, self._denied or {"error": f"Forbidden: Your client does not have permission to get URL "
                                                  f"{path} from this server."}
        for verb, pattern, handler in self._routes:
            match = pattern.match(path.split("?", 1)[0])
            if verb == method and match:
                try:
                    return handler(body, match)
                except Exception as exc:  # a 500 with the reason, and the reason in the log
                    self.log("ERROR", f"{method} {path.split('?', 1)[0]} failed: {type(exc).__name__}: {exc}")
                    return 500, {"error": f"{type(exc).__name__}: {exc}"}
        return 404, {"error": f"no route {method} {path}"}

    def log(self, severity: str, message: str, **fields: Any) -> None:
        """One structured log line (stamped with the platform's clock, as its rows are)."""
        from opscheck.sandbox import clients

        line(json.dumps({"severity": severity, "message": message, "time": clients.now().isoformat(),
                         "service": self.name, **fields}))

    def serve(self, port: int) -> None:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    status, payload = 400, {"error": "body is not JSON"}
                else:
                    if "?" in self.path and isinstance(body, dict):  # a GET's parameters, for routes that read them
                        body = {**body, "_query": dict(urllib.parse.parse_qsl(self.path.split("?", 1)[1]))}
                    status, payload = app.dispatch(method, self.path, body)
                data = b"" if status == 204 else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                # Timestamped (UTC): the Monitoring stand-in counts the worker's push responses from it.
                line(f"{dt.datetime.now(dt.UTC).isoformat(timespec='milliseconds')} {app.name}: {format % args}")

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        print(f"{self.name} listening on 127.0.0.1:{port}", flush=True)
        server.serve_forever()


_WRITING = threading.Lock()


def line(text: str) -> None:
    """One whole line on stdout (the service's log), flushed. The handler threads log at once: print() writes the
    text and its newline separately, so two threads could leave two JSON entries on one line, which the Logging
    stand-in cannot read (an error that is never counted)."""
    with _WRITING:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def health(app: App) -> None:
    """`GET /health`: the process is up (what Cloud Run's startup probe sees)."""

    @app.route("GET", "/health")
    def _health(body: dict[str, Any], match: re.Match[str]) -> Response:
        return 200, {"status": "ok", "service": app.name}
