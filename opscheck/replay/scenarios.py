"""Scenarios on disk: a folder of one recording (`meta.json` and one `<gateway>.json` per gateway).

Sorted and indented so a person can read and hand-edit them (docs/recordings.md). A call is found by its
gateway, operation and canonical arguments (`key`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from opscheck.errors import ConfigError
from opscheck.platform.channel import Json

RECORDINGS = "recordings"  # the scenarios' folder in run.fixtures
META = "meta.json"
BLOBS = "blobs"
FORMAT = 1


def key(operation: str, args: Mapping[str, Json]) -> str:
    """The canonical key of one call: operation plus arguments as sorted JSON."""
    return f"{operation} {json.dumps(args, sort_keys=True, separators=(',', ':'))}"


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
            bundled = " (`make recordings` records the bundled ones)" if self.folder.parent.name == RECORDINGS else ""
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


def available(folder: Path) -> list[str]:
    """The scenarios of a recordings folder (those with a meta.json)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / META).is_file() and not p.name.startswith("."))


def today_of(meta: Mapping[str, Any]) -> dt.date:
    return dt.date.fromisoformat(str(meta["today"]))


