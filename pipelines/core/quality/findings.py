"""What a failed rule reports: the finding, a few example rows, and where findings are recorded."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

ERROR, WARN = "error", "warn"


EXAMPLES = 5


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
        return {
            "rule": self.rule,
            "severity": self.severity,
            "failed_rows": self.failed_rows,
            "description": self.description,
            "examples": self.examples,
        }


def plain_value(value: Any) -> Any:
    """A value as JSON and Dagster metadata take it: no numpy scalars, dates as ISO text."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value.isoformat() if hasattr(value, "isoformat") else value


def example_row(frame: pd.DataFrame, index: int) -> dict[str, Any]:
    row = frame.iloc[index]
    return {k: plain_value(v) for k, v in row.items() if k not in ("snapshot_month", "source")}


def added_up(findings: list[Finding], more: list[Finding]) -> list[Finding]:
    """One finding per rule across chunks: failed rows summed, the first examples kept."""
    by_rule = {(f.rule, f.severity): f for f in findings}
    for finding in more:
        seen = by_rule.get((finding.rule, finding.severity))
        by_rule[(finding.rule, finding.severity)] = (
            finding
            if seen is None
            else Finding(
                seen.table,
                seen.rule,
                seen.severity,
                seen.failed_rows + finding.failed_rows,
                seen.description,
                (seen.examples + finding.examples)[:EXAMPLES],
            )
        )
    return list(by_rule.values())


def example_in_words(example: dict[str, Any]) -> str:
    """One example row as a reader wants it: where it is, then its values —
    `2026-09/register/portfolio.xlsx row 3: project id '../x', plan source 'jira'`."""
    file, row = example.get("source_file"), example.get("source_row")
    where = " ".join(part for part in (str(file) if file else "", f"row {row}" if row is not None else "") if part)
    values = ", ".join(
        f"{name.replace('_', ' ')} {value!r}" if isinstance(value, str) else f"{name.replace('_', ' ')} {value}"
        for name, value in example.items()
        if name not in LOCATING_COLUMNS and value is not None
    )
    return f"{where}: {values}" if where and values else where or values


def severity_of(findings: list[Finding]) -> str | None:
    if any(f.severity == ERROR for f in findings):
        return ERROR
    return WARN if findings else None


def record_findings(conn: duckdb.DuckDBPyConnection, table: str, month: dt.date, findings: list[Finding]) -> None:
    """Replace the (month, table) findings in raw.quality_findings: fct_quality_findings_month puts them on the
    pack's data-quality page."""
    conn.execute("begin transaction")
    try:
        conn.execute("delete from raw.quality_findings where table_name = ? and snapshot_month = ?", [table, month])
        for finding in findings:
            conn.execute(
                "insert into raw.quality_findings values (?, ?, ?, ?, ?, ?, ?)",
                [
                    month,
                    table,
                    finding.rule,
                    finding.severity,
                    finding.failed_rows,
                    finding.description,
                    json.dumps(finding.examples, default=str),
                ],
            )
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
