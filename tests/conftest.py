from pathlib import Path

import duckdb
import pytest

from pipelines.config import CONFIG_ENV_VAR, load_settings
from pipelines.core.warehouse.load import ensure_raw_schema
from pipelines.dbt_project import ensure_manifest
from tests.helpers import tiny_register_sheets, write_config, write_sheets


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    # A developer's own steerpack.yaml or Dagster home must never leak into a test.
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)
    (tmp_path / ".dagster").mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / ".dagster"))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Tests that run dbt or build the Dagster definitions (which read dbt's manifest) ask for this: `dbt parse`
    runs once per session when the manifest is missing or stale, and never for tests that do not need it."""
    return ensure_manifest()


@pytest.fixture
def workspace(tmp_path):
    """A config with relative paths, and an inbox holding the tiny register for 2026-09."""
    config = write_config(tmp_path)
    write_sheets(tmp_path / "inbox" / "2026-09" / "register" / "portfolio.xlsx", tiny_register_sheets())
    return load_settings(config)


@pytest.fixture
def conn():
    """An in-memory DuckDB holding the empty raw schema, for the quality rules."""
    connection = duckdb.connect(":memory:")
    ensure_raw_schema(connection)
    yield connection
    connection.close()
