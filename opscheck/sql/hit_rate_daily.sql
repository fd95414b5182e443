-- Hits and graded picks per date of one model version (PASS and voids have is_correct NULL).
SELECT
  game_date,
  COUNTIF(is_correct) AS hits,
  COUNTIF(is_correct IS NOT NULL) AS graded
FROM {accuracy}
WHERE game_date BETWEEN @start AND @end
  AND system_id = @system_id
  AND model_version = @model_version
GROUP BY game_date
ORDER BY game_date
