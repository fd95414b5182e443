-- Per source table and model version: the first and last date it has rows for, and how many,
-- over a date range. The leakage check compares each version's first date with the end of
-- that model's training window (the manifest's).
WITH used AS (
  SELECT 'predictions' AS source, model_version, game_date
  FROM {predictions}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
  UNION ALL
  SELECT 'subset_picks' AS source, model_version, game_date
  FROM {subset_picks}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
  UNION ALL
  SELECT 'graded' AS source, model_version, game_date
  FROM {accuracy}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
)
SELECT
  source,
  model_version,
  MIN(game_date) AS first_date,
  MAX(game_date) AS last_date,
  COUNT(*) AS `rows`
FROM used
GROUP BY source, model_version
ORDER BY source, model_version
