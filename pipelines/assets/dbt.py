"""The dbt project as Dagster assets: one `dbt build` per run, over the run's whole partition window."""

import shutil

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.core.warehouse.forecasts import write_forecasts_to
from pipelines.core.warehouse.lock import WAREHOUSE_POOL, warehouse_guard
from pipelines.core.warehouse.publication import (
    describe_failures,
    discard_candidate,
    prepare_candidate,
    publish_candidate,
)
from pipelines.dbt.command import build_args, dbt_environment
from pipelines.dbt.in_process import build_in_process
from pipelines.dbt.phases import after_forecast, before_forecast
from pipelines.dbt.project import dbt_project
from pipelines.partitions import months_of
from pipelines.resources import SteerpackConfig


class SteerpackDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props):
        # staging / intermediate / marts, from the model's folder
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


def build_dbt_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """Every dbt model as an asset of `partitions`; one `dbt build` per run covers the run's whole window, in the
    step's own process."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
        dagster_dbt_translator=SteerpackDbtTranslator(),
    )
    def steerpack_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, steerpack: SteerpackConfig):
        settings = steerpack.settings
        # dbt builds a copy of the warehouse; the copy replaces it only once every model and test passed, so a
        # failing test leaves the marts as they were (marts_publication). The run holds the warehouse lock.
        candidate = prepare_candidate(settings.warehouse)
        invocations = []
        try:
            # The profile reads the warehouse path (the candidate's) and DuckDB's memory limit from the environment.
            environment = dbt_environment(candidate, settings.warehouse_memory_limit)
            months = months_of(context.partition_keys)
            args = build_args(months, settings.dbt_vars())
            # Two phases around the forecast step, which runs in Python on the candidate (pipelines.dbt.phases).
            for phase in (before_forecast, after_forecast):
                if phase is after_forecast:
                    write_forecasts_to(candidate, months, settings)
                invocation = build_in_process(dbt, args, context, environment, phase=phase)
                invocations.append(invocation)
                if not invocation.is_successful():
                    failures = describe_failures(invocation.run_results(), invocation.manifest, candidate)
                    raise dg.Failure(
                        description="dbt found problems in the month's numbers; the marts were not published and "
                        "stay as they were:\n" + "\n".join(failures or [str(invocation.get_error())]),
                        allow_retries=False,
                    )
            # Held back until published: Dagster records the marts as materialized only once they are.
            events = [event for invocation in invocations for event in invocation.stream()]
            # Under the lock's guard: a stop signal takes the guard for good (run._hold_warehouse_lock), so a build
            # that ends while steerpack is stopping is never published after the stop said nothing was.
            with warehouse_guard():
                publish_candidate(candidate, settings.warehouse)
            # Each invocation compiles into a target folder of its own; a published run's is not needed again
            # (a failed run's stays, for its compiled SQL and dbt.log), so monthly runs do not pile them up.
            for invocation in invocations:
                shutil.rmtree(invocation.target_path, ignore_errors=True)
        finally:
            discard_candidate(candidate)
        yield from events

    return steerpack_dbt_models
