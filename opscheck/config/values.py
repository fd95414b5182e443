"""The checks every configured value passes: each returns what the value must be, or None when it is fine.

A threshold has a range where it still judges (`coverage_floor = 0` would switch its check off),
a name the characters a Google resource name may have; the message names what it must be.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?(/[^\s]*)?$")
_TABLE = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+){1,2}$")
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")


def url(value: str) -> str | None:
    match = _URL.match(value)
    if value and (not match or (match.group(1) and not 0 < int(match.group(1)[1:]) < 65536)):
        return "a URL like http://host:port (port 1-65535)"
    return None


def table_name(value: str) -> str | None:
    return None if _TABLE.match(value) else "a table name like dataset.table"


def resource_name(value: str) -> str | None:
    return None if _NAME.match(value) else "a resource name (letters, digits, . _ -)"


def column_name(value: str) -> str | None:
    return None if _COLUMN.match(value) else "a column name (letters, digits, _)"


def commit_problem(value: str) -> str | None:
    """What a commit id must be, when `value` is not one ("" is: nothing given)."""
    return None if not value or _COMMIT.match(value) else "a commit SHA (7-40 hex digits)"


def zone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "an IANA time zone like America/New_York"
    return None


def share(value: float) -> str | None:
    """A fraction a check compares with: 0 would switch the check off."""
    return None if 0.0 < value <= 1.0 else "a fraction above 0 and at most 1 (0 would switch the check off)"


def drop(value: float) -> str | None:
    return None if 0.0 < value < 1.0 else "a fraction between 0 and 1, both excluded (either end switches it off)"


def positive(value: float) -> str | None:
    return None if 0 < value < float("inf") else "a positive, finite number"


def up_to(limit: float, unit: str) -> Any:
    """A positive number no larger than `limit`: beyond it a threshold no longer judges anything."""
    def check(value: float) -> str | None:
        if not 0 < value <= limit:
            return f"a positive number of {unit}, at most {limit:g}"
        return None
    return check


def attempts(value: int) -> str | None:
    return None if 5 <= value <= 100 else "between 5 and 100 (the range Pub/Sub allows)"


def names(values: tuple[str, ...]) -> str | None:
    """Resource names, none repeated."""
    bad = [v for v in values if resource_name(v)]
    if bad:
        return f"a list of resource names (letters, digits, . _ -), not {bad[0]!r}"
    repeated = sorted({v for v in values if values.count(v) > 1})
    return f"a list without repeats ({', '.join(repeated)} twice)" if repeated else None


def some_names(values: tuple[str, ...]) -> str | None:
    if not values:
        return "a list of at least one name (an empty list would judge nothing)"
    return names(values)


def offset(value: float) -> str | None:
    return None if abs(value) <= 100 * 366 * 86400 else "a number of seconds within a century either way"


def check(fn: Any) -> dict[str, Any]:
    return {"check": fn}


