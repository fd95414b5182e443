-- The probe rows (prediction_id probe-<probe id>-<player>) of a date range, per probe: none, once
-- probes cleaned up; what an interrupted probe left, to be swept once its expiry has passed.
SELECT
  REGEXP_EXTRACT(prediction_id, r'^probe-([a-z0-9]+)-') AS probe,
  COUNT(*) AS `rows`
FROM {predictions}
WHERE game_date BETWEEN @start AND @end
  AND STARTS_WITH(prediction_id, @prefix)
GROUP BY probe
ORDER BY probe
