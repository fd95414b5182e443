-- Per date and model version: graded rows, hits, and graded picks (a hit or a miss; PASS and
-- voids have is_correct NULL). Rows with no pick at all are what a grading bug writing NULL looks like.
SELECT
  game_date,
  model_version,
  COUNT(*) AS `rows`,
  COUNTIF(is_correct) AS hits,
  COUNTIF(is_correct IS NOT NULL) AS graded
FROM {accuracy}
WHERE game_date BETWEEN @start AND @end
  AND system_id = @system_id
GROUP BY game_date, model_version
ORDER BY game_date, model_version
