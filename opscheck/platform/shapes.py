"""The shape of every gateway answer, checked where it enters opscheck.

Why: a check must never read `null` as 0, trip over a string where a number
belongs, or compare `2026/02/09` with `2026-02-09` and conclude "no games".
Each gateway declares what it returns (a TypedDict, a list of them, an
int...), with value types that say more than Python's: `Date` is a real
`YYYY-MM-DD`, `Timestamp` an ISO 8601 time with its offset, `Count` a whole
number 0 or more that fits BigQuery's INT64, `Number` a finite number (each
an `Annotated` marker on the plain type, so type checkers see `str`, `int`). A
TypedDict can also declare fields that may never exceed another
(`at_most(Row, ("hits", "graded"))`). Live answers and recorded ones are held
to the shape at the channel, so a wrong answer fails with the call, the field
and what was expected, instead of a TypeError three frames deep or a pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import types
from collections.abc import Callable
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

INT64_MAX = 2**63 - 1


class ShapeError(ValueError):
    """An answer is not the shape its gateway promises (the message says where and what)."""


@dataclasses.dataclass(frozen=True)
class Kind:
    """What a value must be beyond its Python type (an `Annotated` marker: the static type stays the plain one)."""

    name: str


Date = Annotated[str, Kind("date")]
"""A calendar date, `YYYY-MM-DD` exactly (what BigQuery returns for a DATE)."""
Timestamp = Annotated[str, Kind("timestamp")]
"""An ISO 8601 timestamp with its UTC offset (what BigQuery returns for a TIMESTAMP)."""
Count = Annotated[int, Kind("count")]
"""A whole number, 0 or more, within INT64 (a COUNT, a size, an attempt number)."""
Number = Annotated[float, Kind("number")]
"""A finite number (never NaN or infinity, which JSON does not even allow)."""
Sha256 = Annotated[str, Kind("sha256")]
"""A SHA-256 as 64 hex digits (either case: a hash's case carries no meaning)."""


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or not _ISO_TIME.match(value):
        return False
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return stamp.tzinfo is not None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT64_MAX


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# What each kind of value accepts, and how a message names it.
_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "date": (_is_date, "a date YYYY-MM-DD"),
    "timestamp": (_is_timestamp, "a timestamp with its UTC offset (like 2026-02-09T12:05:00+00:00)"),
    "count": (_is_count, "a whole number 0 or more"),
    "number": (_is_number, "a finite number"),
    "sha256": (lambda v: isinstance(v, str) and bool(_HEX64.match(v)), "a SHA-256 (64 hex digits)"),
}
_PLAIN: dict[type, tuple[Callable[[Any], bool], str]] = {
    bool: (lambda v: isinstance(v, bool), "true or false"),
    int: (lambda v: isinstance(v, int) and not isinstance(v, bool) and abs(v) <= INT64_MAX, "a whole number"),
    float: (_is_number, "a finite number"),
    str: (lambda v: isinstance(v, str), "a string"),
}
_AT_MOST: dict[Any, tuple[tuple[str, str], ...]] = {}


def utc_timestamp(value: Any) -> str | None:
    """A client's timestamp as a Timestamp answer (UTC, ISO 8601); None for one not set (empty, or the epoch)."""
    if isinstance(value, dt.datetime) and value.timestamp() > 0:
        return value.astimezone(dt.UTC).isoformat()
    return None


def at_most(row: Any, *pairs: tuple[str, str]) -> None:
    """Declare that in every `row` (a TypedDict), each pair's first field never exceeds its second."""
    _AT_MOST[row] = (*_AT_MOST.get(row, ()), *pairs)


def check(value: Any, hint: Any, where: str = "the answer") -> None:
    """Raise ShapeError unless `value` has the shape `hint` describes."""
    if hint is Any or hint is object:
        return
    origin = get_origin(hint)
    if origin is Annotated:
        kind = next((m for m in hint.__metadata__ if isinstance(m, Kind)), None)
        if kind is None:
            check(value, get_args(hint)[0], where)
            return
        accepts, described = _KINDS[kind.name]
        if not accepts(value):
            raise ShapeError(f"{where}: expected {described}, got {_shown(value)}")
        return
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if value is None and type(None) in options:
            return
        for option in (o for o in options if o is not type(None)):
            try:
                check(value, option, where)
                return
            except ShapeError as exc:
                last = exc
        if len(options) == 2 and type(None) in options:  # X | None: the error of X, which says more
            raise ShapeError(f"{last} (or null)")
        raise ShapeError(f"{where}: expected {_name(hint)}, got {_shown(value)}")
    if hint is None or hint is type(None):
        if value is not None:
            raise ShapeError(f"{where}: expected null, got {_shown(value)}")
        return
    if origin is Literal:
        if value not in get_args(hint):
            raise ShapeError(f"{where}: expected one of {', '.join(map(repr, get_args(hint)))}, got {_shown(value)}")
        return
    if is_typeddict(hint):
        _typed_dict(value, hint, where)
        return
    if origin is list:
        if not isinstance(value, list):
            raise ShapeError(f"{where}: expected a list, got {_shown(value)}")
        (item,) = get_args(hint) or (Any,)
        for index, element in enumerate(value):
            check(element, item, f"{where}[{index}]")
        return
    if origin is dict:
        if not isinstance(value, dict):
            raise ShapeError(f"{where}: expected an object, got {_shown(value)}")
        _, item = get_args(hint) or (str, Any)
        for key, element in value.items():
            check(element, item, f"{where}.{key}")
        return
    _scalar(value, hint, where)


def _typed_dict(value: Any, hint: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise ShapeError(f"{where}: expected an object ({hint.__name__}), got {_shown(value)}")
    missing = sorted(hint.__required_keys__ - value.keys())
    if missing:
        raise ShapeError(f"{where}: {hint.__name__} without {', '.join(missing)}")
    for key, field in get_type_hints(hint, include_extras=True).items():
        if key in value:
            check(value[key], field, f"{where}.{key}")
    for low, high in _AT_MOST.get(hint, ()):
        if value.get(low) is not None and value.get(high) is not None and value[low] > value[high]:
            raise ShapeError(f"{where}: {low} {value[low]!r} is more than {high} {value[high]!r}, which cannot be")


def _scalar(value: Any, hint: Any, where: str) -> None:
    if hint in _PLAIN:
        accepts, described = _PLAIN[hint]
        if not accepts(value):
            raise ShapeError(f"{where}: expected {described}, got {_shown(value)}")
        return
    if not isinstance(hint, type):  # pragma: no cover - a hint this checker does not know is a gateway's bug
        raise TypeError(f"cannot check against {hint!r}")
    if not isinstance(value, hint):
        raise ShapeError(f"{where}: expected {_name(hint)}, got {_shown(value)}")


def _name(hint: Any) -> str:
    if get_origin(hint) is Annotated and any(isinstance(m, Kind) for m in hint.__metadata__):
        return next(_KINDS[m.name][1] for m in hint.__metadata__ if isinstance(m, Kind))
    if hint in _PLAIN:
        return _PLAIN[hint][1]
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'…' if len(text) > 60 else ''}"
