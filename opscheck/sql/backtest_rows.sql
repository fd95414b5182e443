-- The graded picks a candidate model is backtested on: every player-day of [@start, @end] that the serving
-- model (@serving_version of @system_id) predicted and grading judged, with the feature row the worker
-- scored, the line, the actual points, and the serving model's own call and whether it was right. One row
-- per player and date (the newest active prediction); each table is filtered on its partition.
WITH served AS (
  SELECT game_date, player_lookup, prediction_id, line_value, recommendation
  FROM {predictions}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
    AND model_version = @serving_version
    AND is_active
  QUALIFY ROW_NUMBER() OVER (PARTITION BY game_date, player_lookup ORDER BY created_at DESC, prediction_id) = 1
),
graded AS (
  SELECT prediction_id, ANY_VALUE(actual_points) AS actual_points, ANY_VALUE(is_correct) AS is_correct
  FROM {accuracy}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
  GROUP BY prediction_id
),
scored AS (
  SELECT game_date, player_lookup, ANY_VALUE(features) AS features
  FROM {features}
  WHERE game_date BETWEEN @start AND @end
  GROUP BY game_date, player_lookup
)
SELECT
  s.game_date,
  s.player_lookup,
  f.features,
  s.line_value,
  g.actual_points,
  s.recommendation AS serving_call,
  g.is_correct AS serving_correct
FROM served AS s
JOIN graded AS g
  ON g.prediction_id = s.prediction_id
JOIN scored AS f
  ON f.game_date = s.game_date AND f.player_lookup = s.player_lookup
WHERE g.actual_points IS NOT NULL
ORDER BY s.game_date, s.player_lookup
