-- One system's predictions per date of [@start, @end] and model version: rows, active rows, the
-- distinct players they are for, the active calls (OVER or UNDER: what grading can judge), and
-- how many active rows were graded, and graded as a hit or a miss. A date without predictions has
-- one row with model_version NULL and zeros, so a date cannot go missing from the answer. Each
-- table is filtered on its partition in its own CTE (a require_partition_filter table refuses a
-- filter only in ON).
WITH predicted AS (
  SELECT prediction_id, game_date, model_version, player_lookup, recommendation, is_active
  FROM {predictions}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
),
graded AS (
  SELECT prediction_id, game_date, is_correct
  FROM {accuracy}
  WHERE game_date BETWEEN @start AND @end
)
SELECT
  d_date AS game_date,
  p.model_version,
  COUNT(p.prediction_id) AS `rows`,
  COUNTIF(p.is_active) AS active,
  COUNT(DISTINCT IF(p.is_active, p.player_lookup, NULL)) AS players,
  COUNTIF(p.is_active AND p.recommendation IN ('OVER', 'UNDER')) AS calls,
  COUNTIF(p.is_active AND a.prediction_id IS NOT NULL) AS graded,
  COUNTIF(p.is_active AND a.is_correct IS NOT NULL) AS decided
FROM UNNEST(GENERATE_DATE_ARRAY(@start, @end)) AS d_date
LEFT JOIN predicted AS p
  ON p.game_date = d_date
LEFT JOIN graded AS a
  ON a.prediction_id = p.prediction_id
  AND a.game_date = p.game_date
GROUP BY d_date, p.model_version
ORDER BY d_date, p.model_version
