"""The demo portfolio: the story it must tell, and `steerpack demo` end to end (a ranged run over 18 months)."""

import datetime as dt

import pytest

from pipelines.synthetic.demo import DEMO_MARKER, PROJECTS, demo_months, register_rows, write_demo_inbox
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
