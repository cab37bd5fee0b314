"""Issue 30: the closure report (one page per project closed as of the month, in the pack's appendix and as its own
PDF under closure/). Each test reads a small hand-made warehouse (tests.helpers.hand_made_marts) in an in-memory
DuckDB, with fct_project_closure_month's rows worked by hand."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from pipelines.core import files, packs
from reports.closure import ClosurePage, load_closure_pages, render_closure_html
from reports.render import html_to_pdf
from tests.helpers import hand_made_marts, insert_mart_row

OCT = dt.date(2026, 10, 1)
AS_OF = dt.date(2026, 10, 31)
D = dt.date

CLOSURE_COLUMNS = """month date, project_id varchar, project_name varchar, is_schedule_plan boolean,
    go_live_date date, actual_finish date, baseline_start date, baseline_finish date, finish_slip_days bigint,
    bac double, ac double, eac double, cost_overrun_pct double, cpi double, spi_t double, eac_drift_max_pct double,
    agile_items_in_scope bigint, agile_items_done bigint, agile_items_removed bigint,
    agile_items_added_after_baseline bigint, schedule_tasks_done bigint, schedule_tasks_total bigint,
    benefits_readiness_at_go_live double, benefits_ready_at_go_live boolean, incidents_total bigint,
    incidents_p1_count bigint, incidents_p2_count bigint, incidents_per_week double, baseline_per_week double,
    open_raid_count bigint, open_high_raid_count bigint, forecast_months bigint, p85_settled_as_of date,
    p85_lead_days bigint, p85_tolerance_days integer"""

# P1's P85 by month against its finish, 20 Sep: June 30 Oct (+40 days, a miss), July 28 Sep (+8, within), August
# 15 Sep (-5, within), September complete. The last miss is June, so it settled as of 31 Jul: 20 Sep - 31 Jul =
# 51 days (Aug 31 + Sep 20), the lead the mart holds.
P1_FORECASTS = (
    (D(2026, 6, 1), D(2026, 6, 30), "ok", D(2026, 10, 30)),
    (D(2026, 7, 1), D(2026, 7, 31), "ok", D(2026, 9, 28)),
    (D(2026, 8, 1), D(2026, 8, 31), "ok", D(2026, 9, 15)),
    (D(2026, 9, 1), D(2026, 9, 30), "complete", None),
    (D(2026, 10, 1), D(2026, 10, 31), "complete", None),
)
P1_FINISH = D(2026, 9, 20)
P1_SETTLED = D(2026, 7, 31)


def closure_row(conn, **row) -> None:
    insert_mart_row(conn, "fct_project_closure_month", month=OCT, p85_tolerance_days=14, **row)


@pytest.fixture
def marts():
    """P1 (Payroll, agile) finished 20 Sep, 10 days after its 10 Sep baseline, went live 25 Sep; P2 (Billing, a
    schedule) finished on its baseline, its P85 never settled. P3 is not closed (no closure row)."""
    conn = duckdb.connect(":memory:")
    hand_made_marts(conn)
    conn.execute("alter table marts.fct_project_month add column eac_drift_pct double")
    conn.execute(f"create table marts.fct_project_closure_month ({CLOSURE_COLUMNS})")
    for project_id in ("P1", "P2", "P3"):
        insert_mart_row(conn, "dim_project", project_id=project_id, sponsor="S", project_manager="M")
    # P1's EAC by month: 1,000 -> 1,050 (drift 5 %) -> 1,080 (3 %) -> 1,087 (0.7 %) at BAC 1,000
    for month, as_of, eac, drift in (
        (D(2026, 7, 1), D(2026, 7, 31), 1000.0, None),
        (D(2026, 8, 1), D(2026, 8, 31), 1050.0, 0.05),
        (D(2026, 9, 1), D(2026, 9, 30), 1080.0, 0.03),
        (OCT, AS_OF, 1087.0, 0.007),
    ):
        insert_mart_row(
            conn, "fct_project_month", month=month, as_of=as_of, project_id="P1", project_name="Payroll", tier=1,
            bac=1000.0, eac=eac, eac_drift_pct=drift, rag_overall="Green",
        )  # fmt: skip
    for project_id, name in (("P2", "Billing"), ("P3", "Ledger")):
        insert_mart_row(
            conn, "fct_project_month", month=OCT, as_of=AS_OF, project_id=project_id, project_name=name, tier=2,
            bac=500.0, eac=480.0, eac_drift_pct=0.0, rag_overall="Green",
        )  # fmt: skip
    for month, as_of, status, p85 in P1_FORECASTS:
        insert_mart_row(
            conn, "fct_forecast_month", month=month, as_of=as_of, project_id="P1", forecast_status=status,
            p85_finish=p85,
        )  # fmt: skip
    # scope: 50 counted items in scope, 48 done; 2 removed; 7 created after the baseline start. EAC 1,087 on BAC
    # 1,000 is +8.7 %; CPI 1,000 x 100 % / 1,087 = 0.92; the largest drift 5 % (August)
    closure_row(
        conn, project_id="P1", project_name="Payroll", is_schedule_plan=False, go_live_date=D(2026, 9, 25),
        actual_finish=P1_FINISH, baseline_start=D(2026, 1, 5), baseline_finish=D(2026, 9, 10), finish_slip_days=10,
        bac=1000.0, ac=1087.0, eac=1087.0, cost_overrun_pct=0.087, cpi=1000.0 / 1087.0, spi_t=0.96,
        eac_drift_max_pct=0.05, agile_items_in_scope=50, agile_items_done=48, agile_items_removed=2,
        agile_items_added_after_baseline=7, benefits_readiness_at_go_live=0.8, benefits_ready_at_go_live=False,
        incidents_total=4, incidents_p1_count=1, incidents_p2_count=1, incidents_per_week=1.2,
        baseline_per_week=0.5, open_raid_count=1, open_high_raid_count=1, forecast_months=3,
        p85_settled_as_of=P1_SETTLED, p85_lead_days=(P1_FINISH - P1_SETTLED).days,
    )  # fmt: skip
    closure_row(
        conn, project_id="P2", project_name="Billing", is_schedule_plan=True, go_live_date=D(2026, 8, 3),
        actual_finish=D(2026, 8, 31), baseline_start=D(2026, 2, 2), baseline_finish=D(2026, 8, 31),
        finish_slip_days=0, bac=500.0, ac=480.0, eac=480.0, cost_overrun_pct=-0.04, cpi=1.04, spi_t=1.0,
        eac_drift_max_pct=0.0, schedule_tasks_done=12, schedule_tasks_total=12, open_raid_count=0,
        open_high_raid_count=0, forecast_months=3,
    )  # fmt: skip
    for project_id, raid_id, title, severity, is_open in (
        ("P1", "R-1", "Vendor contract not closed", "High", True),
        ("P1", "R-2", "Closed before the end", "Medium", False),
        ("P3", "R-9", "Ledger's own risk", "High", True),
    ):
        insert_mart_row(
            conn, "fct_raid_month", month=OCT, project_id=project_id, raid_id=raid_id, raid_type="Risk",
            raid_title=title, raid_owner="Olu", severity=severity, due_date=D(2026, 10, 15), is_open=is_open,
            is_overdue=is_open, needs_decision=is_open,
        )  # fmt: skip
    yield conn
    conn.close()


def text_of(html: str) -> str:
    """The HTML's text, tags dropped and whitespace collapsed, as a reader sees it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_shows_scope_slip_final_cpi_the_track_record_and_the_open_raid(marts):
    pages = load_closure_pages(marts, OCT)
    # the closed projects only, by finish date (P2 finished 31 Aug, P1 20 Sep); P3 is not closed
    assert [page.project_id for page in pages] == ["P2", "P1"]
    payroll = pages[1]
    shown = text_of(render_closure_html(payroll))
    assert "Closure report — Payroll" in shown and "went live 25 Sep 2026 · finished 20 Sep 2026" in shown
    assert "48 of 50 items done; 2 removed; 7 added after baseline" in shown
    assert "finished 20 Sep 2026 against baseline 10 Sep 2026: ■ 10 days late" in shown
    assert "EAC 1,087 against BAC 1,000 (+8.7%); final CPI 0.92; largest monthly EAC drift 5.0 %" in shown
    assert "80% · ■ not benefits-ready" in shown
    assert "4 incidents (1 P1, 1 P2); 1.2 a week against 0.5 before go-live" in shown
    # 20 Sep - 31 Jul = 51 days: from July's forecast on, every P85 was within 14 days of the finish
    assert payroll.closure["p85_lead_days"] == 51
    assert (
        "The P85 pointed at the real finish 51 days before it (from the forecast as of 31 Jul 2026, within 14 "
        "days of it ever after)." in shown
    )
    # the track: the months up to the finish (not October), each P85 against the finish
    assert [row["month"] for row in payroll.track] == [D(2026, 7, 1), D(2026, 8, 1), D(2026, 9, 1)]
    assert "● +8 days, within 14" in shown and "● -5 days, within 14" in shown and "complete" in shown
    # the open RAID item at close, not the closed one nor another project's
    assert "Vendor contract not closed" in shown and "■ 1 open (1 Critical or High)" in shown
    assert "Closed before the end" not in shown and "Ledger's own risk" not in shown


