"""The dbt project as Dagster assets: one `dbt build` per run, over the run's whole partition window."""

import json
import shutil
from collections.abc import Mapping
from typing import Any

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

# Who answers for each layer, as the Dagster UI shows it on every asset (owners are emails or "team:name"):
# data engineering owns what turns the drops into clean tables (ingest, staging, intermediate); the PMO owns what
# it publishes and answers questions on (the marts, the pack and its delivery). A KPI rule is decided by the PMO
# but coded in intermediate: its owner is who fixes a failing build, not who decides the rule.
LAYER_OWNERS = {
    "staging": ["team:data-engineering"],
    "intermediate": ["team:data-engineering"],
    "marts": ["team:pmo"],
}


class SteerpackDbtTranslator(DagsterDbtTranslator):
    """dbt models as the UI shows them: grouped by layer, owned by who answers for that layer, and described by
    the sentence in the model's .yml. dagster-dbt sets their kinds itself: dbt and the adapter (duckdb)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # staging / intermediate / marts, from the model's folder (fqn = [project, layer, ..., model]; the forecast
        # models sit in staging/forecast, intermediate/forecast and marts like any other)
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        return LAYER_OWNERS.get(self.get_group_name(dbt_resource_props))

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # The .yml sentence only: dagster-dbt would append the model's raw SQL, which is noise to a PMO reader
        # (the SQL is in dbt_project/models, and in the compiled target of each run).
        fallback = f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']}"
        return (dbt_resource_props.get("description") or fallback).strip()


# The dbt sources no asset materializes: the ingest step's own records of what it read (load_log), refused
# (quarantine) and found (quality_findings, written by the quality checks), and the forecast step's tables (written
# inside the dbt asset's run). Declared so the UI shows them described, owned and grouped, not as bare stubs.
SOURCE_GROUPS = {"load_log": "quality", "quarantine": "quality", "quality_findings": "quality"}
SOURCE_OWNERS = ["team:data-engineering"]


def build_dbt_source_specs(materialized: set[dg.AssetKey], partitions: dg.PartitionsDefinition) -> list[dg.AssetSpec]:
    """An external AssetSpec per dbt source of the manifest that no asset of `materialized` produces, described by
    its `_sources.yml` entry: the raw step's records in group `quality`, the forecast tables in `intermediate`;
    monthly like every table of the pipeline (each row carries its month)."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    specs = []
    for source in sorted(manifest["sources"].values(), key=lambda source: source["unique_id"]):
        key = dg.AssetKey([source["source_name"], source["name"]])
        if key in materialized:
            continue
        group = SOURCE_GROUPS.get(source["name"], "ingest" if source["source_name"] == "raw" else "intermediate")
        description = (source.get("description") or f"dbt source {source['source_name']}.{source['name']}").strip()
        specs.append(
            dg.AssetSpec(
                key, description=description, group_name=group, owners=SOURCE_OWNERS, partitions_def=partitions
            )
        )
    return specs


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
