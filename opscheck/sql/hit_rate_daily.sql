-- Hits and graded picks per date and model version (PASS and voids have is_correct NULL).
SELECT
  game_date,
  model_version,
  COUNTIF(is_correct) AS hits,
  COUNTIF(is_correct IS NOT NULL) AS graded
FROM {accuracy}
WHERE game_date BETWEEN @start AND @end
  AND system_id = @system_id
GROUP BY game_date, model_version
ORDER BY game_date, model_version
