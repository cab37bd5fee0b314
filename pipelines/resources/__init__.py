"""Dagster resources: the settings file, the DuckDB warehouse and the dbt CLI, built from one Settings."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from pipelines.dbt_project import DBT_PROJECT_DIR, dbt_executable
from pipelines.resources.settings import Settings, load_settings


class SteerpackConfig(dg.ConfigurableResource):
    """steerpack.yaml as a resource, so every asset of a run sees the same validated settings."""

    config_file: str | None = None

    def settings(self) -> Settings:
        return load_settings(self.config_file)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # DuckDB creates the database file but not its folder.
        self.settings().warehouse.parent.mkdir(parents=True, exist_ok=True)


def build_resources(settings: Settings) -> dict[str, object]:
    return {
        "steerpack": SteerpackConfig(config_file=str(settings.config_file) if settings.config_file else None),
        "duckdb": DuckDBResource(database=str(settings.warehouse)),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
        ),
    }
