"""Configuration: `opscheck.toml`, parsed once into frozen, validated objects.

Why this shape: every name of the platform (project, tables, bucket, topics,
services) is a default a user can point elsewhere without code changes, and a
typo in any of them must stop the session before a check runs, with one line
naming the key and the file. The dataclasses below *are* the schema: the loader
walks their fields, so a key that no field names is unknown by construction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
import types
import typing
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from opscheck.errors import ConfigError

Mode = Literal["live", "offline", "record"]
Target = Literal["gcp", "sandbox"]
CanaryVia = Literal["subscription", "worker"]
HitRateRule = Literal["guard", "rolling"]

_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?(/[^\s]*)?$")
_TABLE = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+){1,2}$")
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")


def _url(value: str) -> str | None:
    match = _URL.match(value)
    if value and (not match or (match.group(1) and not 0 < int(match.group(1)[1:]) < 65536)):
        return "a URL like http://host:port (port 1-65535)"
    return None


def _table(value: str) -> str | None:
    return None if _TABLE.match(value) else "a table name like dataset.table"


def _name(value: str) -> str | None:
    return None if _NAME.match(value) else "a resource name (letters, digits, . _ -)"


def _column(value: str) -> str | None:
    return None if _COLUMN.match(value) else "a column name (letters, digits, _)"


def commit_problem(value: str) -> str | None:
    """What a commit id must be, when `value` is not one ("" is: nothing given)."""
    return None if not value or _COMMIT.match(value) else "a commit SHA (7-40 hex digits)"


def _zone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "an IANA time zone like America/New_York"
    return None


def _share(value: float) -> str | None:
    """A fraction a check compares with: 0 would switch the check off."""
    return None if 0.0 < value <= 1.0 else "a fraction above 0 and at most 1 (0 would switch the check off)"


def _drop(value: float) -> str | None:
    return None if 0.0 < value < 1.0 else "a fraction between 0 and 1, both excluded (either end switches it off)"


def _positive(value: float) -> str | None:
    return None if 0 < value < float("inf") else "a positive, finite number"


def _up_to(limit: float, unit: str) -> Any:
    """A positive number no larger than `limit`: beyond it a threshold no longer judges anything."""
    def check(value: float) -> str | None:
        if not 0 < value <= limit:
            return f"a positive number of {unit}, at most {limit:g}"
        return None
    return check


def _attempts(value: int) -> str | None:
    return None if 5 <= value <= 100 else "between 5 and 100 (the range Pub/Sub allows)"


def _names(values: tuple[str, ...]) -> str | None:
    """Resource names, none repeated."""
    bad = [v for v in values if _name(v)]
    if bad:
        return f"a list of resource names (letters, digits, . _ -), not {bad[0]!r}"
    repeated = sorted({v for v in values if values.count(v) > 1})
    return f"a list without repeats ({', '.join(repeated)} twice)" if repeated else None


def _some_names(values: tuple[str, ...]) -> str | None:
    if not values:
        return "a list of at least one name (an empty list would judge nothing)"
    return _names(values)


def _offset(value: float) -> str | None:
    return None if abs(value) <= 100 * 366 * 86400 else "a number of seconds within a century either way"


def _check(fn: Any) -> dict[str, Any]:
    return {"check": fn}


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """How a session runs: mode, where live calls go, which recording replays."""

    mode: Mode = "offline"
    target: Target = "gcp"
    scenario: str = dataclasses.field(default="healthy", metadata=_check(_name))
    timezone: str = dataclasses.field(default="America/New_York", metadata=_check(_zone))
    # Pins "today" (the platform's date); unset means the current date in `timezone`.
    today: dt.date | None = None
    # The longest --dates range a run takes (a season): a typo in a year must not query decades.
    max_dates: int = dataclasses.field(default=250, metadata=_check(_up_to(3660, "days")))
    # Seconds the platform's clock runs ahead of this machine's (behind: negative). 0 for Google Cloud; the
    # local platform lives on its own day (2026-02-09), and every age is measured on the platform's clock.
    clock_offset_seconds: float = dataclasses.field(default=0.0, metadata=_check(_offset))


@dataclasses.dataclass(frozen=True)
class GcpConfig:
    project: str = dataclasses.field(default="nba-props-platform", metadata=_check(_name))
    # Also BigQuery's job location: the datasets live there.
    region: str = dataclasses.field(default="us-west2", metadata=_check(_name))
    # A query that would bill more than this fails instead (a season-long --dates run whose
    # partition pruning broke must not bill silently).
    max_bytes_billed: int = dataclasses.field(default=20 * 10**9, metadata=_check(_positive))


@dataclasses.dataclass(frozen=True)
class TablesConfig:
    """Tables as `dataset.table` (the project is `gcp.project`) or `project.dataset.table`."""

    predictions: str = dataclasses.field(
        default="nba_predictions.player_prop_predictions", metadata=_check(_table)
    )
    subset_picks: str = dataclasses.field(
        default="nba_predictions.current_subset_picks", metadata=_check(_table)
    )
    accuracy: str = dataclasses.field(
        default="nba_predictions.prediction_accuracy", metadata=_check(_table)
    )
    registry: str = dataclasses.field(
        default="nba_predictions.model_registry", metadata=_check(_table)
    )
    prop_lines: str = dataclasses.field(
        default="nba_raw.player_prop_lines", metadata=_check(_table)
    )
    schedule: str = dataclasses.field(default="nba_reference.schedule", metadata=_check(_table))


@dataclasses.dataclass(frozen=True)
class ModelsConfig:
    system_id: str = dataclasses.field(default="catboost_v9", metadata=_check(_name))
    bucket: str = dataclasses.field(default="nba-props-platform-models", metadata=_check(_name))
    prefix: str = "catboost/v9/"
    manifest: str = "catboost/v9/manifest.json"
    model_path_env: str = dataclasses.field(default="CATBOOST_V9_MODEL_PATH", metadata=_check(_name))
    # The team's doc whose MODEL section must match the manifest: a path in the
    # platform checkout ([repo] path), an absolute path, or gs://bucket/object.
    team_doc: str = "CLAUDE.md"
    # Golden samples (features and the predictions made at training time), one
    # JSON file per model file; empty means the bundled fixtures/golden.
    golden_dir: str = ""
    # How far (points) a re-scored golden row may be from its stored prediction.
    golden_tolerance: float = dataclasses.field(default=0.01, metadata=_check(_up_to(1, "points")))


@dataclasses.dataclass(frozen=True)
class PubsubConfig:
    request_topic: str = dataclasses.field(default="prediction-request-prod", metadata=_check(_name))
    push_subscription: str = dataclasses.field(
        default="prediction-request-prod-push", metadata=_check(_name)
    )
    dead_letter_topic: str = dataclasses.field(
        default="prediction-request-dlq", metadata=_check(_name)
    )
    dead_letter_subscription: str = dataclasses.field(
        default="prediction-request-dlq-sub", metadata=_check(_name)
    )


@dataclasses.dataclass(frozen=True)
class ServicesConfig:
    coordinator: str = dataclasses.field(default="prediction-coordinator", metadata=_check(_name))
    worker: str = dataclasses.field(default="prediction-worker", metadata=_check(_name))
    others: tuple[str, ...] = dataclasses.field(default=("grading", "scrapers", "subset-materializer"),
                                         metadata=_check(_names))
    # The commit every service's revision must carry (the deploy gate). Empty: from
    # --expect-commit, OPSCHECK_COMMIT, else the HEAD of the platform checkout ([repo] path).
    expected_commit: str = dataclasses.field(default="", metadata=_check(commit_problem))
    # The worker's floor of min instances: below it, cold starts answer 503 to pushes (incident 9).
    worker_min_instances: int = dataclasses.field(default=1, metadata=_check(_up_to(1000, "instances")))

    @property
    def all(self) -> tuple[str, ...]:
        return (self.coordinator, self.worker, *self.others)


@dataclasses.dataclass(frozen=True)
class RepoConfig:
    """A checkout of the platform's repository (also `--platform-repo PATH`): team doc, HEAD commit."""

    path: str = ""


