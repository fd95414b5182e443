"""The schema of opscheck.toml: one frozen dataclass a section, each field with its default and its check.

The dataclasses *are* the schema: the loader walks their fields, so a key that no field names is
unknown by construction, and every default is a name of PLATFORM.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from typing import Literal

from opscheck.config.oncall import BackfillConfig, HistoryConfig, Policy, Window
from opscheck.config.values import (
    attempts,
    check,
    column_name,
    commit_problem,
    drop,
    names,
    offset,
    positive,
    resource_name,
    share,
    some_names,
    table_name,
    up_to,
    url,
    zone,
)

Mode = Literal["live", "offline", "record"]
Target = Literal["gcp", "sandbox"]
CanaryVia = Literal["subscription", "worker"]
HitRateRule = Literal["changepoint", "rolling"]

@dataclasses.dataclass(frozen=True)
class RunConfig:
    """How a session runs: mode, where live calls go, which recording replays."""

    mode: Mode = "offline"
    target: Target = "gcp"
    scenario: str = dataclasses.field(default="healthy", metadata=check(resource_name))
    timezone: str = dataclasses.field(default="America/New_York", metadata=check(zone))
    # Pins "today" (the platform's date); unset means the current date in `timezone`.
    today: dt.date | None = None
    # The longest --dates range a run takes (a season): a typo in a year must not query decades.
    max_dates: int = dataclasses.field(default=250, metadata=check(up_to(3660, "days")))
    # Seconds the platform's clock runs ahead of this machine's (behind: negative). 0 for Google Cloud; the
    # local platform lives on its own day (2026-02-09), and every age is measured on the platform's clock.
    clock_offset_seconds: float = dataclasses.field(default=0.0, metadata=check(offset))
    # Where the bundled recordings (recordings/) and golden samples (golden/) live; relative to where
    # the run starts (pytest's rootdir, a command's current folder). The session makes it absolute.
    fixtures: str = "fixtures"


@dataclasses.dataclass(frozen=True)
class GcpConfig:
    project: str = dataclasses.field(default="nba-props-platform", metadata=check(resource_name))
    # Also BigQuery's job location: the datasets live there.
    region: str = dataclasses.field(default="us-west2", metadata=check(resource_name))
    # A query that would bill more than this fails instead (a season-long --dates run whose
    # partition pruning broke must not bill silently).
    max_bytes_billed: int = dataclasses.field(default=20 * 10**9, metadata=check(positive))
    # Where the services' Cloud Build builds run: "global" unless the deploy triggers are regional.
    build_location: str = dataclasses.field(default="global", metadata=check(resource_name))


@dataclasses.dataclass(frozen=True)
class TablesConfig:
    """Freshness as `dataset.table` (the project is `gcp.project`) or `project.dataset.table`."""

    predictions: str = dataclasses.field(
        default="nba_predictions.player_prop_predictions", metadata=check(table_name)
    )
    subset_picks: str = dataclasses.field(
        default="nba_predictions.current_subset_picks", metadata=check(table_name)
    )
    accuracy: str = dataclasses.field(
        default="nba_predictions.prediction_accuracy", metadata=check(table_name)
    )
    registry: str = dataclasses.field(
        default="nba_predictions.model_registry", metadata=check(table_name)
    )
    prop_lines: str = dataclasses.field(
        default="nba_raw.player_prop_lines", metadata=check(table_name)
    )
    schedule: str = dataclasses.field(default="nba_reference.schedule", metadata=check(table_name))
    # The feature rows the worker scored (game_date, game_id, player_lookup, features: a JSON array in the
    # model's feature order): what the deploy gate backtests a candidate model on.
    features: str = dataclasses.field(default="nba_predictions.ml_feature_store", metadata=check(table_name))


@dataclasses.dataclass(frozen=True)
class ModelsConfig:
    system_id: str = dataclasses.field(default="catboost_v9", metadata=check(resource_name))
    bucket: str = dataclasses.field(default="nba-props-platform-models", metadata=check(resource_name))
    prefix: str = "catboost/v9/"
    manifest: str = "catboost/v9/manifest.json"
    model_path_env: str = dataclasses.field(default="CATBOOST_V9_MODEL_PATH", metadata=check(resource_name))
    # The team's doc whose MODEL section must match the manifest: a path in the
    # platform checkout ([repo] path), an absolute path, or gs://bucket/object.
    team_doc: str = "CLAUDE.md"
    # Golden samples (features and the predictions made at training time), one
    # JSON file per model file; empty means golden/ of run.fixtures.
    golden_dir: str = ""
    # How far (points) a re-scored golden row may be from its stored prediction.
    golden_tolerance: float = dataclasses.field(default=0.01, metadata=check(up_to(1, "points")))
    # The worker's rule, which the backtest applies to a candidate's predictions: within this many points of
    # the line is a PASS, else OVER or UNDER.
    pass_edge: float = dataclasses.field(default=1.0, metadata=check(up_to(20, "points")))


@dataclasses.dataclass(frozen=True)
class PubsubConfig:
    request_topic: str = dataclasses.field(default="prediction-request-prod", metadata=check(resource_name))
    push_subscription: str = dataclasses.field(
        default="prediction-request-prod-push", metadata=check(resource_name)
    )
    dead_letter_topic: str = dataclasses.field(
        default="prediction-request-dlq", metadata=check(resource_name)
    )
    dead_letter_subscription: str = dataclasses.field(
        default="prediction-request-dlq-sub", metadata=check(resource_name)
    )


@dataclasses.dataclass(frozen=True)
class ServicesConfig:
    coordinator: str = dataclasses.field(default="prediction-coordinator", metadata=check(resource_name))
    worker: str = dataclasses.field(default="prediction-worker", metadata=check(resource_name))
    others: tuple[str, ...] = dataclasses.field(default=("grading", "scrapers", "subset-materializer"),
                                         metadata=check(names))
    # The commit every service's revision must carry (the deploy gate). Empty: from
    # --expect-commit, OPSCHECK_COMMIT, else the HEAD of the platform checkout ([repo] path).
    expected_commit: str = dataclasses.field(default="", metadata=check(commit_problem))
    # The worker's floor of min instances: below it, cold starts answer 503 to pushes (incident 9).
    worker_min_instances: int = dataclasses.field(default=1, metadata=check(up_to(1000, "instances")))
    # Which of `others` materialises the subset picks (POST /materialize): what a backfill calls after /start.
    materializer: str = dataclasses.field(default="subset-materializer", metadata=check(resource_name))
    # The Cloud Scheduler job (in gcp.region) that calls the coordinator's /start each morning.
    morning_job: str = dataclasses.field(default="morning-predictions", metadata=check(resource_name))

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
                                        metadata=check(some_names))


@dataclasses.dataclass(frozen=True)
class ThresholdsConfig:
    coverage_floor: float = dataclasses.field(default=0.9, metadata=check(share))
    lookback_days: int = dataclasses.field(default=14, metadata=check(up_to(120, "days")))
    grading_coverage_floor: float = dataclasses.field(default=0.9, metadata=check(share))
    hit_rate_window_days: int = dataclasses.field(default=7, metadata=check(up_to(60, "days")))
    hit_rate_max_drop: float = dataclasses.field(default=0.10, metadata=check(drop))
    hit_rate_floor: float = dataclasses.field(default=0.55, metadata=check(drop))
    # "changepoint": the sequential GLR change-point test of opscheck/views/changepoint.py, with the floor
    # as a backstop; "rolling": the 7-day rate against registry minus hit_rate_max_drop (the old rule).
    hit_rate_rule: HitRateRule = "changepoint"
    hit_rate_min_drop: float = dataclasses.field(default=0.05, metadata=check(drop))
    hit_rate_false_alarms_per_season: float = dataclasses.field(default=0.1, metadata=check(share))
    season_days: int = dataclasses.field(default=110, metadata=check(up_to(366, "days")))
    freshness_hours: float = dataclasses.field(default=36.0, metadata=check(up_to(168, "hours")))
    # A predicted value further than this from its prop line is a broken model or feature, not an edge.
    max_edge_points: float = dataclasses.field(default=25.0, metadata=check(up_to(100, "points")))
    # A day's prop line is judged against the player's own lines of this many days before it (at least
    # line_min_history of them); it moved when further from their mean than line_move_sd spreads and
    # line_move_points points. More than line_moved_share of the judged lines moved fails the day: a
    # scraper in the wrong unit, or another market's numbers. A line above max_line_points cannot be.
    line_lookback_days: int = dataclasses.field(default=30, metadata=check(up_to(120, "days")))
    line_min_history: int = dataclasses.field(default=3, metadata=check(up_to(120, "days")))
    line_move_sd: float = dataclasses.field(default=5.0, metadata=check(up_to(100, "spreads")))
    line_move_points: float = dataclasses.field(default=4.0, metadata=check(up_to(100, "points")))
    line_moved_share: float = dataclasses.field(default=0.2, metadata=check(share))
    max_line_points: float = dataclasses.field(default=80.0, metadata=check(up_to(200, "points")))
    # ERROR-or-worse log entries of the coordinator and worker since the morning run started: more fails.
    max_error_logs: int = dataclasses.field(default=5, metadata=check(up_to(10**6, "entries")))
    # The most log entries one run reads (one bounded, paged query: Logging allows 60 reads a minute).
    error_logs_read: int = dataclasses.field(default=1000, metadata=check(up_to(10**5, "entries")))
    # The deploy gate's backtest: a candidate model scored on the last backtest_days graded days after its
    # training window, against the serving model on the same picks. It fails when the serving model's hit
    # rate is above the candidate's by more than backtest_margin with backtest_confidence (a one-sided
    # paired test); fewer than backtest_min_picks shared picks is too few to judge (skipped, saying so).
    backtest_days: int = dataclasses.field(default=14, metadata=check(up_to(120, "days")))
    backtest_margin: float = dataclasses.field(default=0.03, metadata=check(drop))
    backtest_confidence: float = dataclasses.field(default=0.95, metadata=check(share))
    backtest_min_picks: int = dataclasses.field(default=100, metadata=check(up_to(10**6, "picks")))
    # Prediction drift: today's predictions of the serving model against its own previous days once it has
    # served drift_reference_days of the lookback_days before today, else the previous model's last ones.
    # Each distribution (edge, calls, confidence; how edges follow the line) alarms at a false-alarm rate of
    # drift_false_alarms_per_season over season_days, and only on a gap of at least drift_min_gap (a share)
    # or drift_min_slope (edge points per point of line).
    drift_reference_days: int = dataclasses.field(default=3, metadata=check(up_to(60, "days")))
    drift_false_alarms_per_season: float = dataclasses.field(default=0.1, metadata=check(share))
    drift_min_gap: float = dataclasses.field(default=0.15, metadata=check(share))
    drift_min_slope: float = dataclasses.field(default=0.3, metadata=check(up_to(10, "points per point")))


@dataclasses.dataclass(frozen=True)
class FreshnessConfig:
    """The timestamp column that says when data landed, per table the morning run depends on.

    Freshness is read from the data: a table's lastModifiedTime also moves
    when only its labels or schema change.
    """

    prop_lines: str = dataclasses.field(default="scraped_at", metadata=check(column_name))
    schedule: str = dataclasses.field(default="updated_at", metadata=check(column_name))
    predictions: str = dataclasses.field(default="created_at", metadata=check(column_name))


@dataclasses.dataclass(frozen=True)
class ProbesConfig:
    """The delivery probes' expectations and patience (`pytest -m probe`)."""

    # The push subscription's ack deadline must cover the worker's 95th-percentile latency.
    worker_p95_seconds: float = dataclasses.field(default=20.0, metadata=check(up_to(600, "seconds")))
    # The dead-letter policy's max delivery attempts must lie in this range (Pub/Sub allows 5-100).
    min_delivery_attempts: int = dataclasses.field(default=5, metadata=check(attempts))
    max_delivery_attempts: int = dataclasses.field(default=10, metadata=check(attempts))
    # The push subscription's backlog: more, or older, means delivery is failing.
    backlog_max_messages: int = dataclasses.field(default=1000, metadata=check(up_to(10**6, "messages")))
    backlog_max_age_seconds: float = dataclasses.field(default=600.0,
                                                   metadata=check(up_to(7 * 86400, "seconds")))
    # A batch still at 0/N after this long is stalled; so is one without progress for the second.
    stall_zero_seconds: float = dataclasses.field(default=60.0, metadata=check(up_to(86400, "seconds")))
    stall_progress_seconds: float = dataclasses.field(default=180.0, metadata=check(up_to(86400, "seconds")))
    # Rows older than this that the coordinator's tracker does not count mean the tracker is stuck.
    tracker_grace_seconds: float = dataclasses.field(default=10.0, metadata=check(up_to(600, "seconds")))
    # How far back the diagnosis looks for refused pushes (5xx) in Monitoring.
    recent_minutes: int = dataclasses.field(default=15, metadata=check(up_to(1440, "minutes")))
    # Active probes ([active]): canary messages, how they are seen delivered, deadlines, batch size.
    canary_messages: int = dataclasses.field(default=3, metadata=check(up_to(100, "messages")))
    canary_via: CanaryVia = "subscription"
    canary_deadline_seconds: float = dataclasses.field(default=20.0, metadata=check(up_to(600, "seconds")))
    batch_players: int = dataclasses.field(default=2, metadata=check(up_to(50, "players")))
    batch_deadline_seconds: float = dataclasses.field(default=20.0, metadata=check(up_to(600, "seconds")))


