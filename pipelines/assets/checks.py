"""Asset checks: the data-quality suite of each raw table, on the months of the run.

Blocking: a failed rule of severity `error` stops the run before dbt, so nothing of that month is published
and the previous pack stays as it was. `warn` findings let the month through; both are recorded in
raw.quality_findings for the pack and shown in the Dagster UI with a few example rows.

All tables' checks run in ONE step (a multi-asset check): one step's start/stop events, one resource setup and
one DuckDB connection per run instead of seventeen. Each table keeps its own check, `quality_suite` on
raw/<table>, with its own result, so the UI, the failure sensor and `observe/failures.py` see what they saw.
"""

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.core.memory import release_freed_memory
from pipelines.core.quality.findings import ERROR, Finding, record_findings, severity_of
from pipelines.core.quality.suites import EXPECTATIONS_DIR, load_suite
from pipelines.core.quality.table_check import validate_table
from pipelines.partitions import months_of
from pipelines.resources import SteerpackConfig

CHECK_NAME = "quality_suite"
# The one step running every table's check; its key holds "_quality_suite" like the per-table steps' keys did.
QUALITY_STEP = "raw_quality_suites"


def quality_tables() -> list[str]:
    """One table per suite file, in name order."""
    return [path.stem for path in sorted(EXPECTATIONS_DIR.glob("*.json"))]


def _check_result(table: str, findings: list[tuple[dt.date, Finding]]) -> dg.AssetCheckResult:
    severity = severity_of([finding for _, finding in findings])
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["raw", table]),
        check_name=CHECK_NAME,
        passed=severity is None,
        severity=dg.AssetCheckSeverity.ERROR if severity == ERROR else dg.AssetCheckSeverity.WARN,
        metadata={
            "failed_rules": len(findings),
            "errors": sum(1 for _, f in findings if f.severity == ERROR),
            "findings": dg.MetadataValue.json(
                [{"month": f"{month:%Y-%m}", **finding.as_metadata()} for month, finding in findings]
            ),
        },
    )


def build_quality_checks(partitions: dg.PartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    """One blocking check per suite file, all run by one step; the suites (and GX) load when it first runs."""
    tables = quality_tables()
    specs = [
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=dg.AssetKey(["raw", table]),
            blocking=True,
            partitions_def=partitions,
            description=f"expectations/{table}.json on the month's raw.{table}; severity error blocks the month.",
        )
        for table in tables
    ]

    @dg.multi_asset_check(
        name=QUALITY_STEP,
        specs=specs,
        description="The data-quality suite of each raw table on the run's months; severity error blocks them.",
    )
    def quality_checks(context: dg.AssetCheckExecutionContext, steerpack: SteerpackConfig, duckdb: DuckDBResource):
        settings = steerpack.settings
        variables = {"base_currency": settings.base_currency, "fx_policy": settings.fx_policy}
        months = months_of(context.op_execution_context.partition_keys)
        with duckdb.get_connection() as conn:
            for table in tables:
                suite = load_suite(EXPECTATIONS_DIR / f"{table}.json")  # cached per process while unchanged
                findings = []
                for month in months:
                    month_findings = validate_table(conn, suite, month, variables, **settings.quality.rule_settings())
                    record_findings(conn, table, month, month_findings)
                    findings += [(month, finding) for finding in month_findings]
                    release_freed_memory()
                for month, finding in findings:
                    log = context.log.error if finding.severity == ERROR else context.log.warning
                    log(f"raw.{table} {month:%Y-%m}: {finding.rule} failed on {finding.failed_rows} row(s)")
                yield _check_result(table, findings)

    return [quality_checks]
