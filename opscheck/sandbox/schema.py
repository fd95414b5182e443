"""The warehouse, bucket and topics of the platform, as the platform's code names them.

These are the production names of PLATFORM.md. They live here, not in
opscheck's configuration, because they belong to the platform the sandbox
imitates, whose code does not read opscheck.toml.
"""

from __future__ import annotations

PREDICTIONS = "nba_predictions.player_prop_predictions"
SUBSET_PICKS = "nba_predictions.current_subset_picks"
ACCURACY = "nba_predictions.prediction_accuracy"
REGISTRY = "nba_predictions.model_registry"
FEATURES = "nba_predictions.ml_feature_store"
PROP_LINES = "nba_raw.player_prop_lines"
BOXSCORES = "nba_raw.player_boxscores"
SCHEDULE = "nba_reference.schedule"

DATASETS = ("nba_predictions", "nba_raw", "nba_reference")
BUCKET = "nba-props-platform-models"
MODEL_PREFIX = "catboost/v9/"
MANIFEST = MODEL_PREFIX + "manifest.json"
REQUEST_TOPIC = "prediction-request-prod"
PUSH_SUBSCRIPTION = "prediction-request-prod-push"
DEAD_LETTER_TOPIC = "prediction-request-dlq"
DEAD_LETTER_SUBSCRIPTION = "prediction-request-dlq-sub"
MODEL_PATH_ENV = "CATBOOST_V9_MODEL_PATH"
BASELINE_SYSTEM = "points_ma_baseline"

TABLES = {
    PREDICTIONS: """prediction_id STRING, game_date DATE, game_id STRING, player_lookup STRING,
        system_id STRING, model_version STRING, line_value FLOAT64, predicted_points FLOAT64,
        recommendation STRING, confidence FLOAT64, is_active BOOL, created_at TIMESTAMP""",
    SUBSET_PICKS: """game_date DATE, subset_name STRING, player_lookup STRING, prediction_id STRING,
        system_id STRING, model_version STRING, materialized_at TIMESTAMP""",
    ACCURACY: """game_date DATE, prediction_id STRING, system_id STRING, model_version STRING,
        actual_points INT64, is_correct BOOL, graded_at TIMESTAMP""",
    REGISTRY: """model_id STRING, system_id STRING, model_version STRING, model_file STRING,
        gcs_path STRING, training_start_date DATE, training_end_date DATE, feature_count INT64,
        sha256 STRING, hit_rate FLOAT64, status STRING, created_at TIMESTAMP, updated_at TIMESTAMP""",
    FEATURES: """game_date DATE, game_id STRING, player_lookup STRING, features STRING""",
    PROP_LINES: """game_date DATE, game_id STRING, player_lookup STRING, line_value FLOAT64,
        bookmaker STRING, scraped_at TIMESTAMP""",
    BOXSCORES: """game_date DATE, game_id STRING, player_lookup STRING, points INT64""",
    SCHEDULE: """game_date DATE, game_id STRING, home_team STRING, away_team STRING, updated_at TIMESTAMP""",
}
UNPARTITIONED = frozenset({REGISTRY})


def ddl(table: str) -> str:
    partition = "" if table in UNPARTITIONED else " PARTITION BY game_date"
    return f"CREATE TABLE IF NOT EXISTS {table} ({TABLES[table]}){partition}"
