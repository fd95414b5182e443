"""The pre-training window guard: one model per training window (incident 6)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from opscheck.governance.manifest import model_label, window


# ---- the pre-training guard --------------------------------------------------
@dataclasses.dataclass(frozen=True)
class GuardVerdict:
    """What the guard found for a proposed training window."""

    start: dt.date
    end: dt.date
    same: list[dict[str, Any]]
    overlapping: list[dict[str, Any]]

    @property
    def refused(self) -> bool:
        return bool(self.same)


def guard(start: dt.date, end: dt.date, models: Iterable[Mapping[str, Any]]) -> GuardVerdict:
    """Models (manifest entries or registry rows) with exactly this window, and those overlapping it."""
    if end < start:
        raise ValueError(f"training window {start} .. {end}: the end is before the start")
    same: list[dict[str, Any]] = []
    overlapping: list[dict[str, Any]] = []
    seen: set[str] = set()
    for model in models:
        label = model_label(model)
        try:
            first, last = window(model)
        except ValueError:
            continue
        if label in seen:
            continue  # the same model from the manifest and the registry
        if (first, last) == (start, end):
            same.append(dict(model))
            seen.add(label)
        elif first <= end and start <= last:
            overlapping.append(dict(model))
            seen.add(label)
    return GuardVerdict(start, end, same, overlapping)


def describe(model: Mapping[str, Any]) -> str:
    """`file (status, created ...)`: how the guard and the checks name a model."""
    return f"{model_label(model)} (status {model.get('status')}, created {model.get('created_at')})"
