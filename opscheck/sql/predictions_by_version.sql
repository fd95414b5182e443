-- Rows and active rows of one system's predictions for one date, per model version.
SELECT
  game_date,
  model_version,
  COUNT(*) AS `rows`,
  COUNTIF(is_active) AS active
FROM {predictions}
WHERE game_date = @game_date
  AND system_id = @system_id
GROUP BY game_date, model_version
ORDER BY model_version
