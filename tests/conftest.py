from pathlib import Path

import duckdb
import pytest

from pipelines.dbt_project import ensure_manifest
from pipelines.resources.settings import CONFIG_ENV_VAR, load_settings
from pipelines.resources.warehouse import ensure_raw_schema
from tests.helpers import tiny_register_sheets, write_config, write_sheets

# Before any test module imports the Dagster definitions, which read the manifest once at import.
ensure_manifest()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    # A developer's own steerpack.yaml or Dagster home must never leak into a test.
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)
    (tmp_path / ".dagster").mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / ".dagster"))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Tests that run dbt ask for this, to say so; the manifest itself was made fresh at collection."""
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
