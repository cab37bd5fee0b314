"""Data-quality suites: Great Expectations on each canonical table, plus SQL rules that span tables or files.

A suite is `expectations/<table>.json`, a Great Expectations 1.x suite. Each expectation's `meta.severity` is
`error` (the month must not be published) or `warn` (reported, the month goes on). The suite's
`meta.steerpack.sql_rules` hold what GX cannot say about one table alone (a plan for every register project,
files that balance): each is a DuckDB query returning the offending rows, over the run's months in
`check_months`. Adding a rule is an edit to the JSON, not to this code.

GX evaluates each expectation on whole columns; SQL rules run inside DuckDB. A table of up to `CHUNK_ROWS` rows
is read into pandas once. A larger one (millions of work items) is validated in chunks of that many rows, so
memory stays bounded: the row-by-row expectations run on each chunk and their counts add up, and those that
need the whole table (uniqueness, aggregates) run once on just the columns they name.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines import REPO_ROOT
from pipelines.resources.warehouse import columns_of
from pipelines.sources.schema import CANONICAL

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
ERROR, WARN = "error", "warn"
EXAMPLES = 5
CHUNK_ROWS = 250_000
# Map expectations that still compare rows with each other, so a chunk cannot decide them alone.
WHOLE_TABLE_TYPES = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique",
                     "expect_select_column_values_to_be_unique_within_record"}
# Table-level expectations that look at the columns, not the rows: any chunk can decide them.
SCHEMA_TYPES = {"expect_table_columns_to_match_set", "expect_table_columns_to_match_ordered_list",
                "expect_column_to_exist", "expect_table_column_count_to_equal",
                "expect_table_column_count_to_be_between"}
LOCATING_COLUMNS = ("source_file", "source_row")


@dataclass(frozen=True)
class Finding:
    """One rule that failed: how many rows, and a few of them so a reader can see why."""

    table: str
    rule: str
    severity: str
    failed_rows: int
    description: str = ""
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_metadata(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "failed_rows": self.failed_rows,
                "description": self.description, "examples": self.examples}


@dataclass(frozen=True)
class SqlRule:
    name: str
    severity: str
    description: str
    sql: str


@dataclass(frozen=True)
class Suite:
    table: str
    gx_suite: Any
    severities: list[str]
    sql_rules: list[SqlRule]
    row_wise: Any  # the expectations a chunk of rows can decide
    whole_table: Any  # the others, and the columns they read
    whole_table_columns: tuple[str, ...]


def _quiet_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


@cache
def _gx_context():
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def load_suite(path: Path) -> Suite:
    """A suite file; its severities are checked so a typo cannot silently downgrade a rule."""
    _quiet_gx()
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    data = json.loads(path.read_text(encoding="utf-8"))
    configs = data.get("expectations", [])
    severities = []
    for config in configs:
        severity = config.get("meta", {}).get("severity", ERROR)
        if severity not in (ERROR, WARN):
            raise ValueError(f"{path.name}: expectation {config.get('type')} has severity {severity!r} "
                             f"(use '{ERROR}' or '{WARN}')")
        severities.append(severity)
    expectations = [ExpectationConfiguration(**config).to_domain_obj() for config in configs]
    extension = data.get("meta", {}).get("steerpack", {})
    sql_rules = [SqlRule(rule["name"], rule.get("severity", ERROR), rule.get("description", ""), rule["sql"])
                 for rule in extension.get("sql_rules", [])]
    table = extension.get("table", path.stem)
    name = data.get("name", path.stem)
    row_wise = [e for e in expectations if _decided_by_a_chunk(e)]
    whole_table = [e for e in expectations if not _decided_by_a_chunk(e)]
    columns = [c for e in whole_table for c in _columns_named(e.configuration.kwargs)]
    return Suite(table, ExpectationSuite(name=name, expectations=expectations), severities, sql_rules,
                 row_wise=ExpectationSuite(name=f"{name}_row_wise", expectations=row_wise),
                 whole_table=ExpectationSuite(name=f"{name}_whole_table", expectations=whole_table),
                 whole_table_columns=tuple(dict.fromkeys([*columns, *LOCATING_COLUMNS])))


def _decided_by_a_chunk(expectation: Any) -> bool:
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    kind = expectation.expectation_type
    if kind in WHOLE_TABLE_TYPES:
        return False
    return kind in SCHEMA_TYPES or isinstance(
        expectation, (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation))


def _columns_named(kwargs: dict[str, Any]) -> list[str]:
    named = [kwargs.get(key) for key in ("column", "column_A", "column_B")]
    return [c for c in named if c] + list(kwargs.get("column_list") or [])


@cache
def load_suites(folder: Path = EXPECTATIONS_DIR) -> dict[str, Suite]:
    return {suite.table: suite for suite in (load_suite(path) for path in sorted(folder.glob("*.json")))}


def _row_count(conn: duckdb.DuckDBPyConnection, table: str, month: dt.date) -> int:
    return conn.execute(f"select count(*) from raw.{table} where snapshot_month = ?", [month]).fetchall()[0][0]


def _rows_sql(table: str, columns: list[str] | None = None) -> str:
    column_sql = ", ".join(f'"{c}"' for c in (columns or columns_of(table)))
    return f"select {column_sql} from raw.{table} where snapshot_month = ? order by source_file, source_row"


def _table_rows(conn: duckdb.DuckDBPyConnection, table: str, month: dt.date,
                columns: list[str] | None = None) -> pd.DataFrame:
    """The table's rows of `month` (only `columns`, when given) in file and row order."""
    rows = conn.sql(_rows_sql(table, columns), params=[month]).to_arrow_table()
    return _as_checked(rows.to_pandas(date_as_object=False))