@dataclasses.dataclass(frozen=True)
class EndpointsConfig:
    """Where live calls go. Empty means Google's own endpoint for that service."""

    bigquery: str = dataclasses.field(default="", metadata=check(url))
    storage: str = dataclasses.field(default="", metadata=check(url))
    pubsub: str = dataclasses.field(default="", metadata=check(url))
    run: str = dataclasses.field(default="", metadata=check(url))
    monitoring: str = dataclasses.field(default="", metadata=check(url))
    scheduler: str = dataclasses.field(default="", metadata=check(url))
    build: str = dataclasses.field(default="", metadata=check(url))
    logging: str = dataclasses.field(default="", metadata=check(url))
    # Anonymous credentials are only sane against stand-ins; Google needs ADC.
    anonymous: bool = False
    # Cloud Run services behind IAM need an ID token; stand-ins do not.
    id_tokens: bool = True
    # With a person's credentials (gcloud auth application-default login), ID tokens are minted by
    # impersonating this service account (it needs roles/run.invoker; you, roles/iam.serviceAccountTokenCreator).
    invoker_service_account: str = ""
    timeout_seconds: float = dataclasses.field(default=30.0, metadata=check(up_to(600, "seconds")))


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
    history: HistoryConfig = HistoryConfig()
    backfill: BackfillConfig = BackfillConfig()
    # Per suite ([suites.daily]) and per check ([checks.test_prediction_drift]): severity, owner, runbook;
    # a check's own entry wins, field by field, over its suite's; unset, a failure fails the run.
    suites: dict[str, Policy] = dataclasses.field(default_factory=dict)
    checks: dict[str, Policy] = dataclasses.field(default_factory=dict)
    maintenance: tuple[Window, ...] = ()  # [[maintenance]] start, end, checks, why
    # Where the values came from, for error messages and the report header.
    source: str = dataclasses.field(default="<defaults>", compare=False)

    def table(self, key: str) -> str:
        """The fully qualified `project.dataset.table` of a configured table."""
        return self.table_id(getattr(self.tables, key))

    def table_id(self, name: str) -> str:
        """`dataset.table` in gcp.project, or already `project.dataset.table`."""
        return name if name.count(".") == 2 else f"{self.gcp.project}.{name}"

    def policy(self, name: str, suites: list[str]) -> Policy:
        """Check `name`'s severity, owner and runbook: its own entry's, else its first configured suite's."""
        layers = [self.checks.get(name), *(self.suites.get(s) for s in suites)]
        found = [layer for layer in layers if layer is not None]
        return Policy(severity=next((p.severity for p in found if p.severity), "fail"),
                      owner=next((p.owner for p in found if p.owner), ""),
                      runbook=next((p.runbook for p in found if p.runbook), ""))

    def now(self) -> dt.datetime:
        """The platform's clock: this machine's, moved by `run.clock_offset_seconds`, in the configured zone."""
        moved = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.run.clock_offset_seconds)
        return moved.astimezone(zoneinfo.ZoneInfo(self.run.timezone))

    def today(self) -> dt.date:
        """The platform's "today": pinned in config, else the platform clock's date in the configured zone."""
        if self.run.today is not None:
            return self.run.today
        return self.now().date()


