"""One table, one month: read from DuckDB whole or in chunks, then the suite's GX and SQL rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pandas as pd

from pipelines.core.quality.findings import Finding, added_up
from pipelines.core.quality.gx_runner import as_checked, gx_findings
from pipelines.core.quality.sql_rules import (
    DEFAULT_BLOCK_MIN_ROWS,
    DEFAULT_BLOCK_SHARE,
    DEFAULT_PLAUSIBLE_YEARS,
    implausible_dates,
    mostly_quarantined_files,
    sql_findings,
)
from pipelines.core.quality.suites import Suite
from pipelines.core.warehouse.load import columns_of

CHUNK_ROWS = 250_000


def _row_count(conn: duckdb.DuckDBPyConnection, table: str, month: dt.date) -> int:
    return conn.execute(f"select count(*) from raw.{table} where snapshot_month = ?", [month]).fetchall()[0][0]


def _rows_sql(table: str, columns: list[str] | None = None) -> str:
    column_sql = ", ".join(f'"{c}"' for c in (columns or columns_of(table)))
    return f"select {column_sql} from raw.{table} where snapshot_month = ? order by source_file, source_row"


def _table_rows(
    conn: duckdb.DuckDBPyConnection, table: str, month: dt.date, columns: list[str] | None = None
) -> pd.DataFrame:
    """The table's rows of `month` (only `columns`, when given) in file and row order."""
    rows = conn.sql(_rows_sql(table, columns), params=[month]).to_arrow_table()
    return as_checked(rows.to_pandas(date_as_object=False))


def _table_chunks(
    conn: duckdb.DuckDBPyConnection, table: str, month: dt.date, chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """The same rows, `chunk_rows` at a time."""
    for batch in conn.sql(_rows_sql(table), params=[month]).to_arrow_reader(chunk_rows):
        yield as_checked(batch.to_pandas(date_as_object=False))


def validate_table(
    conn: duckdb.DuckDBPyConnection,
    suite: Suite,
    month: dt.date,
    variables: dict[str, str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    plausible_date_years: int = DEFAULT_PLAUSIBLE_YEARS,
    block_file_quarantine_share: float = DEFAULT_BLOCK_SHARE,
    block_file_min_rows: int = DEFAULT_BLOCK_MIN_ROWS,
) -> list[Finding]:
    """Every failed expectation and SQL rule of `suite` on the table's snapshot of `month`, its implausible
    dates, and its files that were mostly quarantined."""
    findings: list[Finding] = []
    rows = _row_count(conn, suite.table, month) if suite.severities else 0
    # A month without rows of the table (an optional sheet, a source not in this drop) gives GX nothing to fail
    # on: its row expectations hold vacuously, and the column set is the raw table's own, checked whenever rows
    # arrive. Skipped, so a month's checks cost what its data does (about 0.15 s a table).
    if 0 < rows <= chunk_rows:
        findings = gx_findings(suite.table, suite.gx_suite, _table_rows(conn, suite.table, month))
    elif rows > chunk_rows:
        for frame in _table_chunks(conn, suite.table, month, chunk_rows):
            findings = added_up(findings, gx_findings(suite.table, suite.row_wise, frame))
        findings += gx_findings(
            suite.table, suite.whole_table, _table_rows(conn, suite.table, month, list(suite.whole_table_columns))
        )
    return (
        findings
        + sql_findings(conn, suite, month, variables or {})
        + implausible_dates(conn, suite.table, month, plausible_date_years)
        + mostly_quarantined_files(conn, suite.table, month, block_file_quarantine_share, block_file_min_rows)
    )
