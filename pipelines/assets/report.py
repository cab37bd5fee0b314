"""The steering pack asset: renders each month of the run from the marts into output/packs/YYYY-MM/."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from dagster_duckdb import DuckDBResource

from pipelines.core.packs import PackOptions, discard_abandoned_staging, publish_month
from pipelines.core.warehouse.lock import WAREHOUSE_POOL
from pipelines.names import PACK_KEY
from pipelines.observe.progress import progress_observation
from pipelines.partitions import months_of
from pipelines.resources import SteerpackConfig
from reports.fingerprint import PACK_MARTS  # the marts the pack reads, and fingerprints for delivery


def build_pack_asset(partitions: dg.PartitionsDefinition, dbt_models: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The steering-pack asset over `partitions`, downstream of the marts it reads."""

    @dg.asset(
        key=PACK_KEY,
        group_name="pack",
        # rendered in Python to HTML, Excel and PDF; the PMO owns what it publishes (pipelines/assets/dbt.py)
        kinds={"python", "html", "excel", "pdf"},
        owners=["team:pmo"],
        # Looked up in the dbt assets: renaming a mart fails at load time instead of cutting the lineage.
        deps=[get_asset_key_for_model([dbt_models], name) for name in PACK_MARTS],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
        description="The month's steering pack for the steering committee (HTML, Excel and PDF pages), rendered "
        "from the marts into output/packs/YYYY-MM/.",
    )
    def steering_pack(
        context: dg.AssetExecutionContext, steerpack: SteerpackConfig, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        settings = steerpack.settings
        written = []
        months = months_of(context.partition_keys)
        discard_abandoned_staging(settings.output)
        with duckdb.get_connection() as conn:
            for month in months:
                # Project and scoped PDFs cost about a second each, so a backfill prints them for its last month
                # only (the one that gets delivered); every month gets its pack and HTML project pages.
                path = publish_month(
                    conn, month, settings.output, with_pdf=month == months[-1], options=PackOptions.of(settings)
                )
                written.append(str(path))
                context.log_event(progress_observation(PACK_KEY, "rendered", month, path=str(path)))
        return dg.MaterializeResult(metadata={"packs": dg.MetadataValue.json(written), "count": len(written)})

    return steering_pack
