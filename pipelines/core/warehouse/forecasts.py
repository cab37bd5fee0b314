"""The forecast step (DESIGN §5b): reads the month's forecast inputs from the warehouse dbt has just built, runs
the Monte Carlo (pipelines.core.forecast) and writes its results to the `forecast` schema, which the dbt models
after it (`source:forecast+`: fct_forecast_month, the narrative) read.

Through the warehouse connection, not a dbt Python model: the same step runs wherever the marts live (DESIGN §9;
dbt-postgres runs no Python models), and its input and output are tables any tool can inspect. The monthly build
runs it on the candidate copy between its two dbt phases (pipelines.dbt.phases), so a failing test after it
still publishes nothing. Plain functions: no Dagster.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.config import Settings
from pipelines.core.forecast import MonteCarloOptions, forecast_frames, forecast_seed

SCHEMA = "forecast"
# The tables the step writes, and their columns: what the dbt source `forecast` declares.
TABLES: dict[str, list[tuple[str, str]]] = {
    "monte_carlo_month": [
        ("month", "date"),
        ("project_id", "varchar"),
        ("method", "varchar"),
        ("history_periods", "integer"),
        ("trials", "integer"),
        ("forecast_seed", "decimal(20, 0)"),  # 64 bits, unsigned
        ("p50_finish", "date"),
        ("p85_finish", "date"),
        ("p95_finish", "date"),
        ("prob_by_baseline_finish", "double"),
        ("prob_by_go_live", "double"),
        ("forecast_status", "varchar"),
        ("status_reason", "varchar"),
    ],
    "monte_carlo_distribution": [
        ("month", "date"),
        ("project_id", "varchar"),
        ("finish_date", "date"),
        ("trials", "integer"),
    ],
}
INPUT_COLUMNS = "month, project_id, as_of, method, is_complete, remaining_work, baseline_finish, go_live_date"


def ensure_forecast_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """The step's tables, empty until it first runs: the dbt models reading them build on any warehouse."""
    conn.execute(f"create schema if not exists {SCHEMA}")
    for table, columns in TABLES.items():
        column_sql = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
        conn.execute(f"create table if not exists {SCHEMA}.{table} ({column_sql})")


def write_forecasts(conn: duckdb.DuckDBPyConnection, months: list[dt.date], settings: MonteCarloOptions) -> int:
    """Forecast every project of `months` (the dbt window's months, as built on `conn`) and replace those months
    in the forecast tables, in one transaction. Returns the rows written to monte_carlo_month."""
    first, last = min(months), max(months)
    window = [first, last]
    inputs = conn.execute(
        f"select {INPUT_COLUMNS} from marts.fct_forecast_inputs_month where month between ? and ? "
        "order by month, project_id",
        window,
    ).df()
    history = conn.execute(
        "select month, project_id, period_no, period_value as value from marts.fct_forecast_history_month "
        "where month between ? and ? order by month, project_id, period_no",
        window,
    ).df()
    summary, distribution = forecast_frames(_dates(inputs), _dates(history), settings)
    summary["forecast_seed"] = [forecast_seed(p, m) for p, m in zip(summary["project_id"], summary["month"])]
    ensure_forecast_schema(conn)
    conn.execute("begin transaction")
    try:
        for table, frame in (("monte_carlo_month", summary), ("monte_carlo_distribution", distribution)):
            conn.execute(f"delete from {SCHEMA}.{table} where month between ? and ?", window)
            _insert(conn, table, frame)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return len(summary)


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its date columns as datetime.date (DuckDB gives pandas Timestamps), None for nulls."""
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = [None if pd.isna(v) else v.date() for v in frame[column]]
    return frame


def _insert(conn: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    columns = [name for name, _ in TABLES[table]]
    conn.register("forecast_rows", frame[columns])
    try:
        column_sql = ", ".join(f'"{c}"' for c in columns)
        casts = ", ".join(f'cast("{c}" as {sql_type})' for c, sql_type in TABLES[table])
        conn.execute(f"insert into {SCHEMA}.{table} ({column_sql}) select {casts} from forecast_rows")
    finally:
        conn.unregister("forecast_rows")


def write_forecasts_to(warehouse: Path, months: list[dt.date], settings: Settings) -> int:
    """`write_forecasts` on the DuckDB file `warehouse` (a monthly build's candidate), with the config's
    forecast settings and DuckDB's memory limit."""
    options = MonteCarloOptions(trials=settings.forecast.trials)
    with duckdb.connect(str(warehouse), config={"memory_limit": settings.warehouse_memory_limit}) as conn:
        return write_forecasts(conn, months, options)
