#!/usr/bin/env bash
# The morning job: the daily checks live against production, reports in reports/.
# Schedule it after the 07:00 America/New_York prediction run (e.g. 07:30).
# Needs Application Default Credentials able to read BigQuery, Cloud Storage,
# Pub/Sub, Cloud Run and Monitoring in the project, and to mint ID tokens for
# the services (a service account: GOOGLE_APPLICATION_CREDENTIALS).
# Exit code: pytest's (0 healthy, 1 a check failed, 2+ opscheck could not run).
set -euo pipefail
cd "$(dirname "$0")/.."
make setup-python >/dev/null
mkdir -p reports
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
OPSCHECK_REPORT_TITLE="morning checks ${stamp}" exec .venv/bin/pytest checks/daily --mode live "$@" \
  --html="reports/daily-${stamp}.html" --self-contained-html --alluredir="reports/allure-daily-${stamp}"
