"""What the local platform holds when healthy: tables, model store, team doc.

The season slice up to yesterday is loaded in bulk (predictions made with the
real models, in one batch per model); grading and subsets are then produced by
the platform's own services, and today's predictions go through the real path
(coordinator, Pub/Sub push, worker). All of it is a function of the seed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from opscheck import governance
from opscheck.sandbox import models, schema, season

Row = dict[str, Any]
MORNING_UTC = dt.time(12, 5)  # 07:05 in New York: the scheduler's run
RERUN_EVERY = 9  # every ninth game day was re-run once: older rows inactive
DEPLOYED_AT = "2026-02-01T02:00:00Z"
# The platform repository's history, as (name, commit time): an older commit some services
# may still run, then main, which every service was deployed from.
COMMITS = (("stale", "2026-01-20T18:00:00Z"), ("main", "2026-02-01T01:30:00Z"))


@dataclasses.dataclass(frozen=True)
class Clock:
    """Where the seeded season sits on the real clock.

    The checks measure ages against the real time (`as_of`), and the
    platform's services stamp what they write with it; so the season is laid
    on the real calendar: `season.TODAY` is the day the platform came up, and
    a game day D happened (TODAY - D) days before it.
    """

    now: dt.datetime

    def at(self, day: dt.date, time: dt.time = MORNING_UTC) -> str:
        """The real moment of `time` (UTC) on game day `day`."""
        return dt.datetime.combine(self.now.date() - (season.TODAY - day), time, dt.UTC).isoformat()


def _id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:20]


def manifest(trained: list[models.TrainedModel]) -> dict[str, Any]:
    """The manifest.json the model store holds, production model named."""
    return {
        "system_id": models.SYSTEM_ID,
        "production_model": models.PRODUCTION.file,
        "models": [manifest_entry(m) for m in trained],
    }


def manifest_entry(model: models.TrainedModel) -> dict[str, Any]:
    spec = model.spec
    return {
        "file": spec.file,
        "model_version": spec.version,
        "training_start_date": spec.training_start.isoformat(),
        "training_end_date": spec.training_end.isoformat(),
        "feature_count": season.FEATURE_COUNT,
        "sha256": model.sha256,
        "hit_rate": model.hit_rate,
        "status": spec.status,
        "created_at": spec.created_at.isoformat().replace("+00:00", "Z"),
    }


def registry_rows(manifest_data: dict[str, Any]) -> list[Row]:
    """ModelRegistry rows that agree with the manifest (what `registry sync` would write)."""
    return [{**row, "updated_at": row["created_at"]}
            for row in governance.registry_rows(manifest_data, schema.BUCKET, schema.MODEL_PREFIX)]


def team_doc(manifest_data: dict[str, Any], entry: dict[str, Any] | None = None) -> str:
    """The platform team's CLAUDE.md, whose MODEL section must match the manifest.

    `entry`: the model the section describes (default: the production one).
    """
    section = governance.model_section(entry or governance.production_entry(manifest_data))
    return (
        "# nba-props-platform\n\nPrediction platform notes for the team.\n\n"
        f"{section}\n\n## Runbooks\n\nSee docs/runbooks.\n"
    )


def reference_rows(seed: int, clock: Clock) -> dict[str, list[Row]]:
    """Schedule, prop lines, feature store and box scores of the season slice.

    The scrapers last ran when the platform came up: the schedule was
    refreshed then, and today's lines fetched then (earlier days' lines on
    their own mornings).
    """
    scraped = clock.now
    tables: dict[str, list[Row]] = {schema.SCHEDULE: [], schema.PROP_LINES: [],
                                    schema.FEATURES: [], schema.BOXSCORES: []}
    for day in season.days(season.SEASON_START, season.SCHEDULE_END):
        for game in season.games(seed, day):
            tables[schema.SCHEDULE].append({"game_date": day.isoformat(), "game_id": game.game_id,
                                            "home_team": game.home, "away_team": game.away,
                                            "updated_at": scraped.isoformat()})
        if day > season.TODAY:
            continue
        lines, features = day_rows(seed, day, scraped.isoformat() if day == season.TODAY
                                   else clock.at(day, dt.time(11, 0)))
        tables[schema.PROP_LINES] += lines
        tables[schema.FEATURES] += features
        if day < season.TODAY:
            tables[schema.BOXSCORES] += boxscore_rows(seed, day)
    return tables


def day_rows(seed: int, day: dt.date, scraped_at: str) -> tuple[list[Row], list[Row]]:
    """A game day's prop lines (as the scrapers fetch them that morning) and its feature rows."""
    lines: list[Row] = []
    features: list[Row] = []
    for pd in season.player_days(seed, day):
        key = {"game_date": day.isoformat(), "game_id": pd.game.game_id, "player_lookup": pd.player.lookup}
        lines.append({**key, "line_value": pd.line_value, "bookmaker": "consensus", "scraped_at": scraped_at})
        features.append({**key, "features": json.dumps(pd.features)})
    return lines, features


