"""The SQL rules: DuckDB queries over the month's rows in `check_months`, plus the built-in file rules."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from pipelines.core.quality.findings import ERROR, EXAMPLES, WARN, Finding, plain_value
from pipelines.core.quality.suites import Suite
from pipelines.sources.schema import CANONICAL


def sql_findings(
    conn: duckdb.DuckDBPyConnection, suite: Suite, month: dt.date, variables: dict[str, str]
) -> list[Finding]:
    findings = []
    for name, value in variables.items():  # settings the rules read with getvariable(), e.g. base_currency
        conn.execute(f"set variable {name} = '{value.replace(chr(39), chr(39) * 2)}'")
    conn.register("check_months_frame", pd.DataFrame({"month": [month]}))
    try:
        conn.execute(
            "create or replace temp view check_months as select cast(month as date) as month from check_months_frame"
        )
        for rule in suite.sql_rules:
            relation = conn.execute(rule.sql)
            names = [d[0] for d in relation.description]
            rows = relation.fetchall()
            if rows:
                examples = [{k: plain_value(v) for k, v in zip(names, row)} for row in rows[:EXAMPLES]]
                findings.append(Finding(suite.table, rule.name, rule.severity, len(rows), rule.description, examples))
    finally:
        conn.execute("drop view if exists check_months")
        conn.unregister("check_months_frame")
    return findings


PLAUSIBLE_DATES_RULE = "dates_plausible"


DEFAULT_PLAUSIBLE_YEARS = 20


def _date_columns(table: str) -> list[str]:
    return [name for name, sql_type in CANONICAL.get(table, []) if sql_type in ("DATE", "TIMESTAMP")]


def implausible_dates(
    conn: duckdb.DuckDBPyConnection, table: str, month: dt.date, years: int = DEFAULT_PLAUSIBLE_YEARS
) -> list[Finding]:
    """A warning per date column holding dates more than `years` from the snapshot's month (1900, 2999): a
    typo there is taken as a date and distorts every KPI that reads it (a 45,000-day baseline)."""
    low, high = dt.date(month.year - years, month.month, 1), dt.date(month.year + years, month.month, 1)
    findings = []
    for column in _date_columns(table):
        rows = conn.execute(
            f"""
            select source_file, source_row, cast("{column}" as varchar) as value from raw.{table}
            where snapshot_month = ? and "{column}" is not null
                and ("{column}" < cast(? as date) or "{column}" >= cast(? as date))
            order by source_file, source_row""",
            [month, low, high],
        ).fetchall()
        if rows:
            findings.append(
                Finding(
                    table,
                    f"{PLAUSIBLE_DATES_RULE}({column})",
                    WARN,
                    len(rows),
                    f"{column} is more than {years} years from {month:%Y-%m} (before {low:%Y-%m} or from {high:%Y-%m} "
                    "on): check the cell, such a date distorts every KPI that reads it (quality.plausible_date_years)",
                    [{"source_file": file, "source_row": row, column: value} for file, row, value in rows[:EXAMPLES]],
                )
            )
    return findings


MOSTLY_QUARANTINED_RULE = "file_mostly_quarantined"
SMALL_FILE_QUARANTINED_RULE = "small_file_rows_quarantined"


DEFAULT_BLOCK_SHARE = 0.5
DEFAULT_BLOCK_MIN_ROWS = 10


def mostly_quarantined_files(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    month: dt.date,
    share: float = DEFAULT_BLOCK_SHARE,
    min_rows: int = DEFAULT_BLOCK_MIN_ROWS,
) -> list[Finding]:
    """An ERROR for the files of at least `min_rows` rows more than `share` of whose rows of `table` were
    quarantined (DESIGN §4a): bad rows do not block a month, but a file that mostly cannot be read is a layout or
    locale problem (a decimal comma read as a point, a date format, an encoding), and publishing what little loaded
    would be wrong. A smaller file says nothing about its layout (one bad row of one is 100 %): its quarantined
    rows are rows, a WARN, and the projects they touch get their data gaps as for any quarantined row."""
    rows = conn.execute(
        """
        with files as (
            select source_file, rows_read, rows_quarantined from raw.load_log
            where snapshot_month = ? and table_name = ? and rows_read > 0 and rows_quarantined > ? * rows_read
        ),
        reasons as (
            select source_file,
                mode(regexp_replace(reason, '^(sheet ''[^'']*'' )?(row|task) [0-9]+[^:]*: ', '')) as commonest_reason
            from raw.quarantine
            where snapshot_month = ? and table_name = ?
            group by source_file
        )
        select files.source_file, files.rows_read, files.rows_quarantined, reasons.commonest_reason
        from files left join reasons on files.source_file = reasons.source_file
        order by files.source_file""",
        [month, table, share, month, table],
    ).fetchall()
    large = [row for row in rows if row[1] >= min_rows]
    small = [row for row in rows if row[1] < min_rows]
    findings = []
    if large:
        findings.append(
            Finding(
                table,
                MOSTLY_QUARANTINED_RULE,
                ERROR,
                len(large),
                f"more than {share:.0%} of a file's rows could not be loaded: that is the file's layout or locale "
                "(decimal mark, date format, encoding, columns), not bad rows; fix the layout in steerpack.yaml or the "
                "export (quality.block_file_quarantine_share)",
                _file_examples(large),
            )
        )
    if small:
        findings.append(
            Finding(
                table,
                SMALL_FILE_QUARANTINED_RULE,
                WARN,
                len(small),
                f"more than {share:.0%} of a small file's rows (fewer than {min_rows}) could not be loaded: too few "
                "rows to say anything of the file's layout, so they are quarantined like any bad row and the month "
                "goes on; fix the rows named in the quarantine (quality.block_file_min_rows)",
                _file_examples(small),
            )
        )
    return findings


def _file_examples(rows: list[tuple]) -> list[dict]:
    return [
        {"source_file": file, "rows_read": read, "rows_quarantined": quarantined, "commonest_reason": reason}
        for file, read, quarantined, reason in rows[:EXAMPLES]
    ]
