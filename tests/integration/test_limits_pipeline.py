"""Issue 26 end to end (DESIGN §4a): implausible numbers and dates are rows in the quarantine with a data gap,
never an aborted load, and never a non-finite number in a mart."""

from __future__ import annotations

import math

import pytest

MSPDI = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project"><Tasks>{tasks}</Tasks></Project>"""
TASK = (
    "<Task><UID>{uid}</UID><Name>T{uid}</Name><OutlineLevel>{level}</OutlineLevel><PercentComplete>40</PercentComplete>"
    "<Start>2026-03-02T08:00:00</Start><Finish>2027-02-26T17:00:00</Finish><Cost>5000000</Cost>"
    "<Baseline><Number>0</Number><Start>2026-03-02T08:00:00</Start><Finish>{bfinish}</Finish>"
    "<Cost>{bcost}</Cost></Baseline></Task>"
)
GOOD = {"level": 1, "bfinish": "2027-02-26T17:00:00", "bcost": 8000000}


@pytest.mark.slow
def test_a_40_digit_outline_level_a_9999_baseline_and_infinite_spend_are_quarantined_and_the_month_publishes(
    workspace, dbt_manifest
):
    from tests.helpers import materialize, query

    plans = workspace.inbox / "2026-09" / "ms_project"
    plans.mkdir(parents=True)
    tasks = [
        {"uid": 1, **GOOD},
        {"uid": 2, **GOOD, "level": "9" * 40},
        {"uid": 3, **GOOD, "bfinish": "9999-12-31T17:00:00"},
        {"uid": 4, **GOOD, "bcost": 3.0e14},  # hundredths: 3e12
    ]
    (plans / "beta_plan.xml").write_text(MSPDI.format(tasks="".join(TASK.format(**t) for t in tasks)), "utf-8")
    finance = workspace.inbox / "2026-09" / "finance"
    finance.mkdir(parents=True)
    (finance / "spend.csv").write_text(
        "document_id,line_no,posting_date,project_code,amount,currency,supplier,description,cost_type\n"
        "D1,1,2026-09-05,WBS-B,1000,USD,,,\nD2,1,2026-09-06,WBS-B,inf,USD,,,\nD3,1,2026-09-07,WBS-B,2e12,USD,,,\n"
        "D4,1,1900-01-01,WBS-B,10,USD,,,\n",
        encoding="utf-8",
    )
    materialize(workspace, "2026-09-01", through_marts=True)
    assert query(workspace, "select task_uid from raw.schedule_tasks") == [("1",)]
    assert query(workspace, "select document_id from raw.spend") == [("D1",)]
    quarantined = query(
        workspace, "select table_name, source_row, record_key from raw.quarantine order by table_name, source_row"
    )
    assert quarantined == [
        ("schedule_tasks", 2, "beta_plan"),
        ("schedule_tasks", 3, "beta_plan"),
        ("schedule_tasks", 4, "beta_plan"),
        ("spend", 3, "WBS-B"),
        ("spend", 4, "WBS-B"),
        ("spend", 5, "WBS-B"),
    ]
    assert query(
        workspace,
        "select table_name, rows_read, rows_loaded, rows_quarantined from raw.load_log "
        "where table_name in ('schedule_tasks', 'spend') order by table_name",
    ) == [("schedule_tasks", 4, 1, 3), ("spend", 4, 1, 3)]
    [(bac, ac, pv, eac, gaps)] = query(
        workspace, "select bac, ac, pv, eac, data_gaps from marts.fct_project_month where project_id = 'BETA'"
    )
    assert ac == 1000.0 and all(value is None or math.isfinite(value) for value in (bac, ac, pv, eac))
    assert "3 plan row(s) for plan key beta_plan quarantined (" in gaps
    assert "3 spend line(s) on WBS-B quarantined (" in gaps
