"""The dbt project as Dagster assets: one `dbt build` per run, over the run's whole partition window."""


import os

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.dbt_project import build_args, dbt_environment, dbt_project
from pipelines.partitions import monthly_partitions, months_of
from pipelines.resources.run_resources import SteerpackConfig
from pipelines.resources.warehouse_lock import WAREHOUSE_POOL


class SteerpackDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props):
        # staging / intermediate / marts, from the model's folder
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
    dagster_dbt_translator=SteerpackDbtTranslator(),
)
def steerpack_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, steerpack: SteerpackConfig):
    settings = steerpack.settings()
    # The profile reads the warehouse path from the environment; dagster-dbt passes os.environ to dbt.
    os.environ.update(dbt_environment(settings.warehouse, settings.warehouse_memory_limit))
    args = build_args(months_of(context.partition_keys), settings.dbt_vars())
    yield from dbt.cli(args, context=context).stream()
