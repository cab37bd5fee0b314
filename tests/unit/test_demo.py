"""The demo portfolio: the story it must tell, and `steerpack demo` end to end (a ranged run over 18 months)."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from pipelines.sources.register import SHEETS
from pipelines.synthetic.demo import DEMO_MARKER, PROJECTS, demo_months, register_rows, write_demo_inbox
from pipelines.synthetic.demo.portfolio import month_end
from pipelines.synthetic.demo.register import register_columns, write_register
from tests.helpers import register_header

D = dt.date


def projects_in(month):
    return {row[0]: row for row in register_rows(month)["Projects"]}


def test_the_demo_spans_eighteen_months_and_a_varied_portfolio():
    months = demo_months()
    assert (len(months), months[0], months[-1]) == (18, D(2025, 5, 1), D(2026, 10, 1))
    assert len(PROJECTS) >= 12
    assert {p.tier for p in PROJECTS} == {1, 2, 3}
    assert {p.plan_source for p in PROJECTS} == {"ms_project", "smartsheet", "jira", "azure_devops"}
    assert {p.currency for p in PROJECTS} > {"USD"}


def test_the_register_evolves_month_by_month():
    assert "PAY" not in projects_in(D(2025, 12, 1)) and "PAY" in projects_in(D(2026, 1, 1))
    columns = register_header("Projects")
    status, go_live_actual = columns.index("reported_status"), columns.index("go_live_actual")
    assert projects_in(D(2026, 1, 1))["CRM"][status] == "Green"
    assert projects_in(D(2026, 6, 1))["CRM"][status] == "Red"
    # The mobile app goes live on its planned date (no slip), and stays live afterwards
    assert projects_in(D(2026, 5, 1))["MOB"][go_live_actual] is None
    assert projects_in(D(2026, 6, 1))["MOB"][go_live_actual] == D(2026, 6, 1)
    # the data platform keeps reporting Green while its go-live forecast slips by 75 days at the end
    edp_go_live = [m for m in register_rows(D(2026, 10, 1))["Milestones"] if m[0] == "EDP" and m[1] == "Go-live"][0]
    assert projects_in(D(2026, 10, 1))["EDP"][status] == "Green"
    assert edp_go_live[3] - edp_go_live[2] == dt.timedelta(days=75)


def test_the_warehouse_project_is_not_benefits_ready():
    wms = [b for b in register_rows(D(2026, 10, 1))["Benefits"] if b[1] == "WMS"]
    assert any(b[3] is None and b[8] is None for b in wms)  # no owner, no tracking start


def test_the_demo_never_overwrites_a_real_inbox(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "2026-10").mkdir()
    with pytest.raises(FileExistsError, match="holds files that the demo did not write"):
        write_demo_inbox(tmp_path / "inbox")
    demo_inbox = tmp_path / "demo"
    write_demo_inbox(demo_inbox)
    assert (demo_inbox / DEMO_MARKER).exists()
    assert len(write_demo_inbox(demo_inbox)) == 18  # an earlier demo inbox is replaced


# DESIGN §3's optional sheets and columns, as DESIGN writes their headers.
OPTIONAL_SHEETS = {
    "Decisions": ["decision_id", "project_id", "title", "owner", "raised_date", "needed_by", "decided_date", "outcome"],
    "Readiness": ["project_id", "release", "area", "item", "status", "due_date"],
    "UAT": ["project_id", "release", "as_of_date", "cases_planned", "cases_executed", "cases_passed"],
    "Cutovers": ["project_id", "release", "planned_date", "actual_date", "outcome"],
    "Surveys": ["survey_date", "project_id", "group", "question", "score"],
    "Evidence": ["project_id", "control", "artifact", "required", "status", "due_date"],
}
OPTIONAL_COLUMNS = {"RAID": "closed_date", "Milestones": "vendor", "Projects": "status_comment"}


def records(month, sheet):
    header = register_columns(sheet)
    return [dict(zip(header, row, strict=True)) for row in register_rows(month)[sheet]]


def test_the_register_fills_every_optional_sheet_and_column_in_every_month(tmp_path):
    for sheet, header in OPTIONAL_SHEETS.items():
        assert register_columns(sheet) == header
    for sheet, column in OPTIONAL_COLUMNS.items():
        assert column in register_columns(sheet)
    for month in demo_months():
        sheets = register_rows(month)
        for sheet in OPTIONAL_SHEETS:
            assert sheets[sheet], (month, sheet)
            assert all(len(row) == len(OPTIONAL_SHEETS[sheet]) for row in sheets[sheet])
    workbook = load_workbook(write_register(tmp_path / "portfolio.xlsx", register_rows(D(2026, 10, 1))), read_only=True)
    for sheet, header in OPTIONAL_SHEETS.items():
        assert [cell.value for cell in next(workbook[sheet].iter_rows(max_row=1))] == header
    for sheet, column in OPTIONAL_COLUMNS.items():
        assert column in [cell.value for cell in next(workbook[sheet].iter_rows(max_row=1))]
    assert set(SHEETS) <= set(workbook.sheetnames)  # the parser's sheets are all there as before


def test_each_month_knows_only_what_happened_by_its_month_end():
    for month in demo_months():
        as_of = month_end(month)
        for d in records(month, "Decisions"):
            assert d["raised_date"] <= as_of and d["raised_date"] <= d["needed_by"]
            assert (d["decided_date"] is None) == (d["outcome"] is None)
            assert d["decided_date"] is None or d["raised_date"] <= d["decided_date"] <= as_of
        for u in records(month, "UAT"):
            assert u["as_of_date"] <= as_of
            assert all(isinstance(u[c], int) for c in ("cases_planned", "cases_executed", "cases_passed"))
            assert 0 <= u["cases_passed"] <= u["cases_executed"] <= u["cases_planned"]
        for c in records(month, "Cutovers"):
            assert (c["actual_date"] is None) == (c["outcome"] is None)
            assert c["actual_date"] is None or c["actual_date"] <= as_of
            assert c["outcome"] in (None, "Success", "Rollback", "Partial")
            assert c["actual_date"] is not None or c["planned_date"] > as_of  # a past cutover has its outcome
        for r in records(month, "Readiness"):
            assert r["area"] in ("Test", "Ops", "Security", "UAT", "Support", "Training")
            assert r["status"] in ("Done", "Open", "N/A")
        for s in records(month, "Surveys"):
            assert s["survey_date"] <= as_of and s["group"] in ("Stakeholder", "Team")
            assert isinstance(s["score"], int) and 1 <= s["score"] <= 5
        for e in records(month, "Evidence"):
            assert e["required"] in ("Yes", "No") and e["status"] in ("Approved", "Submitted", "Missing")
        for r in records(month, "RAID"):
            assert (r["closed_date"] is not None) == (r["status"] == "Closed")
            assert r["closed_date"] is None or r["raised_date"] <= r["closed_date"] <= min(as_of, r["last_updated"])
    # a UAT row stays as it was once written; readiness items only close
    earlier, later = records(D(2026, 4, 1), "UAT"), records(D(2026, 5, 1), "UAT")
    assert all(row in later for row in earlier)
    done_in = {
        m: {(r["project_id"], r["item"]) for r in records(m, "Readiness") if r["status"] == "Done"}
        for m in (D(2026, 4, 1), D(2026, 5, 1))
    }
    assert done_in[D(2026, 4, 1)] <= done_in[D(2026, 5, 1)]


def test_releases_uat_and_cutovers_follow_each_projects_go_live():
    last = D(2026, 10, 1)
    cutovers = records(last, "Cutovers")
    live = {row[0]: row[12] for row in register_rows(last)["Projects"] if row[12] is not None}
    assert {c["project_id"] for c in cutovers if c["outcome"]} == set(live)
    uat = records(last, "UAT")
    for project_id, day in live.items():
        assert any(u["project_id"] == project_id and u["as_of_date"] < day for u in uat), project_id
    # UAT rows only up to the snapshot's month-end: May 2025 knows IAM's first release's April and May rows
    assert [u["as_of_date"] for u in records(D(2025, 5, 1), "UAT")] == [D(2025, 4, 30), D(2025, 5, 31)]


def test_the_scorecard_has_misses_planted():
    last = D(2026, 10, 1)
    # EDP (reporting Green) has decisions overdue, and takes weeks to decide
    overdue = [d for d in records(last, "Decisions") if d["decided_date"] is None and d["needed_by"] < month_end(last)]
    assert {d["project_id"] for d in overdue} == {"EDP"}
    edp = [d for d in records(last, "Decisions") if d["project_id"] == "EDP" and d["decided_date"]]
    assert (edp[-1]["decided_date"] - edp[-1]["raised_date"]).days > 20
    # MOB goes live with UAT under target: the last row before go-live
    mob = [u for u in records(D(2026, 6, 1), "UAT") if u["project_id"] == "MOB"][-1]
    assert mob["cases_executed"] / mob["cases_planned"] < 0.9 and mob["cases_passed"] / mob["cases_executed"] < 0.85
    others = [u for u in records(last, "UAT") if u["project_id"] != "MOB"]
    assert all(
        u["cases_passed"] / u["cases_executed"] >= 0.95 for u in others if u["cases_executed"] == u["cases_planned"]
    )
    # HRP's cutover on its planned 1 July rolls back; it goes live on the slipped date
    assert [(c["planned_date"], c["outcome"]) for c in records(last, "Cutovers") if c["project_id"] == "HRP"] == [
        (D(2026, 7, 1), "Rollback"),
        (D(2026, 7, 18), "Success"),
    ]
    assert [c["planned_date"] for c in records(D(2026, 6, 1), "Cutovers") if c["project_id"] == "HRP"] == [
        D(2026, 7, 1)
    ]
    # CRM's stakeholders score it below the 4.2 target once it turns Amber; ERP's team pulse drops before go-live
    surveys = records(last, "Surveys")

    def mean(project_id, group, day):
        scores = [
            s["score"] for s in surveys if (s["project_id"], s["group"], s["survey_date"]) == (project_id, group, day)
        ]
        return sum(scores) / len(scores)

    assert mean("CRM", "Stakeholder", D(2026, 8, 15)) < 3.8 and mean("CRM", "Stakeholder", D(2025, 11, 15)) >= 4.2
    assert mean("ERP", "Team", D(2026, 8, 15)) < mean("ERP", "Team", D(2026, 5, 15)) - 0.2
    assert all(
        mean(p.project_id, "Stakeholder", D(2026, 8, 15)) >= 4.2
        for p in PROJECTS
        if p.project_id != "CRM" and p.finish > D(2026, 8, 15)
    )
    assert any(s["project_id"] is None for s in surveys)  # the portfolio's own survey
    # DMS goes live without its required DPIA; every other required item past due is approved
    past_due = [e for e in records(last, "Evidence") if e["required"] == "Yes" and e["due_date"] <= month_end(last)]
    assert [(e["project_id"], e["control"]) for e in past_due if e["status"] != "Approved"] == [
        ("DMS", "Data protection impact assessment")
    ]
    # WMS's training is overdue a few weeks before go-live; MOB closed its runbook only after going live
    readiness = records(last, "Readiness")
    assert any(
        r["project_id"] == "WMS"
        and r["area"] == "Training"
        and r["status"] == "Open"
        and r["due_date"] < month_end(last)
        for r in readiness
    )
    mob_at_go_live = [
        r for r in records(D(2026, 5, 1), "Readiness") if r["project_id"] == "MOB" and r["status"] != "N/A"
    ]
    assert [r["item"] for r in mob_at_go_live if r["status"] == "Open"] == ["Runbook handed over"]
