-- The active predictions of one system over [@start, @end], binned: per date, model version, metric and
-- bin, how many fall in it and the sums of their edges (predicted - line) and lines, from which the slope
-- of edge on line follows. Metrics: edge in 1-point bins (clipped to [-8, 8)), the recommendation, and the
-- confidence in 0.05 bins; an ordered metric's bin is its lower bound (`low`), a category's its name
-- (`bin`). Rows whose prediction, line or confidence is not a number are test_prediction_values_plausible's.
-- Counts and sums, never the rows; the table is filtered on its partition.
WITH scored AS (
  SELECT
    game_date,
    model_version,
    recommendation,
    confidence,
    line_value,
    predicted_points - line_value AS edge
  FROM {predictions}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
    AND is_active
    AND model_version IS NOT NULL
    AND NOT IS_NAN(predicted_points)
    AND NOT IS_NAN(line_value)
    AND NOT IS_NAN(confidence)
),
binned AS (
  SELECT game_date, model_version, edge, line_value, 'edge' AS metric,
    CAST(NULL AS STRING) AS bin, LEAST(GREATEST(FLOOR(edge), -8), 7) AS low
  FROM scored
  UNION ALL
  SELECT game_date, model_version, edge, line_value, 'recommendation' AS metric,
    recommendation AS bin, CAST(NULL AS FLOAT64) AS low
  FROM scored
  UNION ALL
  SELECT game_date, model_version, edge, line_value, 'confidence' AS metric,
    CAST(NULL AS STRING) AS bin, LEAST(GREATEST(FLOOR(confidence * 20) / 20, 0), 0.95) AS low
  FROM scored
)
SELECT
  game_date,
  model_version,
  metric,
  bin,
  low,
  COUNT(*) AS predictions,
  SUM(edge) AS edge_sum,
  SUM(edge * edge) AS edge_squares,
  SUM(line_value) AS line_sum,
  SUM(line_value * line_value) AS line_squares,
  SUM(edge * line_value) AS edge_line_sum
FROM binned
GROUP BY game_date, model_version, metric, bin, low
ORDER BY game_date, model_version, metric, bin, low