def test_a_schedule_plan_counts_tasks_and_a_p85_that_never_settled_says_so(marts):
    billing = load_closure_pages(marts, OCT)[0]
    shown = text_of(render_closure_html(billing))
    assert "12 of 12 tasks done" in shown and "● on baseline" in shown
    assert "The P85 never settled within 14 days of the finish (3 forecasts judged)." in shown
    assert "◌ not known for the go-live month" in shown and "no incident data" in shown
    assert "No RAID item is open." in shown and "● none open" in shown
    none_made = ClosurePage(OCT, {"project_id": "X", "forecast_months": 0, "p85_lead_days": None})
    assert none_made.track_record == "No P85 forecast was made before the finish."


def test_a_scoped_reader_gets_their_projects_pages_and_an_older_warehouse_none(marts):
    assert [page.project_id for page in load_closure_pages(marts, OCT, {"P1", "P3"})] == ["P1"]
    assert load_closure_pages(marts, OCT, frozenset()) == []
    assert load_closure_pages(marts, dt.date(2026, 9, 1)) == []
    marts.execute("drop table marts.fct_project_closure_month")
    assert load_closure_pages(marts, OCT) == []


def test_each_closure_report_is_a_pdf_under_closure_named_by_its_project(marts, tmp_path):
    pages = load_closure_pages(marts, OCT)
    written = packs.write_closure_pages(pages, OCT, tmp_path)
    folder = packs.pack_paths(tmp_path, OCT)["folder"] / "closure"
    assert written == [folder / "P2.pdf", folder / "P1.pdf"]
    assert all(path.read_bytes().startswith(b"%PDF") for path in written)
    # an id that is not a safe file name never names a folder
    [odd] = packs.closure_paths(tmp_path, OCT, [ClosurePage(OCT, {"project_id": "../A/B"})])
    assert odd.parent == folder


