-- Who should get a prediction, per date: players with a prop line in a scheduled game.
-- Dates without a row had no games scheduled.
SELECT
  g.game_date,
  COUNT(DISTINCT g.game_id) AS games,
  COUNT(DISTINCT l.player_lookup) AS players_with_lines
FROM {schedule} AS g
LEFT JOIN {prop_lines} AS l
  ON l.game_id = g.game_id
  AND l.game_date = g.game_date
  AND l.game_date BETWEEN @start AND @end
WHERE g.game_date BETWEEN @start AND @end
GROUP BY g.game_date
ORDER BY g.game_date
