"""The one Dagster `Definitions` of steerpack, built from the config named by $STEERPACK_CONFIG."""

import dagster as dg

from pipelines.assets.checks import QUALITY_CHECKS
from pipelines.assets.dbt import steerpack_dbt_models
from pipelines.assets.delivery import pack_delivery
from pipelines.assets.ingest import INGEST_ASSETS
from pipelines.assets.report import steering_pack
from pipelines.jobs import deliver_pack_job, monthly_pack_job
from pipelines.resources.run_resources import build_resources
from pipelines.resources.settings import Settings, load_settings
from pipelines.schedules import build_monthly_schedule
from pipelines.sensors import build_drop_sensor, ops_alert_on_failure

ASSETS = [*INGEST_ASSETS, steerpack_dbt_models, steering_pack, pack_delivery]


def build_definitions(settings: Settings) -> dg.Definitions:
    """Everything bound to one config's warehouse, inbox and schedule (the CLI builds its own per command)."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=QUALITY_CHECKS,
        jobs=[monthly_pack_job, deliver_pack_job],
        schedules=[build_monthly_schedule(settings)],
        sensors=[build_drop_sensor(settings), ops_alert_on_failure],
        resources=build_resources(settings),
        # DuckDB allows one writer per file: steps of a run execute one after another in one process.
        executor=dg.in_process_executor,
    )


defs = build_definitions(load_settings())