def boxscore_rows(seed: int, day: dt.date) -> list[Row]:
    """What the players scored on a game day (the grading service reads them the next night)."""
    return [{"game_date": day.isoformat(), "game_id": pd.game.game_id, "player_lookup": pd.player.lookup,
             "points": pd.actual_points} for pd in season.player_days(seed, day)]


def prediction_rows(seed: int, trained: dict[str, models.TrainedModel], clock: Clock) -> list[Row]:
    """Every prediction before today: production system by the serving model, plus a baseline."""
    before = season.TODAY - dt.timedelta(days=1)
    game_days = [d for d in season.days(season.SEASON_START, before) if season.is_game_day(d)]
    by_model: dict[str, list[season.PlayerDay]] = {}
    for day in game_days:
        by_model.setdefault(models.serving_model(day).status, []).extend(season.player_days(seed, day))
    rows: list[Row] = []
    for status, player_days in by_model.items():
        model = trained[status]
        predicted = model.predict([pd.features for pd in player_days])
        for pd, value in zip(player_days, predicted, strict=True):
            rows.extend(_predictions(pd, model.spec, value, game_days.index(pd.game.game_date), clock))
    return rows


def _predictions(pd: season.PlayerDay, spec: models.ModelSpec, value: float, index: int,
                 clock: Clock) -> list[Row]:
    day = pd.game.game_date
    common = {"game_date": day.isoformat(), "game_id": pd.game.game_id,
              "player_lookup": pd.player.lookup, "line_value": pd.line_value}
    out = []
    runs = [(value, True, MORNING_UTC)]
    if index % RERUN_EVERY == 0:  # an earlier run, superseded by the morning one
        runs.insert(0, (value + 0.7, False, dt.time(9, 30)))
    for points, active, time in runs:
        call, confidence = models.recommend(points, pd.line_value)
        out.append({**common, "prediction_id": _id(day, pd.player.lookup, models.SYSTEM_ID, time),
                    "system_id": models.SYSTEM_ID, "model_version": spec.version,
                    "predicted_points": round(points, 2), "recommendation": call,
                    "confidence": confidence, "is_active": active, "created_at": clock.at(day, time)})
    baseline = round(pd.features[0], 2)
    call, confidence = models.recommend(baseline, pd.line_value)
    out.append({**common, "prediction_id": _id(day, pd.player.lookup, schema.BASELINE_SYSTEM),
                "system_id": schema.BASELINE_SYSTEM, "model_version": "ma_10g",
                "predicted_points": baseline, "recommendation": call, "confidence": confidence,
                "is_active": True, "created_at": clock.at(day)})
    return out


def image(project: str, service: str, commit: str) -> str:
    """The container image Cloud Build pushes for `service` at `commit` (the tag is the short commit)."""
    return f"us-west2-docker.pkg.dev/{project}/services/{service}:{commit[:12]}"


def build(project: str, service: str, commit: str, created: str, failure: str = "") -> dict[str, Any]:
    """One Cloud Build build (REST JSON) of Cloud Run's continuous deployment: it builds, pushes, deploys.

    A failed build pushes nothing (no `results.images`) and deploys nothing: the revision it would have
    made does not exist, so the previous one keeps serving.
    """
    build_id = str(uuid.UUID(hashlib.sha256(f"{service}|{commit}|{created}".encode()).hexdigest()[:32]))
    started = dt.datetime.fromisoformat(created) + dt.timedelta(seconds=4)
    finished = started + dt.timedelta(seconds=95 if not failure else 41)
    pushed = image(project, service, commit)
    record: dict[str, Any] = {
        "id": build_id, "location": "global", "projectId": project,
        "status": "FAILURE" if failure else "SUCCESS", "statusDetail": failure,
        "substitutions": {"COMMIT_SHA": commit, "SHORT_SHA": commit[:7], "BRANCH_NAME": "main",
                          "REPO_NAME": "nba-props-platform", "_SERVICE_NAME": service, "_DEPLOY_REGION": "us-west2"},
        "tags": ["gcp-cloud-build-deploy-cloud-run", "gcp-cloud-build-deploy-cloud-run-managed", service],
        "images": [pushed],
        "createTime": created, "startTime": started.isoformat().replace("+00:00", "Z"),
        "finishTime": finished.isoformat().replace("+00:00", "Z"),
        "logUrl": f"https://console.cloud.google.com/cloud-build/builds;region=global/{build_id}?project={project}",
    }
    if not failure:
        record["results"] = {"images": [{"name": pushed, "digest": "sha256:" + hashlib.sha256(
            pushed.encode()).hexdigest()}]}
    return record


def builds(project: str, services: tuple[str, ...], commits: dict[str, str]) -> list[dict[str, Any]]:
    """The build history: every service built (and deployed) from each commit of the repository, in order."""
    return [build(project, service, commits[name], (dt.datetime.fromisoformat(when) + dt.timedelta(minutes=2 + index))
                  .isoformat().replace("+00:00", "Z"))
            for name, when in COMMITS for index, service in enumerate(services)]
