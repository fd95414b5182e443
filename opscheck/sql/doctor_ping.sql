-- The cheapest query there is: proves the identity may run BigQuery jobs (roles/bigquery.jobUser).
SELECT 1 AS ok
