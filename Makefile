# steerpack: two commands on a fresh machine. `make demo` builds a steering pack from the demo portfolio;
# `make test` runs the whole suite (`make check`: lint and unit tests only). All create .venv from the lock file first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o \( -name '*.sql' -o -name '*.yml' \) -print)

.PHONY: demo test check lint unit install system-deps dbt-prepare validate-defs clean
# What the tests need from the system: a real headless browser and poppler for the PDF pages, Pango for WeasyPrint.
SYSTEM_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

demo: install dbt-prepare
	$(BIN)/steerpack demo

# lint and the unit tests (parsers, config, rules, charts, CLI messages): the two-minute loop while working.
check: lint unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/sqlfluff lint dbt_project --processes 2

unit: install dbt-prepare
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

# Everything: lint, then unit, integration (real dbt, Dagster and DuckDB) and e2e (CLI, demo, browser, PDF, SMTP)
# tests in one pytest run on two workers.
test: install system-deps dbt-prepare lint
	$(BIN)/pytest $(PYTEST_ARGS)

system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else \
	    echo "the browser and PDF tests need: sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; \
	  fi; \
	fi

install: $(INSTALLED)

$(INSTALLED): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11) and sys.version_info[:2] < (3, 14), "steerpack needs Python 3.11-3.13, found " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(INSTALLED)

dbt-prepare: $(MANIFEST)

$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir . --quiet

# The dbt templater compiles against the profile's `lint` target (in-memory DuckDB): no warehouse needed.
validate-defs: install dbt-prepare
	$(BIN)/dagster definitions validate -m pipelines.definitions

clean:
	rm -rf warehouse output inbox .dagster dbt_project/target dbt_project/logs
