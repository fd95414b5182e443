"""What every view is made of: a context, memoised gateway answers, and a record of who read which.

Like pytest-testinfra's modules on `host`: a check says `predictions.active_count(day)`, and the SQL
and the gateway stay out of it. Views are built for the session's whole date range: each runs one
grouped query over the range (memoised) and answers per date, so `--dates` over a season costs one
query per check, not one per date.

Every memoised answer is a "memo" (a view and a key). While a check runs, each memo it reaches is
noted, and so is each memo another memo reached while it was computed; a query records the memo that
ran it. So the SQL a check read is exactly the queries of the memos it reached, not every query of
every view it was handed.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from opscheck.errors import DataError
from opscheck.platform.channel import ASKER, READER

if TYPE_CHECKING:
    from opscheck.platform import Platform
    from opscheck.views import Views

Warmer = Callable[[], object]
_T = TypeVar("_T")
_O = TypeVar("_O")
_COMPUTING: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("opscheck_computing", default=())


class Reads:
    """Which memos each check reached, and which memos each memo reached while it was computed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_check: dict[str, set[str]] = {}
        self._by_memo: dict[str, set[str]] = {}

    def note(self, memo: str) -> None:
        """`memo` was reached: by the memo being computed, else by the check being run (if any)."""
        computing, check = _COMPUTING.get(), READER.get()
        with self._lock:
            if computing:
                self._by_memo.setdefault(computing[-1], set()).add(memo)
            elif check:
                self._by_check.setdefault(check, set()).add(memo)

    def of(self, check: str) -> set[str]:
        """Every memo `check` read, directly or through the memos it reached."""
        with self._lock:
            found, todo = set(), list(self._by_check.get(check, ()))
            while todo:
                memo = todo.pop()
                if memo not in found:
                    found.add(memo)
                    todo.extend(self._by_memo.get(memo, ()))
        return found


READS = Reads()


class _Entry:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.traceback: TracebackType | None = None


class Calls:
    """A view's gateway answers, each computed at most once a session, failures included.

    Why not functools.cache: the session prefetch and the checks ask from
    several threads at once, and a call must not run twice (a model download,
    a query that timed out); and a dependency that failed once must fail the
    next check that needs it at once, with the first error, instead of paying
    its timeout again.
    """

    def __init__(self, owner: str = "") -> None:
        self.owner = owner
        self._lock = threading.Lock()
        self._entries: dict[Hashable, _Entry] = {}

    def get(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        memo = f"{self.owner}.{key}" if isinstance(key, str) else f"{self.owner}{key!r}"
        READS.note(memo)
        with self._lock:
            entry = self._entries.setdefault(key, _Entry())
        with entry.lock:
            if not entry.done:
                asking, computing = ASKER.set(memo), _COMPUTING.set((*_COMPUTING.get(), memo))
                try:
                    entry.value = compute()
                except Exception as exc:  # remembered, raised to every caller
                    entry.error, entry.traceback = exc, exc.__traceback__
                finally:
                    ASKER.reset(asking)
                    _COMPUTING.reset(computing)
                entry.done = True
        if entry.error is not None:  # from where it first failed, not through every check that met it since
            raise entry.error.with_traceback(entry.traceback)
        value: _T = entry.value
        return value


def calls_of(view: object) -> Calls:
    """The Calls memo of a view instance (made on first use), named after its class."""
    found: Calls = view.__dict__.setdefault("_calls", Calls(type(view).__name__))
    return found


class once(Generic[_O, _T]):  # noqa: N801 - used like functools.cached_property
    """A read-only property computed once per instance through its Calls (thread-safe, failures kept)."""

    def __init__(self, compute: Callable[[_O], _T]) -> None:
        self._compute = compute
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type[_O], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type[_O]) -> once[_O, _T]: ...

    @overload
    def __get__(self, instance: _O, owner: type[_O]) -> _T: ...

    def __get__(self, instance: _O | None, owner: type[_O]) -> once[_O, _T] | _T:
        if instance is None:
            return self
        return calls_of(instance).get(self._name, lambda: self._compute(instance))


@dataclasses.dataclass(frozen=True)
class Days:
    """The dates a session validates (one, or a backfill range)."""

    dates: tuple[dt.date, ...]

    @classmethod
    def of(cls, dates: Sequence[dt.date]) -> Days:
        if not dates:
            raise ValueError("a session validates at least one date")
        return cls(tuple(sorted(dates)))

    @property
    def first(self) -> dt.date:
        return self.dates[0]

    @property
    def last(self) -> dt.date:
        return self.dates[-1]

    def span(self, before: int = 0, after: int = 0) -> dict[str, dt.date]:
        """Query parameters `start`/`end` covering every date, widened by days before/after."""
        return {"start": self.first - dt.timedelta(days=before),
                "end": self.last + dt.timedelta(days=after)}


@dataclasses.dataclass(frozen=True)
class Context:
    """What a view is made from: the gateways, the dates the run validates, and the session's other views."""

    platform: Platform
    days: Days
    views: Views
    expect_commit: str | None = None  # --expect-commit, as the command line gave it
    candidate: str | None = None  # --candidate: a model file to backtest in the deploy gate


class View:
    """A domain view over the gateways, made from a Context, named in the registry (opscheck/views/__init__.py)."""

    def __init__(self, context: Context) -> None:
        self._platform = context.platform
        self._days = context.days

    def warmers(self) -> list[Warmer]:
        """The calls that fill this view's memos: the session prefetch makes them all at once."""
        return []


def between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every date from `start` to `end`, both included."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def complete(query: str, rows: Sequence[Mapping[str, Any]], fields: Sequence[str],
             wanted: set[tuple[Any, ...]]) -> None:
    """DataError unless `rows` hold every `wanted` combination of `fields` and no other.

    The queries that say what is due answer one row per date (and subset, or kind of problem),
    zeros included, so that an answer missing one reads as broken instead of as "nothing there".
    """
    got = {tuple(row[f] for f in fields) for row in rows}
    if got != wanted:
        odd = sorted(wanted - got) or sorted(got - wanted)
        what = "no row" if wanted - got else "a row it was not asked for"
        raise DataError(f"query {query}.sql answered {what} for {', '.join(fields)} = {odd[0]} ({len(rows)} rows; "
                        f"it answers one per {' and '.join(fields)}): a missing one would read as nothing there")
