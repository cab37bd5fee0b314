import datetime as dt

import duckdb
import pandas as pd
import pytest

from pipelines.resources.warehouse import BOOKKEEPING, CANONICAL, columns_of, ensure_raw_schema, replace_snapshot
from pipelines.sources.common import LoadBatch, Reject
from pipelines.sources.register import parse_register
from tests.helpers import tiny_register_sheets, write_sheets

SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)


@pytest.fixture
def conn(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


@pytest.fixture
def batch(tmp_path):
    return parse_register(write_sheets(tmp_path / "p.xlsx", tiny_register_sheets()), "2026-09/register/p.xlsx")


def count(conn, table, month):
    return conn.execute(f"select count(*) from raw.{table} where snapshot_month = ?", [month]).fetchone()[0]


def test_every_canonical_table_exists_with_lineage_columns(conn):
    ensure_raw_schema(conn)
    tables = {row[0] for row in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()}
    assert tables == set(CANONICAL) | set(BOOKKEEPING)
    columns = [row[0] for row in conn.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'spend' "
        "order by ordinal_position").fetchall()]
    assert columns[:4] == ["snapshot_month", "source", "source_file", "source_row"]
    assert columns == columns_of("spend")


def test_rows_land_with_lineage_and_types(conn, batch):
    replace_snapshot(conn, SEP, ["register"], ["projects"], [batch])
    row = conn.execute("select snapshot_month, source, source_file, source_row, bac, baseline_start "
                       "from raw.projects where project_id = 'BETA'").fetchone()
    assert row == (SEP, "register", "2026-09/register/p.xlsx", 3, 80000.5, dt.date(2026, 3, 2))
    log = conn.execute("select rows_read, rows_loaded, rows_quarantined from raw.load_log "
                       "where table_name = 'projects'").fetchone()
    assert log == (2, 2, 0)


def test_reloading_a_month_replaces_exactly_that_month(conn, batch):
    replace_snapshot(conn, SEP, ["register"], ["projects"], [batch])
    replace_snapshot(conn, OCT, ["register"], ["projects"], [batch])
    replace_snapshot(conn, SEP, ["register"], ["projects"], [batch])
    assert (count(conn, "projects", SEP), count(conn, "projects", OCT)) == (2, 2)
    assert (count(conn, "load_log", SEP), count(conn, "load_log", OCT)) == (6, 6)
    replace_snapshot(conn, SEP, ["register"], ["projects"], [])  # the month's register was withdrawn
    assert (count(conn, "projects", SEP), count(conn, "projects", OCT)) == (0, 2)


def test_a_failed_load_keeps_the_previous_rows(conn, batch):
    replace_snapshot(conn, SEP, ["register"], ["projects"], [batch])
    broken = LoadBatch("bad.xlsx", "portfolio_register_xlsx", "register",
                       tables={"projects": pd.DataFrame({"project_id": ["X"]})})  # lacks columns
    with pytest.raises(ValueError, match="raw.projects: frame lacks columns"):
        replace_snapshot(conn, SEP, ["register"], ["projects"], [broken])
    assert count(conn, "projects", SEP) == 2


def test_quarantine_keeps_the_raw_record(conn):
    batch = LoadBatch("f.xlsx", "portfolio_register_xlsx", "register", rows_read={"projects": 1},
                      rejects=[Reject("projects", 7, "tier: 'x' is not a number", {"tier": "x"})])
    replace_snapshot(conn, SEP, ["register"], ["projects"], [batch])
    assert conn.execute("select source_row, reason, raw_record from raw.quarantine").fetchall() == [
        (7, "tier: 'x' is not a number", '{"tier": "x"}')]
    assert conn.execute("select rows_read, rows_loaded, rows_quarantined from raw.load_log").fetchall() == [(1, 0, 1)]
