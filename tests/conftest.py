from pathlib import Path

import duckdb
import pytest

from pipelines.config import CONFIG_ENV_VAR
from pipelines.core.warehouse.load import ensure_raw_schema
from pipelines.dbt.project import ensure_manifest
from tests.helpers import copy_workspace, materialize, tiny_workspace


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
    return tiny_workspace(tmp_path)


@pytest.fixture(scope="session")
def _september_built(tmp_path_factory, dbt_manifest) -> Path:
    """The `workspace` with September materialized, built once per session (per xdist worker)."""
    folder = tmp_path_factory.mktemp("september")
    materialize(tiny_workspace(folder), "2026-09-01")
    return folder


@pytest.fixture
def september_workspace(_september_built, tmp_path):
    """`workspace` after a successful September run (warehouse, packs, outbox and delivery log), copied for this
    test: for tests whose story starts there, instead of each running the same month again."""
    return copy_workspace(_september_built, tmp_path)


@pytest.fixture
def conn():
    """An in-memory DuckDB holding the empty raw schema, for the quality rules."""
    connection = duckdb.connect(":memory:")
    ensure_raw_schema(connection)
    yield connection
    connection.close()
