"""The record and replay channels: calls answered from a scenario, or performed live and kept.

Why not HTTP cassettes: Pub/Sub is gRPC and BigQuery polls jobs, so wire-level
recordings are brittle. A gateway call is instead stored under its gateway,
operation and canonical arguments, with its JSON result (or the error it
raised), in a scenario (scenarios.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from opscheck import __version__
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
from opscheck.platform import shapes
from opscheck.platform.channel import FileAnswer, Json, checked
from opscheck.replay.scenarios import FORMAT, META, Scenario, key
from opscheck.replay.scrub import scrub
from opscheck.signals import sigint_deferred

LATENCY_ENV = "OPSCHECK_REPLAY_LATENCY_MS"
ERRORS: dict[str, type[GatewayError]] = {
    cls.__name__: cls for cls in (GatewayError, NotFoundError, BadRequestError, UnreachableError,
                                  UnresolvedHostError, AccessDeniedError, QueryTimeoutError, DataError)
}


class RecordingMissing(GatewayError):
    """Offline mode was asked for a call the scenario does not hold."""


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
