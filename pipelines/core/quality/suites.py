"""Loading `expectations/<table>.json`: the GX suite, each expectation's severity, and the SQL rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipelines import REPO_ROOT
from pipelines.core.quality.findings import ERROR, LOCATING_COLUMNS, WARN
from pipelines.core.quality.gx_runner import quiet_gx

EXPECTATIONS_DIR = REPO_ROOT / "expectations"


# Map expectations that still compare rows with each other, so a chunk cannot decide them alone.
WHOLE_TABLE_TYPES = {
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
    "expect_select_column_values_to_be_unique_within_record",
}


# Table-level expectations that look at the columns, not the rows: any chunk can decide them.
SCHEMA_TYPES = {
    "expect_table_columns_to_match_set",
    "expect_table_columns_to_match_ordered_list",
    "expect_column_to_exist",
    "expect_table_column_count_to_equal",
    "expect_table_column_count_to_be_between",
}


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


def load_suite(path: Path) -> Suite:
    """A suite file; its severities are checked so a typo cannot silently downgrade a rule.

    Read once per process while the file is unchanged: building a GX suite takes a quarter of a second, and a
    month checks eleven tables (a backfill, or a test session, many months)."""
    return _load_suite(path.resolve(), path.stat().st_mtime_ns)


@cache
def _load_suite(path: Path, mtime_ns: int) -> Suite:  # noqa: ARG001 - part of the cache key
    quiet_gx()
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    data = json.loads(path.read_text(encoding="utf-8"))
    configs = data.get("expectations", [])
    severities = []
    for config in configs:
        severity = config.get("meta", {}).get("severity", ERROR)
        if severity not in (ERROR, WARN):
            raise ValueError(
                f"{path.name}: expectation {config.get('type')} has severity {severity!r} (use '{ERROR}' or '{WARN}')"
            )
        severities.append(severity)
    expectations = [ExpectationConfiguration(**config).to_domain_obj() for config in configs]
    extension = data.get("meta", {}).get("steerpack", {})
    sql_rules = [
        SqlRule(rule["name"], rule.get("severity", ERROR), rule.get("description", ""), rule["sql"])
        for rule in extension.get("sql_rules", [])
    ]
    table = extension.get("table", path.stem)
    name = data.get("name", path.stem)
    row_wise = [e for e in expectations if _decided_by_a_chunk(e)]
    whole_table = [e for e in expectations if not _decided_by_a_chunk(e)]
    columns = [c for e in whole_table for c in _columns_named(e.configuration.kwargs)]
    return Suite(
        table,
        ExpectationSuite(name=name, expectations=expectations),
        severities,
        sql_rules,
        row_wise=ExpectationSuite(name=f"{name}_row_wise", expectations=row_wise),
        whole_table=ExpectationSuite(name=f"{name}_whole_table", expectations=whole_table),
        whole_table_columns=tuple(dict.fromkeys([*columns, *LOCATING_COLUMNS])),
    )


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
        expectation, (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
    )


def _columns_named(kwargs: dict[str, Any]) -> list[str]:
    named = [kwargs.get(key) for key in ("column", "column_A", "column_B")]
    return [c for c in named if c] + list(kwargs.get("column_list") or [])


@cache
def load_suites(folder: Path = EXPECTATIONS_DIR) -> dict[str, Suite]:
    return {suite.table: suite for suite in (load_suite(path) for path in sorted(folder.glob("*.json")))}
