"""Reading the manifest's values, and validating it whole (every problem listed, never the first only)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from opscheck.governance.names import parse_model_file

STATUSES = ("production", "shadow", "retired")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


# ---- reading manifest values -------------------------------------------------
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
"""The dates the platform can mean: anything else is a typo in a year (and year 1 overflows date arithmetic)."""


def date_problem(day: dt.date) -> str | None:
    """Why `day` cannot be one of the platform's dates (outside 2000-2099), or None."""
    if EARLIEST <= day <= LATEST:
        return None
    return f"{day.isoformat()} is outside {EARLIEST.year}-{LATEST.year}: a typo in the year?"


def parse_date(value: Any) -> dt.date:
    """An ISO date (`YYYY-MM-DD`) of 2000-2099, or ValueError: never compared as a string."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        parsed = value
    elif not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"{value!r} is not a date YYYY-MM-DD")
    else:
        parsed = dt.date.fromisoformat(value)
    problem = date_problem(parsed)
    if problem:
        raise ValueError(problem)
    return parsed


def parse_timestamp(value: Any) -> dt.datetime:
    """An ISO 8601 timestamp with an offset (or Z), as UTC; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, str):
        try:
            stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 timestamp") from None
    else:
        raise ValueError(f"{value!r} is not an ISO 8601 timestamp")
    if stamp.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    problem = date_problem(stamp.date())
    if problem:
        raise ValueError(problem)
    return stamp.astimezone(dt.UTC)


def same_digest(a: object, b: object) -> bool:
    """Whether two SHA-256s (hex, either case: the case of a hex digit carries no meaning) are the same."""
    return isinstance(a, str) and isinstance(b, str) and bool(_SHA256.match(a)) and a.lower() == b.lower()


