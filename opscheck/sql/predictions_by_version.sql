-- One system's predictions per date and model version: rows, active rows, and
-- how many active rows were graded. Each table is filtered on its partition in
-- its own CTE (a require_partition_filter table refuses a filter only in ON).
WITH predicted AS (
  SELECT prediction_id, game_date, model_version, is_active
  FROM {predictions}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
),
graded AS (
  SELECT prediction_id, game_date
  FROM {accuracy}
  WHERE game_date BETWEEN @start AND @end
)
SELECT
  p.game_date,
  p.model_version,
  COUNT(*) AS `rows`,
  COUNTIF(p.is_active) AS active,
  COUNTIF(p.is_active AND a.prediction_id IS NOT NULL) AS graded
FROM predicted AS p
LEFT JOIN graded AS a
  ON a.prediction_id = p.prediction_id
  AND a.game_date = p.game_date
GROUP BY p.game_date, p.model_version
ORDER BY p.game_date, p.model_version
