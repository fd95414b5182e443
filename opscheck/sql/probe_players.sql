-- A probe batch's requests: players with a prop line on the latest date in [@start, @end]
-- that has any (an off day has none; delivery is what is probed, not the date).
WITH latest AS (
  SELECT MAX(game_date) AS game_date
  FROM {prop_lines}
  WHERE game_date BETWEEN @start AND @end
)
SELECT
  l.game_date,
  l.player_lookup
FROM {prop_lines} AS l
JOIN latest AS d
  ON l.game_date = d.game_date
WHERE l.game_date BETWEEN @start AND @end
ORDER BY l.player_lookup
LIMIT @players
