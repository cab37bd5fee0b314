# steerpack: two commands on a fresh machine. `make demo` builds a steering pack from the demo portfolio;
# `make test` runs the whole suite. Both create .venv from the lock file first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o \( -name '*.sql' -o -name '*.yml' \) -print)

.PHONY: demo test install dbt-prepare validate-defs clean

demo: install dbt-prepare
	$(BIN)/steerpack demo

test: install dbt-prepare
	$(BIN)/pytest $(PYTEST_ARGS)

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

validate-defs: install dbt-prepare
	$(BIN)/dagster definitions validate -m pipelines.definitions

clean:
	rm -rf warehouse output inbox .dagster dbt_project/target dbt_project/logs
