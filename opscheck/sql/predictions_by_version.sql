-- Rows and active rows of one system's predictions per date and model version.
SELECT
  game_date,
  model_version,
  COUNT(*) AS `rows`,
  COUNTIF(is_active) AS active
FROM {predictions}
WHERE game_date BETWEEN @start AND @end
  AND system_id = @system_id
GROUP BY game_date, model_version
ORDER BY game_date, model_version