@dataclasses.dataclass(frozen=True)
class SubsetsConfig:
    names: tuple[str, ...] = dataclasses.field(default=("top_confidence", "high_edge", "best_bets"),
                                        metadata=_check(_some_names))


@dataclasses.dataclass(frozen=True)
class ThresholdsConfig:
    coverage_floor: float = dataclasses.field(default=0.9, metadata=_check(_share))
    lookback_days: int = dataclasses.field(default=14, metadata=_check(_up_to(120, "days")))
    grading_coverage_floor: float = dataclasses.field(default=0.9, metadata=_check(_share))
    hit_rate_window_days: int = dataclasses.field(default=7, metadata=_check(_up_to(60, "days")))
    hit_rate_max_drop: float = dataclasses.field(default=0.10, metadata=_check(_drop))
    hit_rate_floor: float = dataclasses.field(default=0.55, metadata=_check(_drop))
    # "guard": the sequential GLR test of opscheck/guard.py, with the floor as a backstop; "rolling": the
    # 7-day rate against registry minus hit_rate_max_drop (the old rule, kept to compare).
    hit_rate_rule: HitRateRule = "guard"
    hit_rate_guard_min_drop: float = dataclasses.field(default=0.05, metadata=_check(_drop))
    hit_rate_false_alarms_per_season: float = dataclasses.field(default=0.1, metadata=_check(_share))
    season_days: int = dataclasses.field(default=110, metadata=_check(_up_to(366, "days")))
    freshness_hours: float = dataclasses.field(default=36.0, metadata=_check(_up_to(168, "hours")))
    # A predicted value further than this from its prop line is a broken model or feature, not an edge.
    max_edge_points: float = dataclasses.field(default=25.0, metadata=_check(_up_to(100, "points")))


