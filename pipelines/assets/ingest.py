"""Ingest assets: one month's drop of a source, parsed and written to `raw.*` for that snapshot month.

Thin by design: `pipelines.core.ingest` knows the parts of a drop and their parsers, `replace_snapshot` knows the
transaction; these assets walk the months of the run (one, or a whole backfill range in a single run) and
report what they loaded. An unreadable register stops the run; any other unreadable file is recorded in
raw.load_log and the quality checks decide whether the month may be published.
"""

from dataclasses import dataclass, field

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.core.inbox import require_inbox
from pipelines.core.ingest import DROP_PARTS, DropPart, iter_drop_part
from pipelines.core.memory import release_freed_memory
from pipelines.core.text import printable
from pipelines.core.warehouse.load import replace_snapshot
from pipelines.core.warehouse.lock import WAREHOUSE_POOL
from pipelines.observe.progress import progress_observation
from pipelines.partitions import months_of
from pipelines.resources import SteerpackConfig
from pipelines.sources.common import LoadBatch

DESCRIPTIONS = {
    "register": "The PMO's portfolio register workbook, all six sheets.",
    "plans": "Jira and Azure DevOps work items; MS Project and Smartsheet schedules.",
    "finance": "ERP / AP line items in any declared layout (CSV or XLSX), and FX rates.",
    "incidents": "ServiceNow, PagerDuty and Jira Service Management incidents.",
}

# What each raw table holds, in one sentence a PMO analyst reading the Dagster UI can follow (the dbt sources in
# dbt_project/models/staging/_sources.yml say the same to dbt).
TABLE_DESCRIPTIONS = {
    "projects": "The register's Projects sheet: one row per project and monthly snapshot.",
    "milestones": "The register's Milestones sheet: milestones with their baseline, forecast and actual dates.",
    "benefits": "The register's Benefits sheet: the benefits each project promises, with baseline, target and date.",
    "raid": "The register's RAID sheet: risks, assumptions, issues and dependencies per project.",
    "changes": "The register's Changes sheet: change requests, their decision and their cost and schedule impact.",
    "distribution": "The register's Distribution sheet: who receives the pack, and which part of it.",
    "decisions": "The register's optional Decisions sheet: decisions the projects need, by when, and their outcome.",
    "readiness": "The register's optional Readiness sheet: the go-live readiness checklist per release.",
    "uat": "The register's optional UAT sheet: user acceptance test progress per release.",
    "cutovers": "The register's optional Cutovers sheet: each release's cutover and its outcome.",
    "surveys": "The register's optional Surveys sheet: stakeholder and team survey scores.",
    "evidence": "The register's optional Evidence sheet: compliance evidence per project and control.",
    "work_items": "Jira and Azure DevOps work items, as exported for the month.",
    "schedule_tasks": "MS Project and Smartsheet schedule tasks, as exported for the month.",
    "spend": "Finance (ERP / AP) line items: the actual cost booked to each project.",
    "fx_rates": "The month's exchange rates to the base currency.",
    "incidents": "ServiceNow, PagerDuty and Jira Service Management incidents, as exported for the month.",
}

# Data engineering answers for loading the drops (the parsers, the raw tables); see pipelines/assets/dbt.py.
INGEST_OWNERS = ["team:data-engineering"]


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


def build_ingest_asset(part: DropPart, partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    keys = [dg.AssetKey(["raw", table]) for table in part.tables]

    @dg.multi_asset(
        name=f"{part.name}_ingest",
        description=f"Loads the {part.name} part of the month's drop: {DESCRIPTIONS[part.name]}",
        specs=[
            dg.AssetSpec(
                key,
                group_name="ingest",
                description=TABLE_DESCRIPTIONS[key.path[-1]],
                # parsed in Python, written to DuckDB: the two icons the UI shows on the node
                kinds={"python", "duckdb"},
                owners=INGEST_OWNERS,
                tags={"steerpack/drop_part": part.name},
            )
            for key in keys
        ],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
        can_subset=False,
    )
    def ingest(context: dg.AssetExecutionContext, steerpack: SteerpackConfig, duckdb: DuckDBResource):
        settings = steerpack.settings
        require_inbox(settings.inbox)
        summary = IngestSummary()
        for month in months_of(context.partition_keys):
            counts = {"files": 0, "rows_quarantined": 0}

            def parsed(month=month, counts=counts):
                # Streamed into the transaction file by file; only each batch's summary is kept.
                for batch in iter_drop_part(part, settings, month):
                    summary.add(batch)
                    counts["files"] += 1
                    counts["rows_quarantined"] += len(batch.rejects)
                    if batch.error:
                        context.log.error(printable(batch.error))  # a log line per file, whatever its name holds
                    yield batch

            with duckdb.get_connection() as conn:
                replace_snapshot(conn, month, part.sources, part.tables, parsed())
            release_freed_memory()
            if not counts["files"]:
                context.log.info(
                    f"{month:%Y-%m}: no {part.name} files in the drop; the latest earlier snapshot will be used"
                )
            context.log_event(
                progress_observation(
                    keys[0],
                    f"{part.name} ingested",
                    month,
                    **counts,
                )
            )
        for key in keys:
            yield dg.MaterializeResult(asset_key=key, metadata=summary.metadata(key.path[-1]))

    return ingest


def build_ingest_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [build_ingest_asset(part, partitions) for part in DROP_PARTS.values()]
