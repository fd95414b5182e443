"""Loading opscheck.toml in layers (overlays' defaults, the file, its environment, where the platform is,
the command line), every key checked against the schema and every environment of the file validated.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from opscheck.config.oncall import SUITES
from opscheck.config.schema import Config
from opscheck.errors import ConfigError

_T = TypeVar("_T")


def _convert(value: Any, hint: Any, where: str) -> Any:
    """Turn one TOML value into the field's type, or raise a one-line ConfigError."""
    origin = get_origin(hint)
    if origin is Literal:
        choices = get_args(hint)
        if value not in choices:
            raise ConfigError(f"{where}: must be one of {', '.join(map(str, choices))}, got {value!r}")
        return value
    if origin in (types.UnionType, typing.Union):
        args = [a for a in get_args(hint) if a is not type(None)]
        return _convert(value, args[0], where)
    if origin is tuple and dataclasses.is_dataclass(get_args(hint)[0]):
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ConfigError(f"{where}: must be tables [[{where}]], got {value!r}")
        return tuple(_record(get_args(hint)[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: must be a list of strings, got {value!r}")
        return tuple(value)
    if hint is dt.datetime:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.datetime.fromisoformat(value)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value
        raise ConfigError(f"{where}: must be a date-time with its offset, like 2026-02-12T06:00:00-05:00, "
                          f"got {value!r}")
    if hint is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise ConfigError(f"{where}: must be a date YYYY-MM-DD, got {value!r}")
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: must be a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: must be a whole number, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: must be true or false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: must be a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported type {hint!r}")  # pragma: no cover - schema bug


# Keys and values a release renamed: an old opscheck.toml is refused with the new spelling, not run differently.
RENAMED = {"thresholds.hit_rate_guard_min_drop": "thresholds.hit_rate_min_drop"}
RENAMED_VALUES = {"thresholds.hit_rate_rule": ("guard", "changepoint")}


def _record(cls: type[_T], data: Mapping[str, Any], where: str) -> _T:
    """One entry of a list of tables ([[maintenance]]): every key checked, the required ones present."""
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            raise ConfigError(f"{where}.{key}: unknown key (known here: {', '.join(sorted(fields))})")
        values[key] = _convert(value, hints[key], f"{where}.{key}")
    missing = [name for name, f in fields.items() if name not in values
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{where}: {', '.join(missing)} missing (each entry needs {', '.join(fields)})")
    made = cls(**values)
    problem = getattr(made, "problem", lambda: None)()
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return made


def _policies(hint: Any, base: Mapping[str, Any], value: Any, where: str) -> dict[str, Any]:
    """A table of named sections ([checks.NAME]): each merged, field by field, over the same name's before."""
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ConfigError(f"{where}: must be tables [{where}.NAME], got {value!r}")
    cls = get_args(hint)[1]
    merged = dict(base)
    for name, section in value.items():
        merged[name] = _build(cls, merged.get(name, cls()), section, f"{where}.{name}")
    return merged


def _build(cls: type[_T], base: _T, data: Mapping[str, Any], where: str) -> _T:
    """Overlay `data` on `base` (an instance of `cls`), validating every key."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key)
        path = f"{where}.{key}" if where else key
        if path in RENAMED:
            raise ConfigError(f"{path}: renamed: write {RENAMED[path]} instead")
        if path in RENAMED_VALUES and value == RENAMED_VALUES[path][0]:
            raise ConfigError(f"{path} = {value!r}: renamed: write {path} = {RENAMED_VALUES[path][1]!r} instead")
        if field is None:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{path}: unknown key (known here: {known})")
        hint = hints[key]
        if get_origin(hint) is dict:
            changes[key] = _policies(hint, getattr(base, key), value, path)
            if key == "suites" and set(changes[key]) - set(SUITES):
                unknown = sorted(set(changes[key]) - set(SUITES))[0]
                raise ConfigError(f"{path}.{unknown}: no such suite (suites: {', '.join(SUITES)})")
            continue
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: must be a table [{path}], got {value!r}")
            changes[key] = _build(hint, getattr(base, key), value, path)  # type: ignore[arg-type]
            continue
        converted = _convert(value, hint, path)
        check = field.metadata.get("check")
        problem = check(converted) if check and converted is not None else None
        if problem:
            raise ConfigError(f"{path}: must be {problem}, got {value!r}")
        changes[key] = converted
    return dataclasses.replace(base, **changes)  # type: ignore[type-var]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder; pass the opscheck.toml file inside it") from None
    except PermissionError:
        raise ConfigError(f"{path}: cannot be read (permission denied)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file (TOML expected)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


# What an overlay says about where the platform lives always wins (its project and how to
# reach it); anything else in an overlay is only a default for what the user did not set.
WHERE = {"gcp": ("project", "region"),
         "endpoints": ("bigquery", "storage", "pubsub", "run", "monitoring", "scheduler", "build", "logging",
                       "anonymous", "id_tokens")}


def _split_overlay(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An overlay's (defaults, where-the-platform-lives) parts."""
    defaults: dict[str, Any] = {}
    where: dict[str, Any] = {}
    for section, values in data.items():
        keys = WHERE.get(section, ())
        if not isinstance(values, Mapping):
            defaults[section] = values
            continue
        for key, value in values.items():
            (where if key in keys else defaults).setdefault(section, {})[key] = value
    return defaults, where


def load(
    path: Path | None,
    env: str | None = None,
    overlays: tuple[Path, ...] = (),
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Load the configuration in layers; later layers win.

    Overlays' defaults (e.g. the local platform's thresholds), then the file,
    then its `[env.NAME]`, then where the overlays say the platform lives
    (project, endpoints), then the command line. So a setting the user wrote
    wins over an overlay, except for where to reach the platform. Every
    environment of the file is validated, selected or not; an error names the
    file and the key.
    """
    config = Config()
    sources: list[str] = []
    parts = [(_split_overlay(_read_toml(overlay)), overlay) for overlay in overlays]
    for (defaults, _), overlay in parts:
        config = _apply(config, defaults, overlay)
    if path is not None:
        data = _read_toml(path)
        environments = data.pop("env", {})
        if not isinstance(environments, Mapping):
            raise ConfigError(f"{path}: env: must be tables [env.NAME], got {environments!r}")
        config = _apply(config, data, path)
        sources.append(str(path))
        for name, section in environments.items():  # a typo in any environment is caught now, not when used
            if not isinstance(section, Mapping):
                raise ConfigError(f"{path}: env.{name}: must be a table [env.{name}.SECTION], got {section!r}")
            _consistent(_apply(config, section, path, f"env.{name}"), f"{path}: [env.{name}]")
        if env is not None:
            if env not in environments:
                names = ", ".join(sorted(environments)) or "none defined"
                raise ConfigError(f"{path}: no environment [env.{env}] (environments: {names})")
            config = _apply(config, environments[env], path, f"env.{env}")
            sources.append(f"[env.{env}]")
    elif env is not None:
        raise ConfigError(f"--env {env}: no opscheck.toml found to define it")
    for (_, where), overlay in parts:
        config = _apply(config, where, overlay)
        sources.append(str(overlay))
    if overrides:
        config = _apply(config, overrides, Path("<command line>"))
    source = " + ".join(sources) or "<defaults>"
    return dataclasses.replace(_consistent(config, source), source=source)


def _apply(config: Config, data: Mapping[str, Any], path: Path, prefix: str = "") -> Config:
    try:
        return _build(Config, config, data, prefix)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _consistent(config: Config, where: str) -> Config:
    """`config` unless two of its settings contradict each other (checked once all layers are on)."""
    problem = _contradiction(config)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return config


def _contradiction(config: Config) -> str | None:
    """Settings that each look fine but together leave a check nothing to judge, or nothing to pass."""
    probes = config.probes
    if probes.min_delivery_attempts > probes.max_delivery_attempts:
        return (f"probes.min_delivery_attempts ({probes.min_delivery_attempts}) is above "
                f"probes.max_delivery_attempts ({probes.max_delivery_attempts}): no policy could pass; "
                "swap them")
    services = config.services.all
    repeated = sorted({name for name in services if services.count(name) > 1})
    if repeated:
        return (f"services: {', '.join(repeated)} is named twice (coordinator, worker and others must differ)")
    return None


SANDBOX_DIR_ENV = "OPSCHECK_SANDBOX_DIR"


def sandbox_dir(start: Path) -> Path:
    """The local platform's state folder: $OPSCHECK_SANDBOX_DIR, else `.sandbox` at the project's root.

    The root is the nearest folder at or above `start` holding opscheck.toml (as pytest finds its
    rootdir), so `pytest --target sandbox` and `opscheck sandbox status` agree from any subdirectory.
    """
    if os.environ.get(SANDBOX_DIR_ENV):
        return Path(os.environ[SANDBOX_DIR_ENV])
    found = find_config(start)
    return (found.parent if found else start) / ".sandbox"


def find_config(start: Path) -> Path | None:
    """The nearest `opscheck.toml` at or above `start`, as git finds `.git`."""
    for folder in (start, *start.parents):
        candidate = folder / "opscheck.toml"
        if candidate.is_file():
            return candidate
    return None
