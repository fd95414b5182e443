-- Each date's prop lines against each player's own lines of the @lookback days before that date, one
-- row per date of [@start, @end] (zeros where there are no lines, so an empty answer cannot read as "no
-- drift"). A player is judged with at least @min_history earlier days; a judged line moved when it lies
-- further from the player's mean than GREATEST(@move_sd x the player's spread, @move_points). Lines that
-- cannot be (NULL, NaN, not above 0, above @max_line) are counted whatever the history. The day's
-- furthest move is the example. Counts, never the rows; the lines table is filtered on its partition.
WITH lines AS (
  SELECT game_date, player_lookup, AVG(line_value) AS line_value
  FROM {prop_lines}
  WHERE game_date BETWEEN DATE_SUB(@start, INTERVAL @lookback DAY) AND @end
  GROUP BY game_date, player_lookup
),
judged AS (
  SELECT
    t.game_date,
    t.player_lookup,
    t.line_value,
    COUNT(h.line_value) AS history,
    AVG(h.line_value) AS mean,
    COALESCE(STDDEV_SAMP(h.line_value), 0) AS spread
  FROM lines AS t
  LEFT JOIN lines AS h
    ON h.player_lookup = t.player_lookup
    AND h.game_date < t.game_date
    AND h.game_date >= DATE_SUB(t.game_date, INTERVAL @lookback DAY)
  WHERE t.game_date BETWEEN @start AND @end
  GROUP BY t.game_date, t.player_lookup, t.line_value
),
marked AS (
  SELECT
    *,
    line_value IS NULL OR IS_NAN(line_value) OR line_value <= 0 OR line_value > @max_line AS impossible,
    history >= @min_history
      AND ABS(line_value - mean) > GREATEST(@move_sd * spread, @move_points) AS moved
  FROM judged
),
days AS (
  SELECT
    game_date,
    COUNT(*) AS players,
    COUNTIF(history >= @min_history) AS judged,
    COUNTIF(moved AND NOT impossible) AS moved,
    COUNTIF(impossible) AS impossible
  FROM marked
  GROUP BY game_date
),
worst AS (
  SELECT game_date, player_lookup, line_value, mean
  FROM marked
  WHERE moved OR impossible
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY game_date ORDER BY impossible DESC, ABS(line_value - mean) DESC, player_lookup) = 1
)
SELECT
  d_date AS game_date,
  COALESCE(d.players, 0) AS players,
  COALESCE(d.judged, 0) AS judged,
  COALESCE(d.moved, 0) AS moved,
  COALESCE(d.impossible, 0) AS impossible,
  w.player_lookup AS example_player,
  w.line_value AS example_line,
  w.mean AS example_usual
FROM UNNEST(GENERATE_DATE_ARRAY(@start, @end)) AS d_date
LEFT JOIN days AS d
  ON d.game_date = d_date
LEFT JOIN worst AS w
  ON w.game_date = d_date
ORDER BY d_date
