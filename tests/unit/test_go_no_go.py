"""Issue 29: the Go/No-Go readiness page (one per release in its window, in the pack and as its own PDF) and the
overdue decisions under "Decisions needed". Each test reads small hand-made marts in an in-memory DuckDB."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from pipelines.core import files, packs
from reports.data import PackData, load_pack_data
from reports.go_no_go import GoNoGoPage, load_go_no_go_pages, render_go_no_go_html
from reports.render import html_to_pdf, render_pack_html
from tests.helpers import hand_made_marts, insert_mart_row

OCT = dt.date(2026, 10, 1)
AS_OF = dt.date(2026, 10, 31)

# the marts the pack reads, empty, as tests/helpers makes them for every hand-made warehouse
insert = insert_mart_row


def project(conn, project_id: str, name: str, benefits_ready: bool = False) -> None:
    insert(
        conn, "fct_project_month", month=OCT, project_id=project_id, project_name=name, tier=1, as_of=AS_OF,
        rag_overall="Amber", readiness_score=0.8, benefits_ready=benefits_ready,
    )  # fmt: skip
    insert(conn, "dim_project", project_id=project_id, sponsor="S", project_manager="M")


def release(conn, project_id: str, release_name: str, in_window: bool = True, **columns) -> None:
    insert(
        conn, "fct_release_month", month=OCT, project_id=project_id, release_name=release_name,
        is_in_go_no_go_window=in_window, **columns,
    )  # fmt: skip


@pytest.fixture
def marts():
    """P1 (Payroll) goes live 21 Oct with a partial cutover, R2 later (outside the window); P2 (Billing) goes live
    20 Nov, not cut over yet. P1's RAID: an open High risk and an open Critical issue (shown), an open Medium
    risk and a closed High risk (not shown). Decisions: one overdue (needs_decision), one not yet due."""
    conn = duckdb.connect(":memory:")
    hand_made_marts(conn)
    project(conn, "P1", "Payroll")
    project(conn, "P2", "Billing", benefits_ready=True)
    release(
        conn, "P1", "R1", go_live_date=dt.date(2026, 10, 21), days_to_go_live=-10,
        readiness_items=10, readiness_done=8, readiness_pct=0.8, readiness_open_overdue=1,
        uat_cases_planned=200, uat_cases_executed=180, uat_cases_passed=171, uat_completion_pct=0.9,
        uat_pass_rate=0.95, uat_as_of_date=dt.date(2026, 10, 18), cutover_planned_date=dt.date(2026, 10, 20),
        cutover_actual_date=dt.date(2026, 10, 21), cutover_outcome="Partial", open_high_raid=2,
        benefits_readiness_score=0.8,
    )  # fmt: skip
    release(conn, "P1", "R2", in_window=False, go_live_date=dt.date(2027, 3, 1), days_to_go_live=121)
    release(
        conn, "P2", "Release 2/Phase A", go_live_date=dt.date(2026, 11, 20), days_to_go_live=20,
        readiness_items=4, readiness_done=4, readiness_pct=1.0, readiness_open_overdue=0,
        cutover_planned_date=dt.date(2026, 11, 20), open_high_raid=0, benefits_readiness_score=1.0,
    )  # fmt: skip
    for area, applicable, done, open_items in (
        ("Test", 4, 4, None),
        ("Ops", 4, 2, "Runbook handed over; Monitoring and alerts in place"),
        ("UAT", 2, 2, None),
    ):
        insert(
            conn, "fct_release_readiness_month", month=OCT, project_id="P1", release_name="R1",
            readiness_area=area, items_applicable=applicable, items_done=done, items_open=applicable - done,
            readiness_pct=done / applicable, open_items=open_items,
        )  # fmt: skip
    insert(
        conn, "fct_release_readiness_month", month=OCT, project_id="P1", release_name="R2", readiness_area="Ops",
        items_applicable=1, items_done=0, items_open=1, readiness_pct=0.0, open_items="R2 only item",
    )  # fmt: skip
    for raid_id, kind, title, severity, is_open in (
        ("R-1", "Risk", "Vendor may miss the cutover weekend", "High", True),
        ("I-1", "Issue", "Payslips rounding wrong", "Critical", True),
        ("R-2", "Risk", "Medium thing", "Medium", True),
        ("R-3", "Risk", "Closed high thing", "High", False),
    ):
        insert(
            conn, "fct_raid_month", month=OCT, project_id="P1", raid_id=raid_id, raid_type=kind, raid_title=title,
            raid_owner="Olu", severity=severity, due_date=dt.date(2026, 10, 25), is_open=is_open,
            is_overdue=is_open, needs_decision=False,
        )  # fmt: skip
    insert(
        conn, "fct_decision_month", month=OCT, project_id="P1", decision_id="D-1",
        decision_title="Approve the payroll vendor's change", decision_owner="Helen Park",
        raised_date=dt.date(2026, 9, 26), needed_by_date=dt.date(2026, 10, 10), is_open=True, is_overdue=True,
        days_overdue=21, needs_decision=True,
    )  # fmt: skip
    insert(
        conn, "fct_decision_month", month=OCT, project_id="P2", decision_id="D-2",
        decision_title="Choose the billing run day", decision_owner="Ben Ode", raised_date=dt.date(2026, 10, 28),
        needed_by_date=dt.date(2026, 11, 11), is_open=True, is_overdue=False, needs_decision=False,
    )  # fmt: skip
    yield conn
    conn.close()


def text_of(html: str) -> str:
    """The HTML's text, tags dropped and whitespace collapsed, as a reader sees it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def sections(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<section class="project-page go-no-go"[^>]* data-project="([^"]*)" data-release="([^"]*)"', html
    )


