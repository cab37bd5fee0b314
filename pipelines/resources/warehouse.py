"""The raw schema of the DuckDB warehouse (DESIGN §4) and the one way rows get into it.

The tables are those of `pipelines.sources.schema`. A load replaces exactly the (snapshot month, source)
slices it covers, of every table it touches, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import pandas as pd

from pipelines.sources.common import LoadBatch
from pipelines.sources.schema import BOOKKEEPING, CANONICAL, LINEAGE


def columns_of(table: str) -> list[str]:
    if table in CANONICAL:
        return [name for name, _ in LINEAGE + CANONICAL[table]]
    return [name for name, _ in BOOKKEEPING[table]]


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists raw")
    for table, columns in [*((t, LINEAGE + c) for t, c in CANONICAL.items()), *BOOKKEEPING.items()]:
        column_sql = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
        conn.execute(f"create table if not exists raw.{table} ({column_sql})")
        # A warehouse made by an earlier version gains the columns added since (never loses any).
        for name, sql_type in columns:
            conn.execute(f'alter table raw.{table} add column if not exists "{name}" {sql_type}')


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
    sources: Iterable[str],
    tables: Iterable[str],
    batches: Iterable[LoadBatch],
) -> None:
    """Replace the (snapshot_month, source) slices of `tables`, quarantine and load_log with `batches`.

    One transaction: a failure leaves the previous load of that month as it was. `batches` may be a generator:
    each batch is written as it arrives and can then be freed, so a drop of millions of rows never sits in
    memory all at once.
    """
    sources = sorted(set(sources))
    cleared: set[str] = set()

    def clear(table: str) -> None:
        # A table's slice is emptied before its first rows of this load (or up front, for the declared tables).
        if table not in cleared:
            conn.execute(f"delete from raw.{table} where snapshot_month = ? and source in (select unnest(?))",
                         [snapshot_month, sources])
            cleared.add(table)

    ensure_raw_schema(conn)
    conn.execute("begin transaction")
    try:
        for table in [*sorted(set(tables)), "quarantine", "load_log"]:
            clear(table)
        for batch in batches:
            if batch.source not in sources:
                raise ValueError(f"a batch of source {batch.source!r} is outside the slice being replaced {sources}")
            for table, frame in batch.tables.items():
                clear(table)
                _insert(conn, table, batch.with_lineage(frame, snapshot_month))
            _insert(conn, "quarantine", batch.quarantine_frame(snapshot_month))
            _insert(conn, "load_log", batch.load_log_frame(snapshot_month))
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
