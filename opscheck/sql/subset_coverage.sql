-- Picks per (date, subset) for every date that has active predictions; 0 where missing.
WITH predicted AS (
  SELECT DISTINCT game_date
  FROM {predictions}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
    AND is_active
),
picks AS (
  SELECT game_date, subset_name, COUNT(*) AS picks
  FROM {subset_picks}
  WHERE game_date BETWEEN @start AND @end
  GROUP BY game_date, subset_name
)
SELECT
  p.game_date,
  wanted AS subset_name,
  COALESCE(k.picks, 0) AS picks
FROM predicted AS p
CROSS JOIN UNNEST(@subsets) AS wanted
LEFT JOIN picks AS k
  ON k.game_date = p.game_date
  AND k.subset_name = wanted
ORDER BY p.game_date, wanted
