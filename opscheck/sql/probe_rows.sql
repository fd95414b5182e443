-- How many probe rows (prediction_id probe-…) a date range holds: none, once probes cleaned up.
SELECT COUNT(*) AS `rows`
FROM {predictions}
WHERE game_date BETWEEN @start AND @end
  AND STARTS_WITH(prediction_id, @prefix)
