-- Remove the rows of these probes (prediction_id probe-<probe id>-<player>, is_active FALSE) and
-- nothing else: a probe's own when it ends, and those of probes that expired without cleaning up.
DELETE FROM {predictions}
WHERE game_date BETWEEN @start AND @end
  AND STARTS_WITH(prediction_id, @prefix)
  AND REGEXP_EXTRACT(prediction_id, r'^probe-([a-z0-9]+)-') IN UNNEST(@probes)
