"""The shape of every gateway answer, checked where it enters opscheck.

Why: a check must never read `null` as 0 or trip over a string where a
number belongs. Each gateway declares what it returns (a TypedDict, a list of
them, an int...); live answers and recorded ones are held to it at the
channel, so a wrong answer fails with what was expected and where, instead of
a KeyError three frames deep or a silent pass.
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict


class ShapeError(ValueError):
    """An answer is not the shape its gateway promises (the message says where and what)."""


def check(value: Any, hint: Any, where: str = "the answer") -> None:
    """Raise ShapeError unless `value` has the shape `hint` describes."""
    if hint is Any or hint is object:
        return
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        for option in get_args(hint):
            try:
                check(value, option, where)
                return
            except ShapeError:
                continue
        raise ShapeError(f"{where}: expected {_name(hint)}, got {_shown(value)}")
    if hint is None or hint is type(None):
        if value is not None:
            raise ShapeError(f"{where}: expected null, got {_shown(value)}")
        return
    if origin is Literal:
        if value not in get_args(hint):
            raise ShapeError(f"{where}: expected one of {get_args(hint)}, got {_shown(value)}")
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
    for key, field in get_type_hints(hint).items():
        if key in value:
            check(value[key], field, f"{where}.{key}")


def _scalar(value: Any, hint: Any, where: str) -> None:
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif isinstance(hint, type):
        ok = isinstance(value, hint)
    else:  # pragma: no cover - a hint this checker does not know is a bug in a gateway's declaration
        raise TypeError(f"cannot check against {hint!r}")
    if not ok:
        raise ShapeError(f"{where}: expected {_name(hint)}, got {_shown(value)}")


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'…' if len(text) > 60 else ''}"

