"""The raw schema of the DuckDB warehouse (DESIGN §4) and the one way rows get into it.

Every canonical table is declared here with explicit types, so dbt sources exist (empty) before the first
file of a kind arrives and a parser can never widen a column by accident. A load replaces exactly one
(snapshot month, source) slice of every table it touches, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import pandas as pd

from pipelines.sources.common import LoadBatch

LINEAGE = [
    ("snapshot_month", "DATE"),
    ("source", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("source_row", "INTEGER"),
]

# Column lists of the canonical tables, lineage columns first. Names follow the inbox headers of DESIGN §3.
CANONICAL: dict[str, list[tuple[str, str]]] = {
    "projects": [
        ("project_id", "VARCHAR"), ("project_name", "VARCHAR"), ("tier", "INTEGER"), ("sponsor", "VARCHAR"),
        ("project_manager", "VARCHAR"), ("reported_status", "VARCHAR"), ("phase", "VARCHAR"), ("bac", "DOUBLE"),
        ("currency", "VARCHAR"), ("baseline_start", "DATE"), ("baseline_finish", "DATE"),
        ("go_live_planned", "DATE"), ("go_live_actual", "DATE"), ("plan_source", "VARCHAR"),
        ("plan_key", "VARCHAR"), ("finance_codes", "VARCHAR"), ("services", "VARCHAR"),
    ],
    "milestones": [
        ("project_id", "VARCHAR"), ("milestone", "VARCHAR"), ("baseline_date", "DATE"),
        ("forecast_date", "DATE"), ("actual_date", "DATE"),
    ],
    "benefits": [
        ("benefit_id", "VARCHAR"), ("project_id", "VARCHAR"), ("description", "VARCHAR"), ("owner", "VARCHAR"),
        ("metric", "VARCHAR"), ("baseline_value", "DOUBLE"), ("target_value", "DOUBLE"),
        ("target_date", "DATE"), ("tracking_start", "DATE"),
    ],
    "raid": [
        ("raid_id", "VARCHAR"), ("project_id", "VARCHAR"), ("type", "VARCHAR"), ("title", "VARCHAR"),
        ("owner", "VARCHAR"), ("severity", "VARCHAR"), ("status", "VARCHAR"), ("raised_date", "DATE"),
        ("last_updated", "DATE"), ("due_date", "DATE"),
    ],
    "changes": [
        ("cr_id", "VARCHAR"), ("project_id", "VARCHAR"), ("title", "VARCHAR"), ("submitted_date", "DATE"),
        ("decided_date", "DATE"), ("decision", "VARCHAR"), ("cost_impact", "DOUBLE"),
        ("schedule_impact_days", "INTEGER"),
    ],
    "distribution": [
        ("email", "VARCHAR"), ("name", "VARCHAR"), ("role", "VARCHAR"), ("scope", "VARCHAR"),
    ],
    "work_items": [
        ("plan_key", "VARCHAR"), ("item_key", "VARCHAR"), ("item_type", "VARCHAR"), ("summary", "VARCHAR"),
        ("status", "VARCHAR"), ("status_category", "VARCHAR"), ("resolution", "VARCHAR"),
        ("priority", "VARCHAR"), ("story_points", "DOUBLE"), ("created_at", "TIMESTAMP"),
        ("resolved_at", "TIMESTAMP"), ("due_date", "DATE"), ("area_path", "VARCHAR"), ("assignee", "VARCHAR"),
        ("parent_key", "VARCHAR"),
    ],
    "schedule_tasks": [
        ("plan_key", "VARCHAR"), ("task_uid", "VARCHAR"), ("task_name", "VARCHAR"), ("outline_level", "INTEGER"),
        ("is_summary", "BOOLEAN"), ("is_milestone", "BOOLEAN"), ("start_date", "DATE"), ("finish_date", "DATE"),
        ("baseline_start", "DATE"), ("baseline_finish", "DATE"), ("baseline_cost", "DOUBLE"),
        ("percent_complete", "DOUBLE"), ("cost", "DOUBLE"), ("actual_cost", "DOUBLE"), ("actual_finish", "DATE"),
    ],
    "spend": [
        ("document_id", "VARCHAR"), ("line_no", "VARCHAR"), ("posting_date", "DATE"), ("project_code", "VARCHAR"),
        ("amount", "DOUBLE"), ("currency", "VARCHAR"), ("supplier", "VARCHAR"), ("description", "VARCHAR"),
        ("cost_type", "VARCHAR"),
    ],
    "fx_rates": [
        ("month", "DATE"), ("currency", "VARCHAR"), ("rate_to_base", "DOUBLE"),
    ],
    "incidents": [
        ("incident_id", "VARCHAR"), ("title", "VARCHAR"), ("priority", "INTEGER"), ("state", "VARCHAR"),
        ("opened_at", "TIMESTAMP"), ("resolved_at", "TIMESTAMP"), ("closed_at", "TIMESTAMP"),
        ("service", "VARCHAR"), ("cmdb_ci", "VARCHAR"), ("assignment_group", "VARCHAR"), ("caused_by", "VARCHAR"),
    ],
}

BOOKKEEPING: dict[str, list[tuple[str, str]]] = {
    "quarantine": [
        ("snapshot_month", "DATE"), ("source", "VARCHAR"), ("source_file", "VARCHAR"), ("source_row", "INTEGER"),
        ("table_name", "VARCHAR"), ("reason", "VARCHAR"), ("raw_record", "VARCHAR"),
    ],
    "load_log": [
        ("snapshot_month", "DATE"), ("source", "VARCHAR"), ("source_file", "VARCHAR"), ("table_name", "VARCHAR"),
        ("file_format", "VARCHAR"), ("rows_read", "INTEGER"), ("rows_loaded", "INTEGER"),
        ("rows_quarantined", "INTEGER"), ("error", "VARCHAR"),
    ],
}


def columns_of(table: str) -> list[str]:
    if table in CANONICAL:
        return [name for name, _ in LINEAGE + CANONICAL[table]]
    return [name for name, _ in BOOKKEEPING[table]]


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists raw")
    for table, columns in [*((t, LINEAGE + c) for t, c in CANONICAL.items()), *BOOKKEEPING.items()]:
        column_sql = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
        conn.execute(f"create table if not exists raw.{table} ({column_sql})")


def _insert(conn: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    columns = columns_of(table)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"raw.{table}: frame lacks columns {missing}")
    conn.register("incoming_rows", frame[columns])
    try:
        column_sql = ", ".join(f'"{c}"' for c in columns)
        conn.execute(f"insert into raw.{table} ({column_sql}) select {column_sql} from incoming_rows")
    finally:
        conn.unregister("incoming_rows")


def replace_snapshot(
    conn: duckdb.DuckDBPyConnection,
    snapshot_month: dt.date,
    source: str,
    tables: Iterable[str],
    batches: Iterable[LoadBatch],
) -> None:
    """Replace the (snapshot_month, source) slice of `tables`, quarantine and load_log with `batches`.

    One transaction: a failure leaves the previous load of that month as it was.
    """
    batches = list(batches)
    touched = sorted(set(tables) | {t for b in batches for t in b.tables})
    ensure_raw_schema(conn)
    conn.execute("begin transaction")
    try:
        for table in [*touched, "quarantine", "load_log"]:
            conn.execute(
                f"delete from raw.{table} where snapshot_month = ? and source = ?", [snapshot_month, source]
            )
        for batch in batches:
            for table, frame in batch.tables.items():
                _insert(conn, table, batch.with_lineage(frame, snapshot_month, source))
            _insert(conn, "quarantine", batch.quarantine_frame(snapshot_month, source))
            _insert(conn, "load_log", batch.load_log_frame(snapshot_month, source))
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
