-- When data last landed in a table: the newest value of its freshness column ([freshness] in
-- opscheck.toml) over the partitions around today. Data, not table metadata: a label or
-- schema edit moves lastModifiedTime without a row landing.
SELECT
  MAX({column}) AS newest,
  COUNT(*) AS `rows`
FROM {table}
WHERE game_date BETWEEN @start AND @end
