-- Who should get a prediction, per date: players with a prop line in a scheduled game.
-- Dates without a row had no games scheduled. Each table is filtered on its partition in
-- its own CTE (a require_partition_filter table refuses a filter only in ON).
WITH games AS (
  SELECT game_date, game_id
  FROM {schedule}
  WHERE game_date BETWEEN @start AND @end
),
lines AS (
  SELECT game_date, game_id, player_lookup
  FROM {prop_lines}
  WHERE game_date BETWEEN @start AND @end
)
SELECT
  g.game_date,
  COUNT(DISTINCT g.game_id) AS games,
  COUNT(DISTINCT l.player_lookup) AS players_with_lines
FROM games AS g
LEFT JOIN lines AS l
  ON l.game_id = g.game_id
  AND l.game_date = g.game_date
GROUP BY g.game_date
ORDER BY g.game_date
