"""`steerpack validate`: parse a drop and run the quality suites, writing nothing but a report.

The drop is loaded into an in-memory DuckDB, never the warehouse, so a PMO analyst can check a new drop
before the monthly run. The report lists every file (format recognised, rows read / loaded / quarantined,
the commonest reasons) and every failed rule; ERROR anywhere means the monthly run would be blocked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import duckdb

from pipelines.config import Settings
from pipelines.core.ingest import DROP_PARTS, parse_drop_part
from pipelines.core.quality.findings import ERROR, WARN, Finding, example_in_words
from pipelines.core.quality.suites import load_suites
from pipelines.core.quality.table_check import validate_table
from pipelines.core.text import printable
from pipelines.core.warehouse.load import ensure_raw_schema, replace_snapshot
from pipelines.sources.common import LoadBatch

TOP_REASONS = 3
SHOWN_EXAMPLES = 3
_ROW_PREFIX = re.compile(r"^(?:sheet '[^']*' )?row \d+: ")


@dataclass
class FileReport:
    source_file: str
    file_format: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    error: str | None
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, batch: LoadBatch) -> FileReport:
        reasons = Counter(_ROW_PREFIX.sub("", r.reason) for r in batch.rejects)
        return cls(
            batch.source_file,
            batch.file_format,
            sum(batch.rows_read.values()),
            sum(batch.rows_loaded(t) for t in batch.tables),
            len(batch.rejects),
            batch.error,
            reasons.most_common(TOP_REASONS),
            batch.encoding,
            list(batch.notes),
        )


@dataclass
class MonthReport:
    month: dt.date
    files: list[FileReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    earlier_snapshots: str | None = None

    @property
    def errors(self) -> int:
        # As the monthly run's gate decides: an unreadable file blocks only through its rule (every_file_readable,
        # register_readable), not when an earlier snapshot serves what it held.
        return sum(1 for f in self.findings if f.severity == ERROR)

    def blocking_reasons(self, source_file: str) -> list[str]:
        """Why this file would block the month: the error findings that name it."""
        return [
            finding.description or finding.rule
            for finding in self.findings
            if finding.severity == ERROR
            and any(example.get("source_file") == source_file for example in finding.examples)
        ]

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARN)


def validate_drop(settings: Settings, months: list[dt.date]) -> list[MonthReport]:
    """Parse each month's drop into a scratch database and run every suite on it."""
    reports = []
    suites = load_suites()
    with duckdb.connect(":memory:") as conn:
        ensure_raw_schema(conn)
        earlier = copy_earlier_snapshots(conn, settings, min(months)) if months else None
        for month in sorted(months):
            report = MonthReport(month)
            for part in DROP_PARTS.values():
                # even a broken register is listed with its reason here, next to the other files
                batches = parse_drop_part(part, settings, month)
                replace_snapshot(conn, month, part.sources, part.tables, batches)
                report.files += [FileReport.of(batch) for batch in batches]
            for _table, suite in sorted(suites.items()):
                report.findings += validate_table(
                    conn,
                    suite,
                    month,
                    {"base_currency": settings.base_currency, "fx_policy": settings.fx_policy},
                    **settings.quality.rule_settings(),
                )
            report.earlier_snapshots = earlier
            reports.append(report)
    return reports


# What the rules read of months before the one checked: which files loaded (to serve an unreadable one), the FX
# rates, the spend lines and register rows a month without its own extract is served from (their currencies need
# rates), and which plan keys had rows. Plan rows are copied as their keys only: the rules read nothing else of
# an earlier month, and a large portfolio holds millions of them.
_EARLIER_COLUMNS = {
    "load_log": None,
    "fx_rates": None,
    "spend": None,
    "projects": None,
    "quarantine": None,
    "work_items": ("snapshot_month", "source", "plan_key"),
    "schedule_tasks": ("snapshot_month", "source", "plan_key"),
}


