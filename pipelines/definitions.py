"""The one Dagster `Definitions` of steerpack, built from loaded settings; nothing is read at import."""

import dagster as dg

from pipelines.assets import build_asset_checks, build_assets, build_external_assets
from pipelines.config import Settings, load_settings
from pipelines.jobs import deliver_pack_job, monthly_pack_job
from pipelines.partitions import monthly_partitions_for
from pipelines.resources import build_resources
from pipelines.schedules import build_monthly_schedule
from pipelines.sensors import build_drop_sensor, build_failure_sensor


def build_definitions(settings: Settings) -> dg.Definitions:
    """Everything bound to one config: its partitions (from `first_month`), warehouse, inbox and schedule."""
    partitions = monthly_partitions_for(settings.first_month)
    return dg.Definitions(
        assets=[*build_assets(partitions), *build_external_assets(partitions)],
        asset_checks=build_asset_checks(partitions),
        jobs=[monthly_pack_job, deliver_pack_job],
        schedules=[build_monthly_schedule(settings)],
        sensors=[build_drop_sensor(settings), build_failure_sensor(settings)],
        resources=build_resources(settings),
        # DuckDB allows one writer per file: steps of a run execute one after another in one process.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """What `dagster dev -m pipelines.definitions` loads: the config named by $STEERPACK_CONFIG (or
    ./steerpack.yaml), read when Dagster loads the code location, not when this module is imported."""
    return build_definitions(load_settings())
