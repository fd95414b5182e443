-- Per date of [@start, @end] and configured subset: the day's active predictions, its picks, and
-- the picks that name no active prediction of that date (made from a run since replaced), one row
-- each (so a missing pair cannot read as "nothing missing"); 0 where there are none.
WITH dates AS (
  SELECT game_date
  FROM UNNEST(GENERATE_DATE_ARRAY(@start, @end)) AS game_date
),
active AS (
  SELECT game_date, prediction_id
  FROM {predictions}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
    AND is_active
),
predicted AS (
  SELECT game_date, COUNT(*) AS predictions
  FROM active
  GROUP BY game_date
),
picked AS (
  SELECT game_date, subset_name, prediction_id
  FROM {subset_picks}
  WHERE game_date BETWEEN @start AND @end
),
picks AS (
  SELECT
    k.game_date,
    k.subset_name,
    COUNT(*) AS picks,
    COUNTIF(a.prediction_id IS NULL) AS stale_picks
  FROM picked AS k
  LEFT JOIN active AS a
    ON a.game_date = k.game_date
    AND a.prediction_id = k.prediction_id
  GROUP BY k.game_date, k.subset_name
)
SELECT
  d.game_date,
  wanted AS subset_name,
  COALESCE(p.predictions, 0) AS predictions,
  COALESCE(k.picks, 0) AS picks,
  COALESCE(k.stale_picks, 0) AS stale_picks
FROM dates AS d
CROSS JOIN UNNEST(@subsets) AS wanted
LEFT JOIN predicted AS p
  ON p.game_date = d.game_date
LEFT JOIN picks AS k
  ON k.game_date = d.game_date
  AND k.subset_name = wanted
ORDER BY d.game_date, wanted
