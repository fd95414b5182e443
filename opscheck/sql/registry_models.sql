-- The registry's rows for one system (model_registry is not partitioned: it is small).
SELECT
  model_id,
  system_id,
  model_version,
  model_file,
  gcs_path,
  training_start_date,
  training_end_date,
  feature_count,
  sha256,
  hit_rate,
  status,
  created_at,
  updated_at
FROM {registry}
WHERE system_id = @system_id
ORDER BY created_at, model_id
