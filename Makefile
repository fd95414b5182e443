# opscheck: every target installs what it needs first, so a fresh clone works.
#   make daily   the morning job: pytest checks/daily offline on the bundled recordings
#   make test    opscheck's own test suite (brings the local platform up itself)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BQ_VENV := .venv-bq
PY313 ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.13*/bin/python3) $(shell command -v python3.13 2>/dev/null))
PUBSUB_JAR := $(firstword $(wildcard /usr/lib/google-cloud-sdk/platform/pubsub-emulator/lib/cloud-pubsub-emulator-*-all.jar))
REPORTS := reports
# The report tests render pages in Debian's Chromium and read Allure results with Allure's CLI (npm).
ALLURE := .node/node_modules/.bin/allure

.PHONY: setup setup-python setup-sandbox system-deps daily test recordings bench lint sandbox-up sandbox-down clean

setup: setup-python setup-sandbox

setup-python: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# The local platform's stand-ins: local-bigquery in its own Python 3.13 venv with
# DuckDB's extensions installed from their wheels (it cannot download them),
# Java and Google's Pub/Sub emulator from Debian's packages.
setup-sandbox: $(BQ_VENV)/.installed system-deps

$(BQ_VENV)/.installed:
	@test -n "$(PY313)" || { echo "Python 3.13 not found: install it (pyenv install 3.13) or pass PY313=/path/to/python3.13"; exit 1; }
	$(PY313) -m venv $(BQ_VENV)
	$(BQ_VENV)/bin/pip install -q --upgrade pip
	$(BQ_VENV)/bin/pip install -q local-bigquery==0.3.2 duckdb==1.5.5 duckdb-extension-icu==1.5.5 \
		duckdb-extension-ducklake==1.5.5 duckdb-extension-spatial==1.5.5
	mkdir -p $(BQ_VENV)/home
	HOME=$(CURDIR)/$(BQ_VENV)/home $(BQ_VENV)/bin/python -c "import duckdb, glob; \
		[duckdb.sql(f\"INSTALL '{p}'\") for p in glob.glob('$(BQ_VENV)/lib/python3.13/site-packages/duckdb_extension_*/extensions/*/*.duckdb_extension')]"
	touch $@

system-deps: $(ALLURE)
	@command -v java >/dev/null || { apt-get update -q && apt-get install -y -q default-jre-headless; }
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; } \
		|| { echo "Chromium missing: apt-get install chromium"; exit 1; }
	@test -n "$(PUBSUB_JAR)" || ls /usr/lib/google-cloud-sdk/platform/pubsub-emulator/lib/cloud-pubsub-emulator-*-all.jar >/dev/null 2>&1 \
		|| { apt-get update -q && apt-get install -y -q google-cloud-cli-pubsub-emulator; } \
		|| { echo "Pub/Sub emulator missing: apt-get install google-cloud-cli-pubsub-emulator"; exit 1; }

$(ALLURE):
	npm install --prefix .node --no-audit --no-fund --silent allure-commandline@2.46.1

daily: setup-python
	mkdir -p $(REPORTS)
	OPSCHECK_REPORT_TITLE="morning checks" $(BIN)/pytest checks/daily --report-dir=$(REPORTS) \
		--junitxml=$(REPORTS)/daily.xml --html=$(REPORTS)/daily.html --self-contained-html \
		--alluredir=$(REPORTS)/allure-daily

# Two workers, each with a local platform of its own: the live tests mostly wait (on emulators, deadlines).
test: setup
	$(BIN)/pytest tests -n 2

# Re-record every bundled scenario from the local platform (deterministic seed).
recordings: setup
	$(BIN)/python tools/record_scenarios.py

bench: setup
	$(BIN)/python bench/sandbox_up.py

lint: setup-python
	$(BIN)/ruff check opscheck checks tests bench tools conftest.py
	$(BIN)/mypy

sandbox-up: setup
	$(BIN)/opscheck sandbox up

sandbox-down:
	$(BIN)/opscheck sandbox down

clean:
	rm -rf $(VENV) $(BQ_VENV) .node .sandbox .sandbox-* .pytest_cache
