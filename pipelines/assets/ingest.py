"""Ingest assets: one month's drop of a source, parsed and written to `raw.*` for that snapshot month.

Thin by design: the parsers know the formats, `replace_snapshot` knows the transaction; these assets only
walk the months of the run (one, or a whole backfill range in a single run) and report what they loaded.
"""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.inbox import display_name, require_inbox, source_files
from pipelines.partitions import monthly_partitions, months_of
from pipelines.progress import progress_observation
from pipelines.resources import SteerpackConfig
from pipelines.resources.warehouse import replace_snapshot
from pipelines.sources import register

REGISTER_KEYS = [dg.AssetKey(["raw", table]) for table in register.TABLES]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name="ingest", description=f"Register sheet loaded into raw.{key.path[-1]}.")
        for key in REGISTER_KEYS
    ],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def register_ingest(context: dg.AssetExecutionContext, steerpack: SteerpackConfig, duckdb: DuckDBResource):
    """The portfolio register workbook of each month's drop, all six sheets, into raw.*."""
    settings = steerpack.settings()
    inbox = require_inbox(settings.inbox)
    loaded = {table: 0 for table in register.TABLES}
    quarantined = 0
    files = []
    for month in months_of(context.partition_keys):
        batches = [
            register.parse_register(path, display_name(inbox, path))
            for path in source_files(inbox, month, "register")
        ]
        with duckdb.get_connection() as conn:
            replace_snapshot(conn, month, "register", register.TABLES, batches)
        for batch in batches:
            files.append(batch.source_file)
            quarantined += len(batch.rejects)
            for table in register.TABLES:
                loaded[table] += batch.rows_loaded(table)
        if not batches:
            context.log.warning(f"{month:%Y-%m}: no register in the drop; the latest earlier register will be used")
        context.log_event(progress_observation(
            REGISTER_KEYS[0], "ingested", month, files=len(batches),
            rows_quarantined=sum(len(b.rejects) for b in batches),
        ))
    for key in REGISTER_KEYS:
        table = key.path[-1]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={"rows_loaded": loaded[table], "rows_quarantined_all_sheets": quarantined,
                      "files": dg.MetadataValue.json(files)},
        )
