"""Issue 26: numbers and dates within limits (DESIGN §4a, `limits:` and `quality.plausible_date_years`).

Non-finite or huge amounts, dates far from the snapshot's month and integers too large for the warehouse are
quarantined row by row with the column named; a delimited file over `limits.file_bytes` is refused unread.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipelines.config import LimitSettings, QualitySettings, Settings
from pipelines.core import ingest
from pipelines.core.ingest import DROP_PARTS, iter_drop_part
from pipelines.sources.columns import parse_numbers, to_number
from pipelines.sources.common import LoadBatch
from pipelines.sources.plausible import ValueBounds, quarantine_implausible
from tests.helpers import D, tiny_register_sheets, write_sheets

OCT = dt.date(2026, 10, 1)
SPEND_HEADER = "document_id,line_no,posting_date,project_code,amount,currency,supplier,description,cost_type\n"


def _batches(settings: Settings, part: str, month: dt.date = OCT) -> list[LoadBatch]:
    return list(iter_drop_part(DROP_PARTS[part], settings, month, parallel_min_bytes=10**12))


def _reasons(batch: LoadBatch, table: str) -> dict[int, str]:
    return {r.source_row: r.reason for r in batch.rejects if r.table == table}


def _balanced(batch: LoadBatch, table: str) -> bool:
    return batch.rows_read[table] == batch.rows_loaded(table) + batch.rows_quarantined(table)


def test_non_finite_and_huge_amounts_and_a_1900_posting_date_in_a_finance_csv_are_quarantined(tmp_path):
    folder = tmp_path / "inbox" / "2026-10" / "finance"
    folder.mkdir(parents=True)
    (folder / "spend.csv").write_text(
        SPEND_HEADER
        + "D1,1,2026-10-02,WBS-1,100.50,USD,Acme,ok,Labour\n"  # row 2: loads
        + "D2,1,2026-10-02,WBS-1,inf,USD,Acme,x,Labour\n"
        + "D3,1,2026-10-02,WBS-1,1e999,USD,Acme,x,Labour\n"
        + "D4,1,2026-10-02,WBS-1,Infinity,USD,Acme,x,Labour\n"
        + "D5,1,2026-10-02,WBS-1,2e12,USD,Acme,x,Labour\n"
        + "D6,1,2026-10-02,WBS-1,-2000000000000,USD,Acme,credit,Labour\n"
        + "D7,1,1900-01-01,WBS-1,10,USD,Acme,old,Labour\n"
        + "D8,1,2026-10-02,WBS-1,999999999999,USD,Acme,just under,Labour\n",  # row 9: loads (1e12 - 1)
        encoding="utf-8",
    )
    [batch] = _batches(Settings(inbox=tmp_path / "inbox"), "finance")
    spend = batch.tables["spend"]
    assert spend["document_id"].tolist() == ["D1", "D8"] and spend["amount"].tolist() == [100.5, 999999999999.0]
    reasons = _reasons(batch, "spend")
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    for row in (3, 4, 5):
        assert "is not an amount" in reasons[row]
    assert "amount 2e+12 is beyond the plausible amount of 1e+12 (limits.max_amount)" in reasons[6]
    assert "amount -2e+12 is beyond" in reasons[7]
    assert reasons[8].startswith("row 8: posting_date 1900-01-01 is more than 20 years from 2026-10")
    assert "(quality.plausible_date_years)" in reasons[8]
    assert {r.record_key for r in batch.rejects} == {"WBS-1"}
    assert _balanced(batch, "spend")


def test_the_amount_bound_and_date_window_are_the_settings(tmp_path):
    folder = tmp_path / "inbox" / "2026-10" / "finance"
    folder.mkdir(parents=True)
    (folder / "spend.csv").write_text(
        SPEND_HEADER + "D1,1,2026-10-02,WBS-1,5000,USD,A,x,L\nD2,1,2019-10-01,WBS-1,10,USD,A,x,L\n", encoding="utf-8"
    )
    settings = Settings(
        inbox=tmp_path / "inbox", limits=LimitSettings(max_amount=1000), quality=QualitySettings(plausible_date_years=5)
    )
    [batch] = _batches(settings, "finance")
    reasons = _reasons(batch, "spend")
    assert batch.rows_loaded("spend") == 0
    assert "beyond the plausible amount of 1000" in reasons[2] and "more than 5 years from 2026-10" in reasons[3]


def test_a_register_bac_over_the_bound_and_a_9999_baseline_are_quarantined_with_the_sheet_and_row(tmp_path):
    sheets = tiny_register_sheets()
    sheets["Projects"][1][7] = 2.0e12  # ALPHA's BAC
    sheets["Projects"][2][10] = D(9999, 12, 31)  # BETA's baseline_finish
    sheets["Changes"][1][6] = 5.0e12  # CR1's cost_impact
    write_sheets(tmp_path / "inbox" / "2026-10" / "register" / "portfolio.xlsx", sheets)
    [batch] = _batches(Settings(inbox=tmp_path / "inbox"), "register")
    assert batch.error is None and batch.rows_loaded("projects") == 0
    projects = _reasons(batch, "projects")
    assert projects[2].startswith("sheet 'Projects' row 2: bac 2e+12 is beyond the plausible amount of 1e+12")
    assert projects[3].startswith("sheet 'Projects' row 3: baseline_finish 9999-12-31 is more than 20 years")
    assert {r.record_key for r in batch.rejects if r.table == "projects"} == {"ALPHA", "BETA"}
    assert "cost_impact 5e+12 is beyond" in _reasons(batch, "changes")[2]
    assert _balanced(batch, "projects") and _balanced(batch, "changes")


def test_a_numeric_cell_of_infinity_is_not_a_number():
    with pytest.raises(ValueError, match="not a finite number"):
        to_number(float("inf"))
    with pytest.raises(ValueError, match="not a finite number"):
        to_number(10**400)


MSPDI = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project"><Tasks>{tasks}</Tasks></Project>"""
TASK = (
    "<Task><UID>{uid}</UID><Name>T{uid}</Name><OutlineLevel>{level}</OutlineLevel>"
    "<Start>2026-10-01T08:00:00</Start><Finish>2026-10-09T17:00:00</Finish><Cost>{cost}</Cost>"
    "<Baseline><Number>0</Number><Start>2026-10-01T08:00:00</Start><Finish>{bfinish}</Finish>"
    "<Cost>{bcost}</Cost></Baseline></Task>"
)