def test_the_page_shows_areas_with_their_open_items_uat_the_cutovers_outcome_and_open_high_risks(marts):
    data = load_pack_data(marts, OCT)
    html = render_pack_html(data)
    # one section per release in the window, in go-live order; R2 (outside it) has none
    assert sections(html) == [("P1", "R1"), ("P2", "Release 2/Phase A")]
    payroll = html[html.index('data-project="P1"') : html.index('data-project="P2" data-release')]
    shown = text_of(payroll)
    assert "Go/No-Go readiness — Payroll, release R1" in shown
    assert "UAT 180 of 200 executed (90 %), pass rate 95 %" in shown
    assert "8 of 10 items done (80 %)" in shown and "■ 1 open past due" in shown
    # each area with its open items; an area without rows is listed as having none
    ops = text_of(re.search(r'<tr data-area="Ops">.*?</tr>', payroll, re.S).group(0))
    assert "2 of 4" in ops and "▲ 2 open" in ops
    assert "Runbook handed over" in ops and "Monitoring and alerts in place" in ops
    assert "● none open" in text_of(re.search(r'<tr data-area="Test">.*?</tr>', payroll, re.S).group(0))
    assert "◌ no items" in text_of(re.search(r'<tr data-area="Security">.*?</tr>', payroll, re.S).group(0))
    assert "R2 only item" not in payroll
    # the cutover happened: its planned date, its date and its outcome, as word and shape
    assert "planned 20 Oct 2026; cut over 21 Oct 2026: ▲ Partial" in shown
    # the open Critical and High items, Critical first; not the Medium one nor the closed one
    assert shown.index("Payslips rounding wrong") < shown.index("Vendor may miss the cutover weekend")
    assert "Medium thing" not in shown and "Closed high thing" not in shown
    assert "■ 2 open" in shown and "80 % · ■ not benefits-ready" in shown
    assert "10 days ago" in shown


def test_before_the_cutover_the_page_gives_its_planned_date_and_no_outcome(marts):
    [_, billing] = load_go_no_go_pages(marts, OCT)
    shown = text_of(render_go_no_go_html(billing))
    assert "planned 20 Nov 2026; ◌ not yet cut over" in shown
    assert "Success" not in shown and "Rollback" not in shown and "Partial" not in shown
    assert "no UAT progress dated by 31 Oct 2026" in shown and "(in 20 days)" in shown
    assert "No open Critical or High RAID item." in shown and "● benefits-ready" in shown


def test_the_standalone_page_is_a_pdf_written_under_go_no_go_by_project_and_release(marts, tmp_path):
    pages = load_go_no_go_pages(marts, OCT)
    assert html_to_pdf(render_go_no_go_html(pages[0])).startswith(b"%PDF")
    written = packs.write_go_no_go_pages(pages, OCT, tmp_path)
    folder = packs.pack_paths(tmp_path, OCT)["folder"] / "go-no-go"
    assert written[0] == folder / "P1-R1.pdf" and written[0].read_bytes().startswith(b"%PDF")
    # a release name that is not a safe file name is kept readable and made safe (no folder named by it)
    assert written[1].parent == folder and written[1].name.startswith("P2-Release_2_Phase_A~")


