-- Upsert the manifest's models into the registry: one statement, idempotent. A row is only
-- rewritten when a field differs (updated_at then moves); rows the manifest does not list
-- are left alone (`registry sync` reports them).
MERGE {registry} AS t
USING (
  SELECT
    r.model_id AS model_id,
    r.system_id AS system_id,
    r.model_version AS model_version,
    r.model_file AS model_file,
    r.gcs_path AS gcs_path,
    r.training_start_date AS training_start_date,
    r.training_end_date AS training_end_date,
    r.feature_count AS feature_count,
    r.sha256 AS sha256,
    r.hit_rate AS hit_rate,
    r.status AS status,
    r.created_at AS created_at
  FROM UNNEST(@rows) AS r
) AS s
ON t.model_id = s.model_id
WHEN MATCHED AND (
  t.system_id IS DISTINCT FROM s.system_id
  OR t.model_version IS DISTINCT FROM s.model_version
  OR t.model_file IS DISTINCT FROM s.model_file
  OR t.gcs_path IS DISTINCT FROM s.gcs_path
  OR t.training_start_date IS DISTINCT FROM s.training_start_date
  OR t.training_end_date IS DISTINCT FROM s.training_end_date
  OR t.feature_count IS DISTINCT FROM s.feature_count
  OR t.sha256 IS DISTINCT FROM s.sha256
  OR t.hit_rate IS DISTINCT FROM s.hit_rate
  OR t.status IS DISTINCT FROM s.status
  OR t.created_at IS DISTINCT FROM s.created_at
) THEN UPDATE SET
  system_id = s.system_id,
  model_version = s.model_version,
  model_file = s.model_file,
  gcs_path = s.gcs_path,
  training_start_date = s.training_start_date,
  training_end_date = s.training_end_date,
  feature_count = s.feature_count,
  sha256 = s.sha256,
  hit_rate = s.hit_rate,
  status = s.status,
  created_at = s.created_at,
  updated_at = CURRENT_TIMESTAMP()
WHEN NOT MATCHED THEN INSERT (model_id, system_id, model_version, model_file, gcs_path,
  training_start_date, training_end_date, feature_count, sha256, hit_rate, status, created_at,
  updated_at)
VALUES (s.model_id, s.system_id, s.model_version, s.model_file, s.gcs_path, s.training_start_date,
  s.training_end_date, s.feature_count, s.sha256, s.hit_rate, s.status, s.created_at,
  CURRENT_TIMESTAMP())
