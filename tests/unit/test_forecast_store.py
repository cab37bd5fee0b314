"""The forecast step through the warehouse connection (pipelines/core/warehouse/forecasts.py): it reads the month's
inputs from the marts' views, writes the Monte Carlo's rows to the `forecast` schema, and a re-run replaces the
month's rows exactly (the same seeds, the same rows, no duplicates)."""

import datetime as dt

import duckdb

from pipelines.core.forecast import MonteCarloOptions
from pipelines.core.warehouse.forecasts import ensure_forecast_schema, write_forecasts

OCTOBER, SEPTEMBER = dt.date(2026, 10, 1), dt.date(2026, 9, 1)


def _warehouse() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(":memory:")
    conn.execute("create schema marts")
    conn.execute(
        "create table marts.fct_forecast_inputs_month (month date, project_id varchar, as_of date, method varchar, "
        "is_complete boolean, remaining_work double, baseline_finish date, go_live_date date)"
    )
    conn.execute(
        "create table marts.fct_forecast_history_month (month date, project_id varchar, method varchar, "
        "period_no integer, period_end date, period_value double)"
    )
    # A: 50 items left at 5 a week for 12 weeks: 10 weeks, as_of 31 Oct + 70 days = 9 Jan 2027, in every trial.
    # B: finished. S (September, outside the window written below): 4 weeks of history only.
    conn.execute(
        "insert into marts.fct_forecast_inputs_month values "
        "('2026-10-01', 'A', '2026-10-31', 'throughput', false, 50, '2027-01-09', '2027-01-08'), "
        "('2026-10-01', 'B', '2026-10-31', 'throughput', true, 0, '2026-09-30', null), "
        "('2026-09-01', 'S', '2026-09-30', 'throughput', false, 10, null, null)"
    )
    for week in range(1, 13):
        conn.execute(
            "insert into marts.fct_forecast_history_month values ('2026-10-01', 'A', 'throughput', ?, null, 5)",
            [week],
        )
    return conn


def test_the_step_writes_the_months_forecasts_and_a_rerun_replaces_them():
    conn = _warehouse()
    ensure_forecast_schema(conn)
    conn.execute(
        "insert into forecast.monte_carlo_month (month, project_id, forecast_status) values ('2026-09-01', 'S', 'ok')"
    )
    options = MonteCarloOptions(trials=500)
    assert write_forecasts(conn, [OCTOBER], options) == 2
    first = conn.execute("select * from forecast.monte_carlo_month order by month, project_id").fetchall()
    assert write_forecasts(conn, [OCTOBER], options) == 2
    assert conn.execute("select * from forecast.monte_carlo_month order by month, project_id").fetchall() == first

    rows = {
        row[0]: row[1:]
        for row in conn.execute(
            "select project_id, forecast_status, p50_finish, p85_finish, p95_finish, prob_by_baseline_finish, "
            "prob_by_go_live, trials from forecast.monte_carlo_month where month = '2026-10-01'"
        ).fetchall()
    }
    january_9 = dt.date(2027, 1, 9)
    assert rows["A"] == ("ok", january_9, january_9, january_9, 1.0, 0.0, 500)
    assert rows["B"][0] == "complete" and rows["B"][1:4] == (None, None, None)
    # September's row, outside the window written, is untouched
    assert conn.execute("select forecast_status from forecast.monte_carlo_month where project_id = 'S'").fetchone() == (
        "ok",
    )
    assert conn.execute(
        "select finish_date, trials from forecast.monte_carlo_distribution where project_id = 'A'"
    ).fetchall() == [(january_9, 500)]
