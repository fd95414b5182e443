-- Active predictions and how many of them were graded, per date.
SELECT
  p.game_date,
  COUNT(*) AS predictions,
  COUNTIF(a.prediction_id IS NOT NULL) AS graded
FROM {predictions} AS p
LEFT JOIN {accuracy} AS a
  ON a.prediction_id = p.prediction_id
  AND a.game_date = p.game_date
  AND a.game_date BETWEEN @start AND @end
WHERE p.game_date BETWEEN @start AND @end
  AND p.system_id = @system_id
  AND p.is_active
GROUP BY p.game_date
ORDER BY p.game_date
