-- Rows written per date, second and probe since @since, on the dates of the coordinator's
-- batches: how far each batch really got, whatever its tracker says. A probe's rows carry
-- prediction_id probe-<probe id>-<player> (opscheck/probe_contract.py); others have probe ''.
SELECT
  game_date,
  TIMESTAMP_TRUNC(created_at, SECOND) AS second,
  COALESCE(REGEXP_EXTRACT(prediction_id, r'^probe-([a-z0-9]+)-'), '') AS probe,
  COUNT(*) AS `rows`
FROM {predictions}
WHERE game_date IN UNNEST(@dates)
  AND system_id = @system_id
  AND created_at >= @since
GROUP BY game_date, second, probe
ORDER BY game_date, second, probe
