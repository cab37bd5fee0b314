"""The steering pack asset: renders each month of the run from the marts into output/packs/YYYY-MM/."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.partitions import monthly_partitions, months_of
from pipelines.progress import progress_observation
from pipelines.resources import SteerpackConfig
from reports.data import load_pack_data
from reports.render import write_pack

PACK_KEY = dg.AssetKey("steering_pack")


@dg.asset(
    key=PACK_KEY,
    group_name="pack",
    deps=[dg.AssetKey(["marts", "fct_project_month"]), dg.AssetKey(["marts", "dim_project"])],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="The month's steering pack (HTML), rendered from the marts.",
)
def steering_pack(context: dg.AssetExecutionContext, steerpack: SteerpackConfig,
                  duckdb: DuckDBResource) -> dg.MaterializeResult:
    settings = steerpack.settings()
    written = []
    with duckdb.get_connection() as conn:
        for month in months_of(context.partition_keys):
            data = load_pack_data(conn, month)
            path = write_pack(data, settings.output)
            written.append(str(path))
            context.log_event(progress_observation(PACK_KEY, "rendered", month, path=str(path)))
    return dg.MaterializeResult(metadata={"packs": dg.MetadataValue.json(written), "count": len(written)})
