-- Remove rows probes wrote (prediction_id probe-<probe id>-<player>, is_active FALSE) and
-- nothing else: a probe deletes its own (@prefix probe-<id>-), a sweep those of probes that
-- stopped before cleaning up (@prefix probe-, created before @before).
DELETE FROM {predictions}
WHERE game_date BETWEEN @start AND @end
  AND STARTS_WITH(prediction_id, @prefix)
  AND created_at < @before
