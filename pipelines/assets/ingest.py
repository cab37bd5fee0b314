"""Ingest assets: one month's drop of a source, parsed and written to `raw.*` for that snapshot month.

Thin by design: the parsers know the formats, `replace_snapshot` knows the transaction; these assets only
walk the months of the run (one, or a whole backfill range in a single run) and report what they loaded.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.inbox import display_name, require_inbox, source_files
from pipelines.partitions import monthly_partitions, months_of
from pipelines.progress import progress_observation
from pipelines.resources import SteerpackConfig
from pipelines.resources.warehouse import replace_snapshot
from pipelines.sources import register
from pipelines.sources.finance import parse_finance_file
from pipelines.sources.incidents import INCIDENT_SOURCES, parse_incident_file
from pipelines.sources.common import LoadBatch, SourceFormatError
from pipelines.sources.plans import PLAN_SOURCES, PLAN_TABLES, parse_plan_file

REGISTER_KEYS = [dg.AssetKey(["raw", table]) for table in register.TABLES]
PLAN_KEYS = [dg.AssetKey(["raw", table]) for table in PLAN_TABLES]
FINANCE_KEYS = [dg.AssetKey(["raw", "spend"]), dg.AssetKey(["raw", "fx_rates"])]
INCIDENT_KEYS = [dg.AssetKey(["raw", "incidents"])]
UNRECOGNISED = "unrecognised"


@dataclass
class IngestSummary:
    rows_loaded: dict[str, int] = field(default_factory=dict)
    rows_quarantined: int = 0
    files: list[str] = field(default_factory=list)
    failed_files: dict[str, str] = field(default_factory=dict)

    def add(self, batch: LoadBatch) -> None:
        self.files.append(batch.source_file)
        self.rows_quarantined += len(batch.rejects)
        if batch.error:
            self.failed_files[batch.source_file] = batch.error
        for table in batch.tables:
            self.rows_loaded[table] = self.rows_loaded.get(table, 0) + batch.rows_loaded(table)

    def metadata(self, table: str) -> dict:
        return {
            "rows_loaded": self.rows_loaded.get(table, 0),
            "rows_quarantined_all_tables": self.rows_quarantined,
            "files": dg.MetadataValue.json(self.files),
            "failed_files": dg.MetadataValue.json(self.failed_files),
        }


def ingest_months(context: dg.AssetExecutionContext, duckdb: DuckDBResource, inbox: Path, folders: tuple[str, ...],
                  tables: tuple[str, ...], parse: Callable[[Path, str], LoadBatch], progress_key: dg.AssetKey,
                  stage: str, unreadable_is_fatal: bool, sources: tuple[str, ...] | None = None) -> IngestSummary:
    """Parse every file of `folders` in each month of the run and replace those months' slices of raw.*.

    `sources` are the source labels the folders' files may load as (default: the folder names); an unreadable
    file is logged under its folder's name.

    An unreadable file stops the run when `unreadable_is_fatal` (the register: nothing makes sense without it);
    otherwise it is recorded in raw.load_log with its error and the month's other files still load.
    """
    summary = IngestSummary()
    for month in months_of(context.partition_keys):
        batches = []
        for folder in folders:
            for path in source_files(inbox, month, folder):
                name = display_name(inbox, path)
                try:
                    batches.append(parse(path, name))
                except SourceFormatError as error:
                    if unreadable_is_fatal:
                        raise
                    context.log.error(str(error))
                    batches.append(LoadBatch(source_file=name, file_format=UNRECOGNISED, source=folder,
                                             error=str(error)))
        with duckdb.get_connection() as conn:
            replace_snapshot(conn, month, tuple(sources or ()) + folders, tables, batches)
        for batch in batches:
            summary.add(batch)
        if not batches:
            context.log.info(f"{month:%Y-%m}: no {'/'.join(folders)} files in the drop; "
                             "the latest earlier snapshot will be used")
        context.log_event(progress_observation(
            progress_key, stage, month, files=len(batches),
            rows_quarantined=sum(len(b.rejects) for b in batches),
        ))
    return summary


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
    inbox = require_inbox(steerpack.settings().inbox)
    summary = ingest_months(context, duckdb, inbox, ("register",), tuple(register.TABLES),
                            register.parse_register, REGISTER_KEYS[0], "register ingested", unreadable_is_fatal=True)
    for key in REGISTER_KEYS:
        yield dg.MaterializeResult(asset_key=key, metadata=summary.metadata(key.path[-1]))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name="ingest",
                     description=f"Jira, Azure DevOps, MS Project and Smartsheet exports loaded into raw.{key.path[-1]}.")
        for key in PLAN_KEYS
    ],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def plans_ingest(context: dg.AssetExecutionContext, steerpack: SteerpackConfig, duckdb: DuckDBResource):
    """The PM tools' exports of each month's drop: work items (Jira, Azure DevOps) and schedules (MSPDI, Smartsheet)."""
    settings = steerpack.settings()
    story_points_fields = list(settings.jira.story_points_fields)
    summary = ingest_months(
        context, duckdb, require_inbox(settings.inbox), PLAN_SOURCES, PLAN_TABLES,
        lambda path, name: parse_plan_file(path, name, story_points_fields), PLAN_KEYS[0],
        "plans ingested", unreadable_is_fatal=False,
    )
    for key in PLAN_KEYS:
        yield dg.MaterializeResult(asset_key=key, metadata=summary.metadata(key.path[-1]))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name="ingest",
                     description=f"Finance extracts (any declared layout, CSV or XLSX) loaded into raw.{key.path[-1]}.")
        for key in FINANCE_KEYS
    ],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def finance_ingest(context: dg.AssetExecutionContext, steerpack: SteerpackConfig, duckdb: DuckDBResource):
    """ERP / AP line items and FX rates of each month's drop."""
    settings = steerpack.settings()
    layouts = settings.finance.spend_layouts()
    summary = ingest_months(
        context, duckdb, require_inbox(settings.inbox), ("finance",), ("spend", "fx_rates"),
        lambda path, name: parse_finance_file(path, name, layouts), FINANCE_KEYS[0], "finance ingested",
        unreadable_is_fatal=False,
    )
    for key in FINANCE_KEYS:
        yield dg.MaterializeResult(asset_key=key, metadata=summary.metadata(key.path[-1]))


@dg.multi_asset(
    specs=[dg.AssetSpec(INCIDENT_KEYS[0], group_name="ingest",
                        description="ServiceNow, PagerDuty and Jira Service Management incidents loaded into raw.incidents.")],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def incidents_ingest(context: dg.AssetExecutionContext, steerpack: SteerpackConfig, duckdb: DuckDBResource):
    """The ITSM exports of each month's drop."""
    summary = ingest_months(
        context, duckdb, require_inbox(steerpack.settings().inbox), ("incidents",), ("incidents",),
        parse_incident_file, INCIDENT_KEYS[0], "incidents ingested", unreadable_is_fatal=False,
        sources=INCIDENT_SOURCES,
    )
    yield dg.MaterializeResult(asset_key=INCIDENT_KEYS[0], metadata=summary.metadata("incidents"))
