#!/usr/bin/env bash
# The morning job: the daily checks live against production, reports in reports/ (and a bucket).
# Schedule it after the 07:00 America/New_York prediction run (e.g. 07:30): ci/morning-job.yaml
# (Cloud Run job + Cloud Scheduler) or ci/morning.github.yml (GitHub Actions schedule).
# Needs Application Default Credentials able to read BigQuery, Cloud Storage, Pub/Sub, Cloud Run
# and Monitoring in the project (`opscheck doctor` says what is missing).
# Optional: OPSCHECK_REPORT_BUCKET (uploads the page and summary.json to gs://BUCKET/morning/STAMP/),
# OPSCHECK_NOTIFY_URL (a chat webhook told on failure).
# Exit code: pytest's (0 healthy, 1 a check failed, 4 opscheck could not start).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/pytest ] || ! command -v pytest >/dev/null; then
  make setup-python >/dev/null
  pytest=.venv/bin/pytest
else
  pytest=pytest  # an image with opscheck installed
fi
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
folder="reports/morning-${stamp}"
mkdir -p "$folder"
status=0
OPSCHECK_REPORT_TITLE="morning checks ${stamp}" "$pytest" checks/daily --mode live "$@" --report-dir="$folder" \
  --junitxml="$folder/daily.xml" --alluredir="$folder/allure" || status=$?
if [ -n "${OPSCHECK_REPORT_BUCKET:-}" ]; then
  gcloud storage cp "$folder"/*.html "$folder"/summary.json "gs://${OPSCHECK_REPORT_BUCKET}/morning/${stamp}/" \
    || echo "opscheck: could not upload the reports to gs://${OPSCHECK_REPORT_BUCKET}; they are in $folder" >&2
fi
exit "$status"
