"""Issue 26: a pack records the fingerprint of the marts it was rendered from, and delivery refuses a pack the
marts have changed under. Each test builds its own small marts in an in-memory DuckDB."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.core.delivery.current import require_current_pack
from pipelines.core.delivery.plan import DeliveryError
from pipelines.core.packs import pack_paths
from reports.fingerprint import PACK_MARTS, marts_fingerprint, record_path, render_record, stale_pack_reason

AUG, SEP, OCT = dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)


@pytest.fixture
def marts():
    conn = duckdb.connect(":memory:")
    conn.execute("create schema marts")
    conn.execute("create table marts.fct_project_month (month date, project_id varchar, cpi double, bac decimal(18,2))")
    conn.execute(
        "insert into marts.fct_project_month values "
        "(date '2026-08-01', 'ALPHA', 0.9, 100), (date '2026-09-01', 'ALPHA', 0.1 + 0.2, 100),"
        "(date '2026-09-01', 'BETA', 1.1, 200)"
    )
    conn.execute("create table marts.dim_project (project_id varchar, sponsor varchar)")
    conn.execute("insert into marts.dim_project values ('ALPHA', 'Ann'), ('BETA', 'Ben')")
    conn.execute("create table marts.fct_portfolio_month (month date, portfolio_cpi double)")
    conn.execute("insert into marts.fct_portfolio_month values (date '2026-08-01', 0.9), (date '2026-09-01', 1.0)")
    yield conn
    conn.close()


def fingerprint(conn, month=SEP) -> str:
    return marts_fingerprint(conn, month)["fingerprint"]


def test_a_changed_row_of_the_month_or_of_an_earlier_month_changes_the_fingerprint(marts):
    before = fingerprint(marts)
    marts.execute("update marts.fct_project_month set bac = 101 where month = '2026-09-01' and project_id = 'BETA'")
    changed = fingerprint(marts)
    assert changed != before
    # the trend reads the months before: a corrected August changes September's pack too
    marts.execute("update marts.fct_portfolio_month set portfolio_cpi = 0.8 where month = '2026-08-01'")
    assert fingerprint(marts) != changed
    # a row counted twice is a change, although a sum of hashes would otherwise be order-free
    again = fingerprint(marts)
    marts.execute("insert into marts.dim_project values ('BETA', 'Ben')")
    assert fingerprint(marts) != again


def test_a_later_month_another_project_or_float_noise_leaves_the_fingerprint_alone(marts):
    before = fingerprint(marts)
    marts.execute("insert into marts.fct_project_month values (date '2026-10-01', 'GAMMA', 1.0, 5)")
    marts.execute("insert into marts.fct_portfolio_month values (date '2026-10-01', 1.2)")
    marts.execute("insert into marts.dim_project values ('GAMMA', 'Gus')")  # not a September project
    # a rebuild that sums in another order: 0.1 + 0.2 and 0.3 differ in the last bit only
    marts.execute("update marts.fct_project_month set cpi = 0.3 where month = '2026-09-01' and project_id = 'ALPHA'")
    assert fingerprint(marts) == before
    assert fingerprint(marts, OCT) != fingerprint(marts)  # each month has its own


def test_the_record_names_the_month_and_counts_every_mart(marts):
    import json

    record = json.loads(render_record(marts, SEP))
    assert record["month"] == "2026-09" and record["marts_fingerprint"] == fingerprint(marts)
    assert set(record["mart_rows"]) == set(PACK_MARTS)
    assert (record["mart_rows"]["fct_project_month"], record["mart_rows"]["dim_project"]) == (3, 2)
    assert record["mart_rows"]["fct_raid_month"] is None  # not built here


def test_delivery_refuses_a_pack_rendered_before_the_marts_changed(marts, tmp_path):
    folder = pack_paths(tmp_path, SEP)["folder"]
    folder.mkdir(parents=True)
    pack_paths(tmp_path, SEP)["html"].write_text("the pack")
    # a pack without a record (rendered by an earlier steerpack, or its record lost) is not sent either
    with pytest.raises(DeliveryError, match=r"the 2026-09 pack does not record which marts it was rendered from"):
        require_current_pack(marts, tmp_path, SEP)
    record_path(folder).write_text(render_record(marts, SEP))
    require_current_pack(marts, tmp_path, SEP)  # rendered from the marts as they are: no complaint
    assert stale_pack_reason(marts, folder, SEP) is None
    marts.execute("update marts.dim_project set sponsor = 'Bea' where project_id = 'BETA'")
    with pytest.raises(DeliveryError) as error:
        require_current_pack(marts, tmp_path, SEP)
    assert str(error.value) == (
        "the 2026-09 pack was rendered before the marts last changed: run `steerpack run --month 2026-09` "
        "(or re-render it: materialize steering_pack) first"
    )
    record_path(folder).write_text("{not json")
    assert "does not record which marts" in stale_pack_reason(marts, folder, SEP)
    # a month with no pack at all keeps delivery's own "has not been rendered" message
    require_current_pack(marts, tmp_path, OCT)
