import datetime as dt

import duckdb
import pandas as pd
import pytest

from pipelines.core.warehouse.load import BOOKKEEPING, CANONICAL, columns_of, ensure_raw_schema, replace_snapshot
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
    tables = {
        row[0]
        for row in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    assert tables == set(CANONICAL) | set(BOOKKEEPING)
    columns = [
        row[0]
        for row in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'spend' "
            "order by ordinal_position"
        ).fetchall()
    ]
    assert columns[:4] == ["snapshot_month", "source", "source_file", "source_row"]
    assert columns == columns_of("spend")


def test_rows_land_with_lineage_and_types(conn, batch):
    replace_snapshot(conn, SEP, ["register"], ["projects"], [batch])
    row = conn.execute(
        "select snapshot_month, source, source_file, source_row, bac, baseline_start "
        "from raw.projects where project_id = 'BETA'"
    ).fetchone()
    assert row == (SEP, "register", "2026-09/register/p.xlsx", 3, 80000.5, dt.date(2026, 3, 2))
    log = conn.execute(
        "select rows_read, rows_loaded, rows_quarantined from raw.load_log where table_name = 'projects'"
    ).fetchone()
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
    broken = LoadBatch(
        "bad.xlsx", "portfolio_register_xlsx", "register", tables={"projects": pd.DataFrame({"project_id": ["X"]})}
    )  # lacks columns
    with pytest.raises(ValueError, match="raw.projects: frame lacks columns"):
        replace_snapshot(conn, SEP, ["register"], ["projects"], [broken])
    assert count(conn, "projects", SEP) == 2


def test_quarantine_keeps_the_raw_record(conn):
    batch = LoadBatch(
        "f.xlsx",
        "portfolio_register_xlsx",
        "register",
        rows_read={"projects": 1},
        rejects=[Reject("projects", 7, "tier: 'x' is not a number", {"tier": "x"})],
    )
    replace_snapshot(conn, SEP, ["register"], ["projects"], [batch])
    assert conn.execute("select source_row, reason, raw_record from raw.quarantine").fetchall() == [
        (7, "tier: 'x' is not a number", '{"tier": "x"}')
    ]
    assert conn.execute("select rows_read, rows_loaded, rows_quarantined from raw.load_log").fetchall() == [(1, 0, 1)]


def test_many_small_files_and_one_large_keep_each_row_with_its_own_file(conn, monkeypatch):
    import pipelines.core.warehouse.load as warehouse

    class FewRows(warehouse._GatheredInserts):  # gather at most 5 rows, so both paths run on a handful of rows
        def __init__(self, conn, snapshot_month):
            super().__init__(conn, snapshot_month, max_rows=5)

    monkeypatch.setattr(warehouse, "_GatheredInserts", FewRows)
    columns = [c for c in columns_of("fx_rates") if c not in ("snapshot_month", "source", "source_file")]

    def rates(file: str, count: int) -> LoadBatch:
        frame = pd.DataFrame(
            {
                "source_row": range(2, count + 2),
                "month": [pd.Timestamp(2026, 9, 1)] * count,
                "currency": [f"C{n:02}" for n in range(count)],
                "rate_to_base": [1.0] * count,
            }
        )
        return LoadBatch(
            file, "fx_rates_csv", "finance", tables={"fx_rates": frame[columns]}, rows_read={"fx_rates": count}
        )

    batches = [rates("a.csv", 2), rates("b.csv", 2), rates("big.csv", 7), rates("c.csv", 3), rates("d.csv", 1)]
    replace_snapshot(conn, SEP, ["finance"], ["fx_rates"], batches)
    per_file = conn.execute(
        "select source_file, count(*), min(source_row), max(source_row), min(source) "
        "from raw.fx_rates where snapshot_month = ? group by 1 order by 1",
        [SEP],
    ).fetchall()
    assert per_file == [
        ("a.csv", 2, 2, 3, "finance"),
        ("b.csv", 2, 2, 3, "finance"),
        ("big.csv", 7, 2, 8, "finance"),
        ("c.csv", 3, 2, 4, "finance"),
        ("d.csv", 1, 2, 2, "finance"),
    ]
    assert conn.execute("select month from raw.fx_rates limit 1").fetchone() == (SEP,)
    assert conn.execute("select source_file, rows_loaded from raw.load_log order by 1").fetchall() == [
        ("a.csv", 2),
        ("b.csv", 2),
        ("big.csv", 7),
        ("c.csv", 3),
        ("d.csv", 1),
    ]
