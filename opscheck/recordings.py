"""Record and replay at the gateway interface.

Why not HTTP cassettes: Pub/Sub is gRPC and BigQuery polls jobs, so wire-level
recordings are brittle. A gateway call is instead stored under its gateway,
operation and canonical arguments, with its JSON result (or the error it
raised). A scenario is a folder: `meta.json` plus one `<gateway>.json` per
gateway, sorted and indented so a person can read and hand-edit it
(docs/recordings.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from opscheck import __version__, shapes
from opscheck.errors import (
    AccessDeniedError,
    BadRequestError,
    ConfigError,
    DataError,
    GatewayError,
    NotFoundError,
    QueryTimeoutError,
    UnreachableError,
    UnresolvedHostError,
)
from opscheck.platform.channel import FileAnswer, Json, checked
from opscheck.signals import sigint_deferred

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
META = "meta.json"
BLOBS = "blobs"
FORMAT = 1
LATENCY_ENV = "OPSCHECK_REPLAY_LATENCY_MS"
ERRORS: dict[str, type[GatewayError]] = {
    cls.__name__: cls for cls in (GatewayError, NotFoundError, BadRequestError, UnreachableError,
                                  UnresolvedHostError, AccessDeniedError, QueryTimeoutError, DataError)
}


class RecordingMissing(GatewayError):
    """Offline mode was asked for a call the scenario does not hold."""


def key(operation: str, args: Mapping[str, Json]) -> str:
    """The canonical key of one call: operation plus arguments as sorted JSON."""
    return f"{operation} {json.dumps(args, sort_keys=True, separators=(',', ':'))}"


# ---- scrubbing ---------------------------------------------------------------
_SECRETS = [
    (re.compile(r"(?i)bearer\s+[A-Za-z0-9._\-~+/]+=*"), "Bearer <scrubbed>"),
    (re.compile(r"ya29\.[A-Za-z0-9._\-]+"), "<scrubbed-token>"),
    (re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+"), "<scrubbed-jwt>"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
     "<scrubbed-private-key>"),
    (re.compile(r"[A-Za-z0-9._%+\-]+@(?![A-Za-z0-9\-]+\.iam\.gserviceaccount\.com\b)"
                r"[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"), "person@example.com"),
]
_SECRET_KEYS = re.compile(r"(?i)^(authorization|cookie|set-cookie|access_token|refresh_token|"
                          r"id_token|private_key|client_secret|password|token)$")


def scrub(value: Json) -> Json:
    """The value with tokens, auth headers, cookies, private keys and personal e-mail removed.

    Service-account addresses stay: they are configuration the probes check.
    """
    if isinstance(value, str):
        for pattern, replacement in _SECRETS:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: "<scrubbed>" if _SECRET_KEYS.match(k) else scrub(v) for k, v in value.items()}
    return value


# ---- scenarios ---------------------------------------------------------------
class Scenario:
    """One recorded scenario on disk, loaded lazily gateway by gateway."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._calls: dict[str, dict[str, dict[str, Json]]] = {}

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def blobs(self) -> Path:
        """Sidecar files (model bytes), shared by the scenarios of one folder and named by SHA-256."""
        return self.folder.parent / BLOBS

    def meta(self) -> dict[str, Any]:
        """meta.json, checked: format 1, a known target, a real `today`, an `as_of` with its offset."""
        path = self.folder / META
        if not path.is_file():
            bundled = " (`make recordings` records the bundled ones)" if self.folder.parent == RECORDINGS else ""
            raise ConfigError(
                f"scenario {self.name!r} not found ({path} missing){bundled}; scenarios in "
                f"{self.folder.parent}: {', '.join(available(self.folder.parent)) or 'none'}"
            )
        data = _read(path)
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: malformed recording meta, a JSON object expected")
        for field in ("as_of", "today", "project"):
            if field not in data:
                raise ConfigError(f"{path}: malformed recording meta, missing {field!r}")
        if data.get("format", FORMAT) != FORMAT:
            raise ConfigError(f"{path}: recording format {data.get('format')!r}, this opscheck reads format {FORMAT}: "
                              "record it again")
        if data.get("target", "gcp") not in ("gcp", "sandbox"):
            raise ConfigError(f"{path}: target {data.get('target')!r} is neither gcp nor sandbox")
        try:
            dt.date.fromisoformat(str(data["today"]))
        except ValueError:
            raise ConfigError(f"{path}: today {data['today']!r} is not a real date YYYY-MM-DD") from None
        try:
            as_of = dt.datetime.fromisoformat(str(data["as_of"]))
        except ValueError:
            as_of = None
        if as_of is None or as_of.tzinfo is None:
            raise ConfigError(f"{path}: as_of {data['as_of']!r} is not a timestamp with its UTC offset "
                              "(like 2026-02-09T07:30:00-05:00)")
        return data

    def calls(self, gateway: str) -> dict[str, dict[str, Json]]:
        if gateway not in self._calls:
            path = self.folder / f"{gateway}.json"
            data = _read(path) if path.is_file() else {"calls": []}
            try:
                self._calls[gateway] = {key(c["operation"], c["args"]): c for c in data["calls"]}
            except (KeyError, TypeError):
                raise ConfigError(
                    f"{path}: malformed recording, each call needs operation, args and result"
                ) from None
        return self._calls[gateway]


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise ConfigError(f"{path}: malformed recording, not valid JSON ({exc})") from None