def _table_chunks(conn: duckdb.DuckDBPyConnection, table: str, month: dt.date,
                  chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The same rows, `chunk_rows` at a time."""
    for batch in conn.sql(_rows_sql(table), params=[month]).to_arrow_reader(chunk_rows):
        yield _as_checked(batch.to_pandas(date_as_object=False))


def _as_checked(frame: pd.DataFrame) -> pd.DataFrame:
    # Dates compare as ISO text in GX suites (GX 1.x with pandas 3 compares datetime columns badly).
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d").where(frame[column].notna(), None)
    return frame


def _gx_findings(table: str, gx_suite: Any, frame: pd.DataFrame) -> list[Finding]:
    if not gx_suite.expectations:
        return []
    context = _gx_context()
    name = f"steerpack_{table}"
    try:
        source = context.data_sources.get(name)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(name)
    try:
        asset = source.get_asset(table)
    except LookupError:
        asset = source.add_dataframe_asset(table)
    try:
        definition = asset.get_batch_definition("rows")
    except (KeyError, ValueError):
        definition = asset.add_batch_definition_whole_dataframe("rows")
    result = definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        gx_suite, result_format={"result_format": "COMPLETE", "partial_unexpected_count": EXAMPLES})
    findings = []
    # GX does not keep the suite's order in its results: each result's own config carries its severity
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        severity = (config.meta or {}).get("severity", ERROR)
        kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
        rule = f"{config.type}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            findings.append(Finding(table, rule, severity, len(frame),
                                    f"could not be evaluated: {outcome.exception_info['exception_message']}"))
            continue
        indexes = outcome.result.get("unexpected_index_list") or []
        examples = [_example(frame, i) for i in indexes[:EXAMPLES] if isinstance(i, int) and i < len(frame)]
        count = outcome.result.get("unexpected_count")
        findings.append(Finding(table, rule, severity, int(count if count is not None else len(frame)),
                                config.meta.get("description", "") if config.meta else "", examples))
    return findings


def _plain(value: Any) -> Any:
    """A value as JSON and Dagster metadata take it: no numpy scalars, dates as ISO text."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value.isoformat() if hasattr(value, "isoformat") else value


def _example(frame: pd.DataFrame, index: int) -> dict[str, Any]:
    row = frame.iloc[index]
    return {k: _plain(v) for k, v in row.items() if k not in ("snapshot_month", "source")}


def _sql_findings(conn: duckdb.DuckDBPyConnection, suite: Suite, month: dt.date,
                  variables: dict[str, str]) -> list[Finding]:
    findings = []
    for name, value in variables.items():  # settings the rules read with getvariable(), e.g. base_currency
        conn.execute(f"set variable {name} = '{value.replace(chr(39), chr(39) * 2)}'")
    conn.register("check_months_frame", pd.DataFrame({"month": [month]}))
    try:
        conn.execute("create or replace temp view check_months as "
                     "select cast(month as date) as month from check_months_frame")
        for rule in suite.sql_rules:
            relation = conn.execute(rule.sql)
            names = [d[0] for d in relation.description]
            rows = relation.fetchall()
            if rows:
                examples = [{k: _plain(v) for k, v in zip(names, row)} for row in rows[:EXAMPLES]]
                findings.append(Finding(suite.table, rule.name, rule.severity, len(rows), rule.description, examples))
    finally:
        conn.execute("drop view if exists check_months")
        conn.unregister("check_months_frame")
    return findings


PLAUSIBLE_DATES_RULE = "dates_plausible"
DEFAULT_PLAUSIBLE_YEARS = 20


def _date_columns(table: str) -> list[str]:
    return [name for name, sql_type in CANONICAL.get(table, []) if sql_type in ("DATE", "TIMESTAMP")]


def implausible_dates(conn: duckdb.DuckDBPyConnection, table: str, month: dt.date,
                      years: int = DEFAULT_PLAUSIBLE_YEARS) -> list[Finding]:
    """A warning per date column holding dates more than `years` from the snapshot's month (1900, 2999): a
    typo there is taken as a date and distorts every KPI that reads it (a 45,000-day baseline)."""
    low, high = dt.date(month.year - years, month.month, 1), dt.date(month.year + years, month.month, 1)
    findings = []
    for column in _date_columns(table):
        rows = conn.execute(f"""
            select source_file, source_row, cast("{column}" as varchar) as value from raw.{table}
            where snapshot_month = ? and "{column}" is not null
                and ("{column}" < cast(? as date) or "{column}" >= cast(? as date))
            order by source_file, source_row""", [month, low, high]).fetchall()
        if rows:
            findings.append(Finding(
                table, f"{PLAUSIBLE_DATES_RULE}({column})", WARN, len(rows),
                f"{column} is more than {years} years from {month:%Y-%m} (before {low:%Y-%m} or from {high:%Y-%m} "
                "on): check the cell, such a date distorts every KPI that reads it (quality.plausible_date_years)",
                [{"source_file": file, "source_row": row, column: value} for file, row, value in rows[:EXAMPLES]]))
    return findings


MOSTLY_QUARANTINED_RULE = "file_mostly_quarantined"
DEFAULT_BLOCK_SHARE = 0.5


def mostly_quarantined_files(conn: duckdb.DuckDBPyConnection, table: str, month: dt.date,
                             share: float = DEFAULT_BLOCK_SHARE) -> list[Finding]:
    """An ERROR for the files more than `share` of whose rows of `table` were quarantined (DESIGN §4a): bad rows
    do not block a month, but a file that mostly cannot be read is a layout or locale problem (a decimal comma
    read as a point, a date format, an encoding), and publishing what little loaded would be wrong."""
    rows = conn.execute("""
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
        order by files.source_file""", [month, table, share, month, table]).fetchall()
    if not rows:
        return []
    return [Finding(
        table, MOSTLY_QUARANTINED_RULE, ERROR, len(rows),
        f"more than {share:.0%} of a file's rows could not be loaded: that is the file's layout or locale (decimal "
        "mark, date format, encoding, columns), not bad rows; fix the layout in steerpack.yaml or the export "
        "(quality.block_file_quarantine_share)",
        [{"source_file": file, "rows_read": read, "rows_quarantined": quarantined, "commonest_reason": reason}
         for file, read, quarantined, reason in rows[:EXAMPLES]])]


def validate_table(conn: duckdb.DuckDBPyConnection, suite: Suite, month: dt.date,
                   variables: dict[str, str] | None = None, chunk_rows: int = CHUNK_ROWS,
                   plausible_date_years: int = DEFAULT_PLAUSIBLE_YEARS,
                   block_file_quarantine_share: float = DEFAULT_BLOCK_SHARE) -> list[Finding]:
    """Every failed expectation and SQL rule of `suite` on the table's snapshot of `month`, its implausible
    dates, and its files that were mostly quarantined."""
    findings: list[Finding] = []
    if suite.severities and _row_count(conn, suite.table, month) <= chunk_rows:
        findings = _gx_findings(suite.table, suite.gx_suite, _table_rows(conn, suite.table, month))
    elif suite.severities:
        for frame in _table_chunks(conn, suite.table, month, chunk_rows):
            findings = _added_up(findings, _gx_findings(suite.table, suite.row_wise, frame))
        findings += _gx_findings(suite.table, suite.whole_table,
                                 _table_rows(conn, suite.table, month, list(suite.whole_table_columns)))
    return (findings + _sql_findings(conn, suite, month, variables or {})
            + implausible_dates(conn, suite.table, month, plausible_date_years)
            + mostly_quarantined_files(conn, suite.table, month, block_file_quarantine_share))


def _added_up(findings: list[Finding], more: list[Finding]) -> list[Finding]:
    """One finding per rule across chunks: failed rows summed, the first examples kept."""
    by_rule = {(f.rule, f.severity): f for f in findings}
    for finding in more:
        seen = by_rule.get((finding.rule, finding.severity))
        by_rule[(finding.rule, finding.severity)] = finding if seen is None else Finding(
            seen.table, seen.rule, seen.severity, seen.failed_rows + finding.failed_rows, seen.description,
            (seen.examples + finding.examples)[:EXAMPLES])
    return list(by_rule.values())


def example_in_words(example: dict[str, Any]) -> str:
    """One example row as a reader wants it: where it is, then its values —
    `2026-09/register/portfolio.xlsx row 3: project id '../x', plan source 'jira'`."""
    file, row = example.get("source_file"), example.get("source_row")
    where = " ".join(part for part in (str(file) if file else "", f"row {row}" if row is not None else "") if part)
    values = ", ".join(f"{name.replace('_', ' ')} {value!r}" if isinstance(value, str) else
                       f"{name.replace('_', ' ')} {value}"
                       for name, value in example.items() if name not in LOCATING_COLUMNS and value is not None)
    return f"{where}: {values}" if where and values else where or values


def severity_of(findings: list[Finding]) -> str | None:
    if any(f.severity == ERROR for f in findings):
        return ERROR
    return WARN if findings else None


def record_findings(conn: duckdb.DuckDBPyConnection, table: str, month: dt.date, findings: list[Finding]) -> None:
    """Replace the (month, table) findings in raw.quality_findings, for the pack's data-quality page."""
    conn.execute("begin transaction")
    try:
        conn.execute("delete from raw.quality_findings where table_name = ? and snapshot_month = ?", [table, month])
        for finding in findings:
            conn.execute("insert into raw.quality_findings values (?, ?, ?, ?, ?, ?, ?)",
                         [month, table, finding.rule, finding.severity, finding.failed_rows, finding.description,
                          json.dumps(finding.examples, default=str)])
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
