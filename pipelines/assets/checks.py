"""Asset checks: the data-quality suite of each raw table, on the months of the run.

Blocking: a failed rule of severity `error` stops the run before dbt, so nothing of that month is published
and the previous pack stays as it was. `warn` findings let the month through; both are recorded in
raw.quality_findings for the pack and shown in the Dagster UI with a few example rows.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.core.memory import release_freed_memory
from pipelines.core.quality.findings import ERROR, record_findings, severity_of
from pipelines.core.quality.suites import EXPECTATIONS_DIR, load_suite
from pipelines.core.quality.table_check import validate_table
from pipelines.partitions import months_of
from pipelines.resources import SteerpackConfig

CHECK_NAME = "quality_suite"


def build_quality_check(table: str, partitions: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", table]),
        name=CHECK_NAME,
        blocking=True,
        partitions_def=partitions,
        description=f"expectations/{table}.json on the month's raw.{table}; severity error blocks the month.",
    )
    def quality_check(
        context: dg.AssetCheckExecutionContext, steerpack: SteerpackConfig, duckdb: DuckDBResource
    ) -> dg.AssetCheckResult:
        suite = load_suite(EXPECTATIONS_DIR / f"{table}.json")  # its own suite only: ~0.4 s each
        settings = steerpack.settings
        variables = {"base_currency": settings.base_currency, "fx_policy": settings.fx_policy}
        findings = []
        with duckdb.get_connection() as conn:
            for month in months_of(context.op_execution_context.partition_keys):
                month_findings = validate_table(conn, suite, month, variables, **settings.quality.rule_settings())
                record_findings(conn, table, month, month_findings)
                findings += [(month, finding) for finding in month_findings]
                release_freed_memory()
        severity = severity_of([finding for _, finding in findings])
        for month, finding in findings:
            log = context.log.error if finding.severity == ERROR else context.log.warning
            log(f"raw.{table} {month:%Y-%m}: {finding.rule} failed on {finding.failed_rows} row(s)")
        return dg.AssetCheckResult(
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

    quality_check.__name__ = f"{table}_quality_check"
    return quality_check


def build_quality_checks(partitions: dg.PartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    """One check per suite file; the suites themselves (and GX) load when a check first runs."""
    return [build_quality_check(path.stem, partitions) for path in sorted(EXPECTATIONS_DIR.glob("*.json"))]