def test_two_releases_whose_file_names_would_meet_get_names_of_their_own(tmp_path):
    pages = [
        GoNoGoPage(OCT, {"project_id": "A-B", "release_name": "C"}),
        GoNoGoPage(OCT, {"project_id": "A", "release_name": "B-C"}),
    ]
    paths = packs.go_no_go_paths(tmp_path, OCT, pages)
    assert len(set(paths)) == 2 and all(path.parent.name == "go-no-go" for path in paths)


def test_a_release_outside_its_window_gets_no_page(marts):
    marts.execute("update marts.fct_release_month set is_in_go_no_go_window = false where project_id = 'P2'")
    assert [(page.project_id, page.release_name) for page in load_go_no_go_pages(marts, OCT)] == [("P1", "R1")]
    marts.execute("update marts.fct_release_month set is_in_go_no_go_window = false")
    data = load_pack_data(marts, OCT)
    assert data.go_no_go == [] and "Go/No-Go" not in render_pack_html(data)


def test_a_scoped_reader_sees_only_their_releases(marts):
    data = load_pack_data(marts, OCT, {"P2"})
    assert [(page.project_id, page.release_name) for page in data.go_no_go] == [("P2", "Release 2/Phase A")]
    html = render_pack_html(data, "Steering pack for P2")
    assert sections(html) == [("P2", "Release 2/Phase A")]
    assert "Payroll" not in html and "Payslips rounding wrong" not in html
    assert load_go_no_go_pages(marts, OCT, frozenset()) == []


def test_decisions_needed_lists_an_overdue_decision_with_its_owner_and_needed_by_date(marts):
    data = load_pack_data(marts, OCT)
    assert [decision["decision_id"] for decision in data.overdue_decisions] == ["D-1"]
    html = render_pack_html(data)
    decisions = text_of(
        html[html.index('<ul id="decisions">') : html.index("</ul>", html.index('<ul id="decisions">'))]
    )
    assert (
        "Overdue decision — Payroll: Approve the payroll vendor's change (owner Helen Park, needed by 10 Oct 2026, "
        "21 days overdue)" in decisions.replace("&#39;", "'")
    )
    assert "Choose the billing run day" not in html  # open, not yet needed: not a decision needed now
    # a scoped reader sees their projects' decisions only
    assert load_pack_data(marts, OCT, {"P2"}).overdue_decisions == []


def test_a_pack_without_overdue_decisions_or_releases_renders_as_before():
    data = PackData(month=OCT, as_of=AS_OF)
    html = render_pack_html(data)
    assert 'id="decisions"' not in html and "go-no-go" not in html


def test_publishing_the_month_writes_the_portfolios_go_no_go_pdfs_in_the_swapped_folder(marts, tmp_path, monkeypatch):
    """The portfolio's releases each get a PDF under go-no-go/, published with the rest of the month in one swap;
    a scoped reader's pack holds its releases' pages inside it (no go-no-go folder of its own)."""
    monkeypatch.setattr(packs, "render_record", lambda conn, month: "{}")
    monkeypatch.setattr(packs, "write_workbook", lambda *args, **kwargs: None)  # the workbook reads other marts
    monkeypatch.setattr(packs, "load_project_pages", lambda conn, month: [])
    monkeypatch.setattr(packs, "month_scopes", lambda conn, month: [frozenset({"P2"})])
    output = tmp_path / "output"
    packs.publish_month(marts, OCT, output)
    folder = packs.pack_paths(output, OCT)["folder"]
    pdfs = sorted(path.name for path in (folder / "go-no-go").iterdir())
    assert pdfs[0] == "P1-R1.pdf" and pdfs[1].startswith("P2-Release_2_Phase_A~") and len(pdfs) == 2
    scoped = packs.scoped_pack_paths(output, OCT, frozenset({"P2"}))
    assert not (scoped["folder"] / "go-no-go").exists()
    assert sections(scoped["html"].read_text(encoding="utf-8")) == [("P2", "Release 2/Phase A")]
    staging = output / files.STAGING_FOLDER
    assert not staging.exists() or not any(staging.iterdir())
    # a month published without PDFs (a backfill's earlier months) has no Go/No-Go PDFs either
    packs.publish_month(marts, OCT, output, with_pdf=False)
    assert not (folder / "go-no-go").exists() and sections(packs.pack_paths(output, OCT)["html"].read_text()) != []
