-- When data last landed in a table, per partition around today: the newest value of its freshness
-- column ([freshness] in opscheck.toml) and the rows. Data, not table metadata: a label or schema
-- edit moves lastModifiedTime without a row landing. Per date, because a game day's lines and
-- predictions must land in that day's partition: yesterday's rows are not today's.
SELECT
  game_date,
  MAX({column}) AS newest,
  COUNT(*) AS `rows`
FROM {table}
WHERE game_date BETWEEN @start AND @end
GROUP BY game_date
ORDER BY game_date