@dataclasses.dataclass(frozen=True)
class FreshnessConfig:
    """The timestamp column that says when data landed, per table the morning run depends on.

    Freshness is read from the data: a table's lastModifiedTime also moves
    when only its labels or schema change.
    """

    prop_lines: str = dataclasses.field(default="scraped_at", metadata=_check(_column))
    schedule: str = dataclasses.field(default="updated_at", metadata=_check(_column))
    predictions: str = dataclasses.field(default="created_at", metadata=_check(_column))


@dataclasses.dataclass(frozen=True)
class ProbesConfig:
    """The delivery probes' expectations and patience (`pytest -m probe`)."""

    # The push subscription's ack deadline must cover the worker's 95th-percentile latency.
    worker_p95_seconds: float = dataclasses.field(default=20.0, metadata=_check(_up_to(600, "seconds")))
    # The dead-letter policy's max delivery attempts must lie in this range (Pub/Sub allows 5-100).
    min_delivery_attempts: int = dataclasses.field(default=5, metadata=_check(_attempts))
    max_delivery_attempts: int = dataclasses.field(default=10, metadata=_check(_attempts))
    # The push subscription's backlog: more, or older, means delivery is failing.
    backlog_max_messages: int = dataclasses.field(default=1000, metadata=_check(_up_to(10**6, "messages")))
    backlog_max_age_seconds: float = dataclasses.field(default=600.0,
                                                   metadata=_check(_up_to(7 * 86400, "seconds")))
    # A batch still at 0/N after this long is stalled; so is one without progress for the second.
    stall_zero_seconds: float = dataclasses.field(default=60.0, metadata=_check(_up_to(86400, "seconds")))
    stall_progress_seconds: float = dataclasses.field(default=180.0, metadata=_check(_up_to(86400, "seconds")))
    # Rows older than this that the coordinator's tracker does not count mean the tracker is stuck.
    tracker_grace_seconds: float = dataclasses.field(default=10.0, metadata=_check(_up_to(600, "seconds")))
    # How far back the diagnosis looks for refused pushes (5xx) in Monitoring.
    recent_minutes: int = dataclasses.field(default=15, metadata=_check(_up_to(1440, "minutes")))
    # Active probes ([active]): canary messages, how they are seen delivered, deadlines, batch size.
    canary_messages: int = dataclasses.field(default=3, metadata=_check(_up_to(100, "messages")))
    canary_via: CanaryVia = "subscription"
    canary_deadline_seconds: float = dataclasses.field(default=20.0, metadata=_check(_up_to(600, "seconds")))
    batch_players: int = dataclasses.field(default=2, metadata=_check(_up_to(50, "players")))
    batch_deadline_seconds: float = dataclasses.field(default=20.0, metadata=_check(_up_to(600, "seconds")))


