-- What is wrong with a system's active predictions, one row per date of [@start, @end] and
-- kind of problem (@kinds), 0 where there is none (so an empty answer cannot read as "no
-- problem"): a player with more than one active row for one game (a rerun that did not
-- supersede), a value that is not a number, negative or too far from the line, a confidence
-- outside [0, 1], a game the schedule does not have on that date. Counts and one example per
-- group, never the rows. Each table is filtered on its partition in its own CTE.
WITH active AS (
  SELECT game_date, game_id, player_lookup, line_value, predicted_points, confidence
  FROM {predictions}
  WHERE game_date BETWEEN @start AND @end
    AND system_id = @system_id
    AND is_active
),
games AS (
  SELECT DISTINCT game_date, game_id
  FROM {schedule}
  WHERE game_date BETWEEN @start AND @end
),
problems AS (
  SELECT game_date, 'duplicate' AS problem, player_lookup
  FROM active
  GROUP BY game_date, game_id, player_lookup
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT game_date,
    CASE
      WHEN predicted_points IS NULL OR IS_NAN(predicted_points) THEN 'value not a number'
      WHEN predicted_points < 0 THEN 'value negative'
      WHEN line_value IS NULL OR IS_NAN(line_value) THEN 'line not a number'
      WHEN ABS(predicted_points - line_value) > @max_edge THEN 'value far from the line'
    END AS problem,
    player_lookup
  FROM active
  WHERE predicted_points IS NULL OR IS_NAN(predicted_points) OR predicted_points < 0
    OR line_value IS NULL OR IS_NAN(line_value) OR ABS(predicted_points - line_value) > @max_edge
  UNION ALL
  SELECT game_date, 'confidence outside [0, 1]' AS problem, player_lookup
  FROM active
  WHERE confidence IS NULL OR IS_NAN(confidence) OR confidence < 0 OR confidence > 1
  UNION ALL
  SELECT a.game_date, 'no scheduled game' AS problem, a.player_lookup
  FROM active AS a
  LEFT JOIN games AS g
    ON g.game_date = a.game_date
    AND g.game_id = a.game_id
  WHERE g.game_id IS NULL
),
found AS (
  SELECT game_date, problem, COUNT(*) AS predictions, MIN(player_lookup) AS example_player
  FROM problems
  GROUP BY game_date, problem
)
SELECT
  d_date AS game_date,
  kind AS problem,
  COALESCE(f.predictions, 0) AS predictions,
  f.example_player
FROM UNNEST(GENERATE_DATE_ARRAY(@start, @end)) AS d_date
CROSS JOIN UNNEST(@kinds) AS kind
LEFT JOIN found AS f
  ON f.game_date = d_date
  AND f.problem = kind
ORDER BY d_date, kind
