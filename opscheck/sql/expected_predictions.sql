-- What is due, one row per date of [@start, @end] (so a date cannot go missing and read as
-- "no games"): scheduled games, how many of them have prop lines, and the players with a line
-- in a scheduled game (who should get a prediction). Each table is filtered on its partition
-- in its own CTE (a require_partition_filter table refuses a filter only in ON).
WITH dates AS (
  SELECT game_date
  FROM UNNEST(GENERATE_DATE_ARRAY(@start, @end)) AS game_date
),
games AS (
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
  d.game_date,
  COUNT(DISTINCT g.game_id) AS games,
  COUNT(DISTINCT l.game_id) AS games_with_lines,
  COUNT(DISTINCT l.player_lookup) AS players_with_lines
FROM dates AS d
LEFT JOIN games AS g
  ON g.game_date = d.game_date
LEFT JOIN lines AS l
  ON l.game_id = g.game_id
  AND l.game_date = g.game_date
GROUP BY d.game_date
ORDER BY d.game_date