def test_mspdi_costs_dates_and_a_40_digit_outline_level_are_quarantined_not_an_aborted_load(tmp_path):
    good = {"level": 1, "cost": 100000, "bfinish": "2026-10-09T17:00:00", "bcost": 100000}
    tasks = [
        {"uid": 1, **good},
        {"uid": 2, **good, "cost": "1e999"},
        {"uid": 3, **good, "bcost": 3.0e14},  # hundredths: 3e12 in the currency
        {"uid": 4, **good, "bfinish": "9999-12-31T17:00:00"},
        {"uid": 5, **good, "level": "1" * 40},
        {"uid": 6, **good, "cost": "NaN"},
    ]
    folder = tmp_path / "inbox" / "2026-10" / "ms_project"
    folder.mkdir(parents=True)
    (folder / "plan.xml").write_text(MSPDI.format(tasks="".join(TASK.format(**t) for t in tasks)), encoding="utf-8")
    [batch] = _batches(Settings(inbox=tmp_path / "inbox"), "plans")
    assert batch.error is None
    assert batch.tables["schedule_tasks"]["task_uid"].tolist() == ["1"]
    reasons = _reasons(batch, "schedule_tasks")
    assert reasons[2] == "task 2 (UID 2): '1e999' is not a finite number"
    assert reasons[3].startswith("task 3: baseline_cost 3e+12 is beyond the plausible amount of 1e+12")
    assert reasons[4].startswith("task 4: baseline_finish 9999-12-31 is more than 20 years from 2026-10")
    assert reasons[5] == f"task 5: outline_level {'1' * 40} is too large a whole number (beyond ±2147483647)"
    assert reasons[6] == "task 6 (UID 6): 'NaN' is not a finite number"
    assert {r.record_key for r in batch.rejects} == {"plan"}
    assert _balanced(batch, "schedule_tasks")


def test_work_item_timestamps_and_incident_integers_are_screened_in_one_place():
    batch = LoadBatch(source_file="x.csv", file_format="jira_csv", source="jira")
    batch.tables["work_items"] = pd.DataFrame(
        {
            "source_row": [2, 3, 4],
            "plan_key": ["ALP", "ALP", "ALP"],
            "story_points": [3.0, float("inf"), None],
            "created_at": pd.to_datetime(["2026-09-01 10:00", "2026-09-01 00:00", "1901-01-01 09:30"]),
        }
    )
    batch.tables["incidents"] = pd.DataFrame(
        {"source_row": [2, 3], "service": ["Billing", "Billing"], "priority": [2, 10**12]}
    )
    batch.rows_read = {"work_items": 3, "incidents": 2}
    quarantine_implausible(batch, OCT, ValueBounds())
    assert batch.tables["work_items"]["source_row"].tolist() == [2]
    assert _reasons(batch, "work_items") == {
        3: "row 3: story_points inf is not a finite number",
        4: "row 4: created_at 1901-01-01 09:30:00 is more than 20 years from 2026-10 (before 2006-10 or from "
        "2046-10 on): check the cell (quality.plausible_date_years)",
    }
    assert _reasons(batch, "incidents") == {
        3: "row 3: priority 1000000000000 is too large a whole number (beyond ±2147483647)"
    }
    assert [r.record_key for r in batch.rejects] == ["ALP", "ALP", "Billing"]


def test_parse_numbers_refuses_infinity():
    numbers, bad = parse_numbers(pd.Series(["12.5", "inf", "-Infinity", "1e999", ""]))
    assert bad.tolist() == [False, True, True, True, False]
    assert numbers.iloc[0] == 12.5 and numbers.iloc[1:].isna().all()


def test_a_sparse_file_over_the_byte_cap_is_refused_without_being_read(tmp_path, monkeypatch):
    folder = tmp_path / "inbox" / "2026-10" / "finance"
    folder.mkdir(parents=True)
    with (folder / "huge.csv").open("wb") as handle:
        handle.write(SPEND_HEADER.encode())
        handle.truncate(8 * 1024**3)  # 8 GiB reported, almost no disk used

    def never(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(ingest, "parse_finance_file", never)
    settings = Settings(inbox=tmp_path / "inbox", limits=LimitSettings(file_bytes=1024 * 1024))
    [batch] = _batches(settings, "finance")
    assert batch.error == (
        "2026-10/finance/huge.csv: the file is 8,589,934,592 bytes, over the cap of 1,048,576 bytes "
        "(limits.file_bytes): split the export (one file per project or period), or raise limits.file_bytes in "
        "steerpack.yaml"
    )
    assert batch.tables == {} and batch.rejects == []