def test_publishing_the_month_writes_the_closure_pdfs_in_the_swapped_folder(marts, tmp_path, monkeypatch):
    monkeypatch.setattr(packs, "render_record", lambda conn, month: "{}")
    monkeypatch.setattr(packs, "write_workbook", lambda *args, **kwargs: None)  # the workbook reads other marts
    monkeypatch.setattr(packs, "load_project_pages", lambda conn, month: [])
    monkeypatch.setattr(packs, "month_scopes", lambda conn, month: [])
    # the render is tested above
    monkeypatch.setattr(packs, "html_to_pdf", lambda html, page_size=None: b"%PDF-1.7 " + html.encode())
    output = tmp_path / "output"
    packs.publish_month(marts, OCT, output)
    folder = packs.pack_paths(output, OCT)["folder"] / "closure"
    assert sorted(path.name for path in folder.iterdir()) == ["P1.pdf", "P2.pdf"]
    assert "Closure report — Payroll" in (folder / "P1.pdf").read_text(encoding="utf-8")
    staging = output / files.STAGING_FOLDER
    assert not staging.exists() or not any(staging.iterdir())
    # a month published without PDFs has no closure PDFs either
    packs.publish_month(marts, OCT, output, with_pdf=False)
    assert not folder.exists()


def test_the_standalone_document_prints(marts):
    assert html_to_pdf(render_closure_html(load_closure_pages(marts, OCT)[1])).startswith(b"%PDF")


def test_a_closed_projects_page_carries_its_forecast_track_record(marts):
    """The project page of a closed project says how good its forecasts were, in the closure report's words;
    a project not closed has no such line."""
    from reports.data import load_project_pages

    pages = {page.project["project_id"]: page for page in load_project_pages(marts, OCT)}
    assert pages["P1"].track_record.startswith("The P85 pointed at the real finish 51 days before it")
    assert pages["P3"].track_record is None
    from reports.render import render_project_html

    assert "Forecast track record: The P85 pointed at the real finish 51 days" in text_of(
        render_project_html(pages["P1"])
    )