def window(entry: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
    """An entry's (training_start_date, training_end_date); ValueError naming the bad field."""
    try:
        start = parse_date(entry.get("training_start_date"))
    except ValueError as exc:
        raise ValueError(f"training_start_date: {exc}") from None
    try:
        end = parse_date(entry.get("training_end_date"))
    except ValueError as exc:
        raise ValueError(f"training_end_date: {exc}") from None
    return start, end


def entries(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The manifest's model entries (empty when `models` is not a list of objects)."""
    models = manifest.get("models")
    if not isinstance(models, list):
        return []
    return [dict(m) for m in models if isinstance(m, Mapping)]


def production_entry(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest's entry for its `production_model` file."""
    wanted = manifest.get("production_model")
    for entry in entries(manifest):
        if entry.get("file") == wanted:
            return entry
    raise ValueError(f"manifest names production_model {wanted!r} but lists no such model")


# ---- validation --------------------------------------------------------------
Kind = Literal["entry", "name", "window", "timeline"]


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with the manifest: which model, which field, what.

    `kind` says which check owns it: the entry itself (fields, readable dates,
    hash, status, the one production model), its file name, a training window
    shared with another model, or a timeline that cannot be (training that
    ends after the model was created: every row it made is inside its window).
    """

    model: str
    field: str
    message: str
    kind: Kind = "entry"

    def __str__(self) -> str:
        return f"{self.model}: {self.field}: {self.message}"


def problem_list(problems: Sequence[Problem], limit: int | None = None) -> str:
    """"(2 problems): a; b", the first `limit` of them and how many more: one line for a message."""
    shown = problems[:limit] if limit is not None else problems
    more = f"; and {len(problems) - len(shown)} more" if len(shown) < len(problems) else ""
    noun = "problem" if len(problems) == 1 else "problems"
    return f"({len(problems)} {noun}): " + "; ".join(map(str, shown)) + more


_REQUIRED = ("file", "model_version", "training_start_date", "training_end_date", "feature_count",
             "sha256", "hit_rate", "status", "created_at")


def validate_manifest(manifest: Any, system_id: str = "catboost_v9") -> list[Problem]:
    """Every problem of the manifest, not only the first (an empty list: valid)."""
    if not isinstance(manifest, Mapping):
        return [Problem("manifest", "(top level)", "is not a JSON object")]
    problems: list[Problem] = []
    if manifest.get("system_id") != system_id:
        problems.append(Problem("manifest", "system_id",
                                f"is {manifest.get('system_id')!r}, expected {system_id!r}"))
    models = manifest.get("models")
    if not isinstance(models, list) or not models:
        problems.append(Problem("manifest", "models", "must be a non-empty list of model entries"))
        return problems
    listed = entries(manifest)
    if len(listed) != len(models):
        problems.append(Problem("manifest", "models", "every entry must be a JSON object"))
    for entry in listed:
        problems.extend(_entry_problems(entry, system_id))
    problems.extend(_production_problems(manifest, listed))
    problems.extend(_duplicate_problems(listed))
    problems.extend(shared_windows(listed, "manifest"))
    return problems


def model_label(entry: Mapping[str, Any]) -> str:
    """A model as people name it: its file (manifest entry or registry row), else its version."""
    return str(entry.get("file") or entry.get("model_file") or entry.get("model_version") or "<unnamed model>")


def _entry_problems(entry: Mapping[str, Any], system_id: str) -> list[Problem]:
    label = model_label(entry)
    problems = [Problem(label, field, "is missing") for field in _REQUIRED if entry.get(field) is None]
    missing = {p.field for p in problems}
    start = end = None
    for field in ("training_start_date", "training_end_date"):
        if field in missing:
            continue
        try:
            parsed = parse_date(entry[field])
        except ValueError as exc:
            problems.append(Problem(label, field, str(exc)))
            continue
        start, end = (parsed, end) if field == "training_start_date" else (start, parsed)
    created = None
    if "created_at" not in missing:
        try:
            created = parse_timestamp(entry["created_at"])
        except ValueError as exc:
            problems.append(Problem(label, "created_at", str(exc)))
    if start and end and start > end:
        problems.append(Problem(label, "training_start_date",
                                f"{start} is after training_end_date {end}", "timeline"))
    if end and created and not end < created.date():
        problems.append(Problem(label, "training_end_date",
                                f"{end} is not before created_at {created:%Y-%m-%d} (a model cannot "
                                "be created before its training data ends)", "timeline"))
    sha = entry.get("sha256")
    if "sha256" not in missing and not (isinstance(sha, str) and _SHA256.match(sha)):
        problems.append(Problem(label, "sha256", f"{sha!r} is not 64 hex digits"))
    features = entry.get("feature_count")
    if "feature_count" not in missing and (isinstance(features, bool) or not isinstance(features, int)
                                           or features <= 0):
        problems.append(Problem(label, "feature_count", f"{features!r} is not a positive whole number"))
    rate = entry.get("hit_rate")
    if "hit_rate" not in missing and (isinstance(rate, bool) or not isinstance(rate, int | float)
                                      or not 0 <= rate <= 1):
        problems.append(Problem(label, "hit_rate", f"{rate!r} is not a fraction between 0 and 1"))
    if "status" not in missing and entry.get("status") not in STATUSES:
        problems.append(Problem(label, "status", f"{entry.get('status')!r} is not one of {', '.join(STATUSES)}"))
    if "file" not in missing:
        problems.extend(name_problems(entry, system_id))
    return problems


def name_problems(entry: Mapping[str, Any], system_id: str = "catboost_v9") -> list[Problem]:
    """Where an entry's file name disagrees with the entry (or breaks the convention)."""
    label = model_label(entry)
    try:
        name = parse_model_file(str(entry.get("file")), system_id)
    except ValueError as exc:
        return [Problem(label, "file", str(exc), "name")]
    problems = []
    encoded = {
        "training_start_date": (name.training_start.isoformat(), entry.get("training_start_date")),
        "training_end_date": (name.training_end.isoformat(), entry.get("training_end_date")),
        "feature_count": (name.features, entry.get("feature_count")),
        "model_version": (name.version, entry.get("model_version")),
    }
    for field, (in_name, in_entry) in encoded.items():
        if in_entry != in_name:
            problems.append(Problem(label, field, f"the entry says {in_entry!r}, its file name encodes "
                                                  f"{in_name!r}", "name"))
    try:
        created = parse_timestamp(entry.get("created_at"))
    except ValueError:
        return problems  # the entry check reports the unreadable created_at
    if created.replace(microsecond=0) != name.created:
        problems.append(Problem(label, "created_at", f"the entry says {created.isoformat()}, its file "
                                                     f"name encodes {name.created.isoformat()}", "name"))
    return problems


def _production_problems(manifest: Mapping[str, Any], listed: list[dict[str, Any]]) -> list[Problem]:
    wanted = manifest.get("production_model")
    named = [e for e in listed if e.get("file") == wanted]
    flagged = [e for e in listed if e.get("status") == "production"]
    problems = []
    if not wanted:
        problems.append(Problem("manifest", "production_model", "is missing"))
    elif len(named) != 1:
        problems.append(Problem("manifest", "production_model",
                                f"{wanted!r} is listed {len(named)} times in models (exactly once expected)"))
    if len(flagged) != 1:
        problems.append(Problem("manifest", "status", f"{len(flagged)} models have status production "
                                                      f"({', '.join(map(model_label, flagged)) or 'none'}); "
                                                      "exactly one expected"))
    elif len(named) == 1 and flagged[0] is not named[0] and flagged[0] != named[0]:
        problems.append(Problem(model_label(flagged[0]), "status",
                                f"is production, but production_model names {wanted!r}"))
    return problems


def _duplicate_problems(listed: list[dict[str, Any]]) -> list[Problem]:
    counts: dict[tuple[str, Any], int] = {}
    for entry in listed:
        for field in ("file", "model_version"):
            if entry.get(field) is not None:
                counts[(field, entry[field])] = counts.get((field, entry[field]), 0) + 1
    return [Problem(str(value), field, f"is listed {n} times in models")
            for (field, value), n in counts.items() if n > 1]


def shared_windows(models: Iterable[Mapping[str, Any]], where: str) -> list[Problem]:
    """Models of `where` (manifest or registry) that share one training window."""
    by_window: dict[tuple[dt.date, dt.date], list[str]] = {}
    for model in models:
        try:
            key = window(model)
        except ValueError:
            continue  # an unreadable window is the entry check's problem
        by_window.setdefault(key, []).append(model_label(model))
    return [
        Problem(", ".join(files), "training window",
                f"{start} .. {end} is shared by {len(files)} models in the {where}", "window")
        for (start, end), files in sorted(by_window.items()) if len(files) > 1
    ]
