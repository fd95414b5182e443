-- Who should get a prediction on a date: players with a prop line in a scheduled game.
WITH games AS (
  SELECT game_id
  FROM {schedule}
  WHERE game_date = @game_date
)
SELECT
  (SELECT COUNT(*) FROM games) AS games,
  COUNT(DISTINCT l.player_lookup) AS players_with_lines
FROM {prop_lines} AS l
WHERE l.game_date = @game_date
  AND l.game_id IN (SELECT game_id FROM games)
