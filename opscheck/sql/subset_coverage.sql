-- Per date of [@start, @end] and configured subset: the day's active predictions and its picks,
-- one row each (so a missing pair cannot read as "nothing missing"); 0 where there are none.
WITH dates AS (
  SELECT game_date
  FROM UNNEST(GENERATE_DATE_ARRAY(@start, @end)) AS game_date
),
predicted AS (
  SELECT game_date, COUNT(*) AS predictions
  FROM {predictions}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
    AND is_active
  GROUP BY game_date
),
picks AS (
  SELECT game_date, subset_name, COUNT(*) AS picks
  FROM {subset_picks}
  WHERE game_date BETWEEN @start AND @end
  GROUP BY game_date, subset_name
)
SELECT
  d.game_date,
  wanted AS subset_name,
  COALESCE(p.predictions, 0) AS predictions,
  COALESCE(k.picks, 0) AS picks
FROM dates AS d
CROSS JOIN UNNEST(@subsets) AS wanted
LEFT JOIN predicted AS p
  ON p.game_date = d.game_date
LEFT JOIN picks AS k
  ON k.game_date = d.game_date
  AND k.subset_name = wanted
ORDER BY d.game_date, wanted