def available(folder: Path = RECORDINGS) -> list[str]:
    """The scenarios of a recordings folder (those with a meta.json)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / META).is_file() and not p.name.startswith("."))


def today_of(meta: Mapping[str, Any]) -> dt.date:
    return dt.date.fromisoformat(str(meta["today"]))


# ---- channels ----------------------------------------------------------------
class ReplayChannel:
    """Answers every call from a scenario; never performs one.

    `latency` (seconds, from OPSCHECK_REPLAY_LATENCY_MS) makes every answer
    take that long, as a real BigQuery job would: benchmarks use it to show
    that checks do not wait on each other.
    """

    mode = "offline"

    def __init__(self, scenario: Scenario, record_hint: str, latency: float = 0.0) -> None:
        self.scenario = scenario
        self._hint = record_hint
        self._latency = latency

    def _entry(self, gateway: str, operation: str, args: Mapping[str, Json], shape: Any) -> dict[str, Json]:
        if self._latency:
            time.sleep(self._latency)
        entry = self.scenario.calls(gateway).get(key(operation, args))
        where = f"{self.scenario.folder / (gateway + '.json')}: call {key(operation, args)[:160]}"
        if entry is None:
            raise RecordingMissing(
                f"no recording of {gateway}.{key(operation, args)} in scenario "
                f"{self.scenario.name!r}: record it with `{self._hint}`"
            )
        if "error" in entry:
            error = entry["error"]
            if not (isinstance(error, dict) and isinstance(error.get("type"), str)
                    and isinstance(error.get("message"), str)):
                raise DataError(f"{where}: malformed recording, error must be "
                                f'{{"type": "NotFoundError", "message": "..."}}, got {error!r}'[:400])
            raise ERRORS.get(error["type"], GatewayError)(error["message"])
        if "result" not in entry:
            raise DataError(f"{where}: malformed recording, it has neither result nor error")
        try:
            shapes.check(entry["result"], shape, "result")
        except shapes.ShapeError as exc:
            raise DataError(f"{where}: malformed recording, {exc}") from None
        return entry

    def call(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], Json], shape: Any = Any
    ) -> Json:
        return self._entry(gateway, operation, args, shape)["result"]

    def call_file(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], FileAnswer],
        shape: Any = Any,
    ) -> FileAnswer:
        entry = self._entry(gateway, operation, args, shape)
        path = self.scenario.blobs / str(entry.get("file"))
        if not entry.get("file") or not path.is_file():
            raise ConfigError(f"{self.scenario.folder / (gateway + '.json')}: call {operation} names sidecar "
                              f"{entry.get('file')!r}, which is not in {self.scenario.blobs}: re-record "
                              f"with `{self._hint}`")
        return entry["result"], path


def latency_from_env(environ: Mapping[str, str]) -> float:
    """OPSCHECK_REPLAY_LATENCY_MS as seconds (0 when unset); a bad value is a one-line error."""
    raw = environ.get(LATENCY_ENV, "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < 60_000:
        raise ConfigError(f"{LATENCY_ENV}={raw!r}: must be milliseconds between 0 and 60000")
    return value / 1000


class RecordChannel:
    """Performs every call live and keeps it (scrubbed) for the scenario."""

    mode = "record"

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._new: dict[str, dict[str, dict[str, Json]]] = {}

    def call(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], Json], shape: Any = Any
    ) -> Json:
        entry: dict[str, Json] = {"operation": operation, "args": scrub(dict(args))}
        try:
            result = checked(live(), shape, gateway, operation)
        except GatewayError as exc:
            entry["error"] = {"type": type(exc).__name__, "message": scrub(str(exc))}
            self._new.setdefault(gateway, {})[key(operation, entry["args"])] = entry
            raise
        entry["result"] = scrub(result)
        self._new.setdefault(gateway, {})[key(operation, entry["args"])] = entry
        return result

    def call_file(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], FileAnswer],
        shape: Any = Any,
    ) -> FileAnswer:
        kept: dict[str, Path] = {}

        def perform() -> Json:
            result, path = live()
            kept["path"] = path
            return result

        result = self.call(gateway, operation, args, perform, shape)
        path = kept["path"]
        self._new[gateway][key(operation, scrub(dict(args)))]["file"] = self._keep(path)
        return result, path

    def _keep(self, path: Path) -> str:
        """Copy a file into the scenarios' sidecar folder under its SHA-256; returns that name."""
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        name = digest.hexdigest()
        self.scenario.blobs.mkdir(parents=True, exist_ok=True)
        if not (self.scenario.blobs / name).is_file():
            shutil.copyfile(path, self.scenario.blobs / name)
        return name

    def save(self, meta: Mapping[str, Any]) -> Path:
        """Merge this session's calls into the scenario's files and write its meta, all or nothing.

        The new scenario is written beside the old one and swapped in by renames, so an interrupted
        save leaves the previous scenario (or none), never a half-written one that replays.
        """
        folder = self.scenario.folder
        folder.parent.mkdir(parents=True, exist_ok=True)
        partial = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            self._write(partial, meta)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        previous = folder.with_name(f".{folder.name}.previous-{os.getpid()}")
        with sigint_deferred():
            if folder.is_dir():
                folder.rename(previous)
            partial.rename(folder)
        shutil.rmtree(previous, ignore_errors=True)
        return folder

    def _write(self, partial: Path, meta: Mapping[str, Any]) -> None:
        """The merged scenario, written into `partial` (a copy of the current one, if any)."""
        folder = self.scenario.folder
        if folder.is_dir():
            shutil.copytree(folder, partial)
        else:
            partial.mkdir()
        for gateway, calls in self._new.items():
            merged = {**(self.scenario.calls(gateway) if (folder / f"{gateway}.json").is_file() else {}), **calls}
            ordered = [merged[k] for k in sorted(merged)]
            # Calls sorted by key for stable diffs; keys inside a result keep their
            # order (a query's column order), so replayed evidence reads as live.
            (partial / f"{gateway}.json").write_text(json.dumps({"format": FORMAT, "calls": ordered}, indent=1) + "\n")
        (partial / META).write_text(json.dumps(
            {"format": FORMAT, "opscheck_version": __version__, **meta}, indent=1, sort_keys=True
        ) + "\n")