@dataclasses.dataclass(frozen=True)
class EndpointsConfig:
    """Where live calls go. Empty means Google's own endpoint for that service."""

    bigquery: str = dataclasses.field(default="", metadata=_check(_url))
    storage: str = dataclasses.field(default="", metadata=_check(_url))
    pubsub: str = dataclasses.field(default="", metadata=_check(_url))
    run: str = dataclasses.field(default="", metadata=_check(_url))
    monitoring: str = dataclasses.field(default="", metadata=_check(_url))
    # Anonymous credentials are only sane against stand-ins; Google needs ADC.
    anonymous: bool = False
    # Cloud Run services behind IAM need an ID token; stand-ins do not.
    id_tokens: bool = True
    # With a person's credentials (gcloud auth application-default login), ID tokens are minted by
    # impersonating this service account (it needs roles/run.invoker; you, roles/iam.serviceAccountTokenCreator).
    invoker_service_account: str = ""
    timeout_seconds: float = dataclasses.field(default=30.0, metadata=_check(_up_to(600, "seconds")))


@dataclasses.dataclass(frozen=True)
class Config:
    """The whole configuration of one session."""

    run: RunConfig = RunConfig()
    gcp: GcpConfig = GcpConfig()
    tables: TablesConfig = TablesConfig()
    models: ModelsConfig = ModelsConfig()
    pubsub: PubsubConfig = PubsubConfig()
    services: ServicesConfig = ServicesConfig()
    repo: RepoConfig = RepoConfig()
    subsets: SubsetsConfig = SubsetsConfig()
    thresholds: ThresholdsConfig = ThresholdsConfig()
    freshness: FreshnessConfig = FreshnessConfig()
    probes: ProbesConfig = ProbesConfig()
    endpoints: EndpointsConfig = EndpointsConfig()
    # Where the values came from, for error messages and the report header.
    source: str = dataclasses.field(default="<defaults>", compare=False)

    def table(self, key: str) -> str:
        """The fully qualified `project.dataset.table` of a configured table."""
        name: str = getattr(self.tables, key)
        return name if name.count(".") == 2 else f"{self.gcp.project}.{name}"

    def now(self) -> dt.datetime:
        """The platform's clock: this machine's, moved by `run.clock_offset_seconds`, in the configured zone."""
        moved = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.run.clock_offset_seconds)
        return moved.astimezone(zoneinfo.ZoneInfo(self.run.timezone))

    def today(self) -> dt.date:
        """The platform's "today": pinned in config, else the platform clock's date in the configured zone."""
        if self.run.today is not None:
            return self.run.today
        return self.now().date()


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
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: must be a list of strings, got {value!r}")
        return tuple(value)
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


def _build(cls: type[_T], base: _T, data: Mapping[str, Any], where: str) -> _T:
    """Overlay `data` on `base` (an instance of `cls`), validating every key."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key)
        path = f"{where}.{key}" if where else key
        if field is None:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{path}: unknown key (known here: {known})")
        hint = hints[key]
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
         "endpoints": ("bigquery", "storage", "pubsub", "run", "monitoring", "anonymous", "id_tokens")}


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


def find_config(start: Path) -> Path | None:
    """The nearest `opscheck.toml` at or above `start`, as git finds `.git`."""
    for folder in (start, *start.parents):
        candidate = folder / "opscheck.toml"
        if candidate.is_file():
            return candidate
    return None
