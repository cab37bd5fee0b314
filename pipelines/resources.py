"""Dagster resources: the settings file, the DuckDB warehouse and the dbt CLI, built from one Settings."""

from __future__ import annotations

import os
import sys

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from pipelines.config import Settings, load_settings
from pipelines.core.warehouse import lock as warehouse_lock
from pipelines.dbt.project import dbt_cli_resource


class SteerpackConfig(dg.ConfigurableResource):
    """steerpack.yaml as a resource, so every asset of a run sees the same validated settings: the file is read
    once, when the run's resources are set up, and the assets read `settings` (STEERPACK_CONFIG names the file
    for `dagster dev`; the CLI and the tests pass it here)."""

    config_file: str | None = None
    _settings: Settings | None = PrivateAttr(default=None)

    @property
    def settings(self) -> Settings:
        """The settings loaded for this run (loaded here when the resource was not set up by Dagster)."""
        if self._settings is None:
            self._settings = load_settings(self.config_file)
        return self._settings

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._settings = load_settings(self.config_file)
        warehouse = self._settings.warehouse
        # DuckDB creates the database file but not its folder.
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        run_id = context.run_id or "?"

        def waiting(holder: str) -> None:
            message = f"waiting for the warehouse {warehouse.name}: {holder} is writing it"
            context.log.warning(message)
            print(f"steerpack: {message}", file=sys.stderr, flush=True)  # the CLI's console shows no Dagster log

        warehouse_lock.acquire(warehouse, f"run {run_id} (pid {os.getpid()})", on_wait=waiting)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        warehouse_lock.release(self.settings.warehouse)  # the path set-up locked


def build_resources(settings: Settings) -> dict[str, object]:
    return {
        "steerpack": SteerpackConfig(config_file=str(settings.config_file) if settings.config_file else None),
        "duckdb": DuckDBResource(
            database=str(settings.warehouse), connection_config={"memory_limit": settings.warehouse_memory_limit}
        ),
        "dbt": dbt_cli_resource(),
    }
