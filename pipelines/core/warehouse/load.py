"""The raw schema of the DuckDB warehouse (DESIGN §4) and the one way rows get into it.

The tables are those of `pipelines.sources.schema`. A load replaces exactly the (snapshot month, source)
slices it covers, of every table it touches, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import pandas as pd

from pipelines.core.warehouse.forecasts import ensure_forecast_schema
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
    # The forecast step's tables, which dbt reads as a source: empty until the first monthly build.
    ensure_forecast_schema(conn)


def _insert(
    conn: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, lineage: dict[str, object] | None = None
) -> None:
    """Append `frame`'s rows; `lineage` values are the same for every row, so they go in as query parameters."""
    if frame.empty:
        return
    lineage = lineage or {}
    columns = columns_of(table)
    from_frame = [c for c in columns if c not in lineage]
    missing = [c for c in from_frame if c not in frame.columns]
    if missing:
        raise ValueError(f"raw.{table}: frame lacks columns {missing}")
    conn.register("incoming_rows", frame[from_frame])
    try:
        column_sql = ", ".join(f'"{c}"' for c in columns)
        select_sql = ", ".join("?" if c in lineage else f'"{c}"' for c in columns)
        conn.execute(
            f"insert into raw.{table} ({column_sql}) select {select_sql} from incoming_rows",
            [lineage[c] for c in columns if c in lineage],
        )
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
            conn.execute(
                f"delete from raw.{table} where snapshot_month = ? and source in (select unnest(?))",
                [snapshot_month, sources],
            )
            cleared.add(table)

    ensure_raw_schema(conn)
    conn.execute("begin transaction")
    try:
        for table in [*sorted(set(tables)), "quarantine", "load_log"]:
            clear(table)
        inserts = _GatheredInserts(conn, snapshot_month)
        for batch in batches:
            if batch.source not in sources:
                raise ValueError(f"a batch of source {batch.source!r} is outside the slice being replaced {sources}")
            for table, frame in batch.tables.items():
                clear(table)
                inserts.add(table, frame, batch.source, batch.source_file)
            inserts.add("quarantine", batch.quarantine_frame(snapshot_month), batch.source, batch.source_file)
            inserts.add("load_log", batch.load_log_frame(snapshot_month), batch.source, batch.source_file)
        inserts.flush()
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


class _GatheredInserts:
    """Small frames gathered per table and written together: an insert costs milliseconds however few its rows,
    and a month's drop can be thousands of small files. A large frame is written at once, without a copy."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, snapshot_month: dt.date, max_rows: int = 250_000):
        self.conn, self.snapshot_month, self.max_rows = conn, snapshot_month, max_rows
        self.gathered: dict[str, list[pd.DataFrame]] = {}
        self.rows: dict[str, int] = {}

    def add(self, table: str, frame: pd.DataFrame, source: str, source_file: str) -> None:
        if frame.empty:
            return
        if len(frame) >= self.max_rows:
            self.flush(table)
            _insert(
                self.conn,
                table,
                frame,
                {"snapshot_month": self.snapshot_month, "source": source, "source_file": source_file},
            )
            return
        self.gathered.setdefault(table, []).append(frame.assign(source=source, source_file=source_file))
        self.rows[table] = self.rows.get(table, 0) + len(frame)
        if self.rows[table] >= self.max_rows:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.gathered):
            frames = self.gathered.pop(name, [])
            self.rows.pop(name, None)
            if frames:
                combined = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
                _insert(self.conn, name, combined, {"snapshot_month": self.snapshot_month})