def copy_earlier_snapshots(conn: duckdb.DuckDBPyConnection, settings: Settings, before: dt.date) -> str:
    """Copy what the rules need of the warehouse's snapshots before `before` into the scratch database, so the
    drop is judged as the monthly run would judge it; returns a sentence saying what was used."""
    if not settings.warehouse.exists():
        return "no warehouse yet: no earlier snapshot can serve an unreadable file"
    try:
        conn.execute("attach ? as warehouse (read_only)", [str(settings.warehouse)])
    except duckdb.Error as error:
        return f"the warehouse could not be read ({str(error).splitlines()[0][:120]}): earlier snapshots not used"
    try:
        present = {
            row[0]
            for row in conn.execute(
                "select table_name from duckdb_tables() where database_name = 'warehouse' and schema_name = 'raw'"
            ).fetchall()
        }
        for table, wanted in _EARLIER_COLUMNS.items():
            if table not in present:
                continue
            have = {
                row[0]
                for row in conn.execute(
                    "select column_name from duckdb_columns() "
                    "where database_name = 'warehouse' and schema_name = 'raw' and table_name = ?",
                    [table],
                ).fetchall()
            }
            ours = [
                row[0]
                for row in conn.execute(
                    "select column_name from duckdb_columns() where database_name = 'memory' and schema_name = 'raw' "
                    "and table_name = ?",
                    [table],
                ).fetchall()
            ]
            columns = ", ".join(f'"{c}"' for c in ours if c in have and (wanted is None or c in wanted))
            conn.execute(
                f"insert into raw.{table} ({columns}) select distinct {columns} from warehouse.raw.{table} "
                "where snapshot_month < ?",
                [before],
            )
        months = conn.execute("select count(distinct snapshot_month) from raw.load_log").fetchone()[0]
    finally:
        conn.execute("detach warehouse")
    return f"earlier snapshots from the warehouse {settings.warehouse.name}: {months} month(s)"


def format_report(reports: list[MonthReport], settings: Settings) -> str:
    """The report as the CLI prints it; each line made `printable`, so no file name, cell or message in it can
    forge a line (a newline, `ready for the monthly run`), clear the terminal or reverse the text."""
    lines = [f"steerpack validate — inbox {settings.inbox}"]
    for report in reports:
        lines.append("")
        lines.append(f"{report.month:%Y-%m}")
        if report.earlier_snapshots:
            lines.append(f"  ({report.earlier_snapshots})")
        lines.append("  files")
        if not report.files:
            lines.append("    (no files in this month's drop)")
        width = max([len(printable(f.source_file)) for f in report.files] + [10])
        for file in report.files:
            blocking = report.blocking_reasons(file.source_file)
            if file.error:
                lines.append(f"    {file.source_file:<{width}}  {'BLOCKS' if blocking else 'UNREADABLE'}  {file.error}")
                if not blocking:
                    lines.append("        what it held is served from the latest earlier snapshot (see suites)")
                continue
            lines.append(
                f"    {file.source_file:<{width}}  {file.file_format:<28} {file.encoding or '':<12} "
                f"{file.rows_read:>7} read {file.rows_loaded:>7} loaded {file.rows_quarantined:>5} quarantined"
            )
            lines += [f"        would block the month: {reason}" for reason in blocking]
            # every note: one may name hidden content of the register that the analyst has to see (DESIGN §4a)
            lines += [f"        note: {note}" for note in file.notes]
            for reason, count in file.top_reasons:
                lines.append(f"        {count} × {reason}")
        lines.append("  suites")
        if not report.findings:
            lines.append("    every rule passed")
        for finding in sorted(report.findings, key=lambda f: (f.severity != ERROR, f.table, f.rule)):
            example = f"; e.g. {example_in_words(finding.examples[0])}" if finding.examples else ""
            what = finding.description or finding.rule
            lines.append(
                f"    {finding.severity.upper():<5}  raw.{finding.table}: {what} — "
                f"{finding.failed_rows} row(s){example}"
            )
            # a rule about rows that conflict (one address, two scopes) is fixed by looking at all of them
            lines += [f"           and {example_in_words(other)}" for other in finding.examples[1:SHOWN_EXAMPLES]]
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    lines.append("")
    verdict = "fix the errors before the monthly run: it would be blocked" if errors else "ready for the monthly run"
    lines.append(f"result: {errors} error(s), {warnings} warning(s) — {verdict}")
    return "\n".join(printable(line) for line in lines)
