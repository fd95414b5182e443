-- One system's predictions per date and model version: rows, active rows, and
-- how many active rows were graded.
SELECT
  p.game_date,
  p.model_version,
  COUNT(*) AS `rows`,
  COUNTIF(p.is_active) AS active,
  COUNTIF(p.is_active AND a.prediction_id IS NOT NULL) AS graded
FROM {predictions} AS p
LEFT JOIN {accuracy} AS a
  ON a.prediction_id = p.prediction_id
  AND a.game_date = p.game_date
  AND a.game_date BETWEEN @start AND @end
WHERE p.game_date BETWEEN @start AND @end
  AND p.system_id = @system_id
GROUP BY p.game_date, p.model_version
ORDER BY p.game_date, p.model_version
