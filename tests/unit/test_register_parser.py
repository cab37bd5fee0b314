import datetime as dt
import json

import pytest

from pipelines.sources.common import SourceFormatError
from pipelines.sources.register import OPTIONAL_SHEETS, SHEETS, parse_register
from tests.helpers import register_header, tiny_register_sheets, write_sheets


@pytest.fixture
def register_file(tmp_path):
    return write_sheets(tmp_path / "portfolio.xlsx", tiny_register_sheets())


def test_every_sheet_loads_with_typed_values(register_file):
    batch = parse_register(register_file, "2026-09/register/portfolio.xlsx")
    projects = batch.tables["projects"].set_index("project_id")
    assert list(projects.index) == ["ALPHA", "BETA"]
    alpha, beta = projects.loc["ALPHA"], projects.loc["BETA"]
    assert alpha["tier"] == 1 and beta["tier"] == 3
    assert alpha["bac"] == 120000.0
    assert beta["bac"] == 80000.5  # "80,000.50" typed as text in Excel
    assert beta["reported_status"] == "Amber"  # "amber" normalised to the RAG word
    assert beta["currency"] == "USD"  # "usd" normalised to the ISO code
    assert alpha["baseline_start"] == dt.date(2026, 1, 5)
    assert alpha["go_live_actual"] is None
    assert beta["plan_source"] == "ms_project"
    assert list(batch.tables["projects"]["source_row"]) == [2, 3]  # Excel row numbers
    milestone = batch.tables["milestones"].iloc[0]
    assert (milestone["baseline_date"], milestone["actual_date"]) == (dt.date(2026, 4, 30), dt.date(2026, 5, 14))
    assert batch.tables["changes"].iloc[0]["schedule_impact_days"] == 10
    assert batch.tables["benefits"].iloc[0]["target_value"] == 1.8
    assert batch.tables["distribution"]["scope"].tolist() == ["portfolio", "BETA"]
    assert batch.rejects == []
    assert batch.rows_read == {
        "projects": 2,
        "milestones": 1,
        "benefits": 1,
        "raid": 1,
        "changes": 1,
        "distribution": 2,
    }


def test_bad_rows_are_rejected_with_sheet_row_column_and_reason(tmp_path):
    sheets = tiny_register_sheets()
    sheets["Projects"].append(
        [
            "GAMMA",
            "Gamma",
            "two",
            None,
            None,
            "Green",
            None,
            "lots",
            "USD",
            dt.date(2026, 1, 1),
            dt.date(2026, 6, 30),
            None,
            None,
            "jira",
            "GAM",
            None,
            None,
        ]
    )
    sheets["Projects"].append([None] * 17)  # a blank line is not a row
    sheets["Projects"].append(
        [
            None,
            "No id",
            2,
            None,
            None,
            "Red",
            None,
            10,
            "USD",
            dt.date(2026, 1, 1),
            dt.date(2026, 6, 30),
            None,
            None,
            "jira",
            "X",
            None,
            None,
        ]
    )
    batch = parse_register(write_sheets(tmp_path / "portfolio.xlsx", sheets), "portfolio.xlsx")
    assert batch.rows_read["projects"] == 4
    assert batch.rows_loaded("projects") == 2
    assert batch.rows_quarantined("projects") == 2
    reasons = {r.source_row: r.reason for r in batch.rejects}
    assert reasons[4] == ("sheet 'Projects' row 4: tier: 'two' is not a number; bac: 'lots' is not a number")
    assert reasons[6] == "sheet 'Projects' row 6: project_id: required value is empty"
    gamma = next(r for r in batch.rejects if r.source_row == 4)
    assert gamma.raw_record["project_id"] == "GAMMA"
    assert json.loads(batch.quarantine_frame(dt.date(2026, 9, 1))["raw_record"][0])["tier"] == "two"


def test_read_equals_loaded_plus_quarantined_for_every_table(tmp_path):
    sheets = tiny_register_sheets()
    sheets["RAID"].append(["R2", "ALPHA", "Risk", "t", "o", "High", "Open", "not a date", None, None])
    batch = parse_register(write_sheets(tmp_path / "p.xlsx", sheets), "p.xlsx")
    log = batch.load_log_frame(dt.date(2026, 9, 1)).set_index("table_name")
    # a register without the optional sheets has no load_log row for their tables (test_register_optional_sheets)
    assert sorted(log.index) == sorted(table for sheet, (table, _) in SHEETS.items() if sheet not in OPTIONAL_SHEETS)
    assert (log["rows_read"] == log["rows_loaded"] + log["rows_quarantined"]).all()
    assert log.loc["raid", "rows_quarantined"] == 1


def test_headers_match_regardless_of_case_spacing_and_order(tmp_path):
    sheets = tiny_register_sheets()
    header = [f"  {h.upper()} " for h in register_header("Distribution")]
    sheets["Distribution"] = [header[::-1], ["portfolio", "PMO", "Head", "x@example.com"]]
    batch = parse_register(write_sheets(tmp_path / "p.xlsx", sheets), "p.xlsx")
    assert batch.tables["distribution"].iloc[0]["email"] == "x@example.com"


def test_missing_sheet_names_file_and_sheet(tmp_path):
    sheets = tiny_register_sheets()
    del sheets["Benefits"]
    path = write_sheets(tmp_path / "portfolio.xlsx", sheets)
    with pytest.raises(SourceFormatError) as error:
        parse_register(path, "2026-09/register/portfolio.xlsx")
    assert str(error.value).startswith("2026-09/register/portfolio.xlsx: sheet 'Benefits' missing (found: Projects,")


def test_missing_column_names_file_sheet_and_column(tmp_path):
    sheets = tiny_register_sheets()
    sheets["Projects"] = [list(row) for row in sheets["Projects"]]
    bac = sheets["Projects"][0].index("bac")
    sheets["Projects"] = [row[:bac] + row[bac + 1 :] for row in sheets["Projects"]]
    path = write_sheets(tmp_path / "portfolio.xlsx", sheets)
    with pytest.raises(SourceFormatError, match=r"^portfolio\.xlsx, sheet 'Projects': column 'bac' missing"):
        parse_register(path, "portfolio.xlsx")


def test_a_file_that_is_not_a_workbook_is_named(tmp_path):
    path = tmp_path / "portfolio.xlsx"
    path.write_bytes(b"\x00\x01 this is not a zip")
    with pytest.raises(SourceFormatError, match=r"^portfolio\.xlsx: not a readable Excel workbook"):
        parse_register(path, "portfolio.xlsx")
