"""Issue 29: the register's optional sheets Decisions, Readiness, UAT, Cutovers, Surveys and Evidence (DESIGN §3),
and the new optional columns of RAID, Milestones and Projects."""

import datetime as dt

import pytest

from pipelines.core.quality.findings import ERROR
from pipelines.core.quality.suites import load_suites
from pipelines.core.quality.table_check import validate_table
from pipelines.core.warehouse.load import columns_of
from pipelines.sources.register import OPTIONAL_SHEETS, SHEETS, parse_register
from pipelines.sources.schema import CANONICAL
from tests.helpers import register_header, tiny_register_sheets, write_sheets

D = dt.date
SEP = D(2026, 9, 1)
NEW_TABLES = ("decisions", "readiness", "uat", "cutovers", "surveys", "evidence")

# sheet -> (full header, a good row with every column, the required columns only, the same row with those only)
FULL = {
    "Decisions": (
        register_header("Decisions"),
        ["D1", "ALPHA", "Pick vendor", "Ann", "15/04/2026", D(2026, 5, 1), "2026-05-03", "Vendor A"],
        ["decision_id", "project_id"],
        ["D1", "ALPHA"],
    ),
    "Readiness": (
        register_header("Readiness"),
        ["ALPHA", "R1", "security", "Pen test", "n/a", "15.04.2026"],
        ["project_id", "release", "area", "item"],
        ["ALPHA", "R1", "security", "Pen test"],
    ),
    "UAT": (
        register_header("UAT"),
        ["ALPHA", "R1", "30/04/2026", 100, "80", 75],
        ["project_id", "release", "as_of_date"],
        ["ALPHA", "R1", "30/04/2026"],
    ),
    "Cutovers": (
        register_header("Cutovers"),
        ["ALPHA", "R1", D(2026, 11, 2), "4/15/2026", "rollback"],
        ["project_id", "release", "planned_date"],
        ["ALPHA", "R1", D(2026, 11, 2)],
    ),
    "Surveys": (
        ["survey_date", "project_id", "group", "question", "score"],
        ["15/04/2026", None, "stakeholder", "How informed are you?", 4],
        ["survey_date", "group", "score"],
        ["15/04/2026", "TEAM", "3"],
    ),
    "Evidence": (
        register_header("Evidence"),
        ["ALPHA", "SOX-1", "Test report", "no", "approved", D(2026, 6, 30)],
        ["project_id", "control"],
        ["ALPHA", "SOX-1"],
    ),
}

EXPECTED = {
    "decisions": {
        "decision_id": "D1",
        "project_id": "ALPHA",
        "title": "Pick vendor",
        "owner": "Ann",
        "raised_date": D(2026, 4, 15),
        "needed_by": D(2026, 5, 1),
        "decided_date": D(2026, 5, 3),
        "outcome": "Vendor A",
    },
    "readiness": {
        "project_id": "ALPHA",
        "release": "R1",
        "area": "Security",
        "item": "Pen test",
        "status": "N/A",
        "due_date": D(2026, 4, 15),
    },
    "uat": {
        "project_id": "ALPHA",
        "release": "R1",
        "as_of_date": D(2026, 4, 30),
        "cases_planned": 100,
        "cases_executed": 80,
        "cases_passed": 75,
    },
    "cutovers": {
        "project_id": "ALPHA",
        "release": "R1",
        "planned_date": D(2026, 11, 2),
        "actual_date": D(2026, 4, 15),
        "outcome": "Rollback",
    },
    "surveys": {
        "survey_date": D(2026, 4, 15),
        "project_id": None,
        "respondent_group": "Stakeholder",
        "question": "How informed are you?",
        "score": 4,
    },
    "evidence": {
        "project_id": "ALPHA",
        "control": "SOX-1",
        "artifact": "Test report",
        "required": False,
        "status": "Approved",
        "due_date": D(2026, 6, 30),
    },
}


def _value(value):
    if hasattr(value, "item"):
        value = value.item()
    return None if value is None or value != value else value  # NaN / NaT / None read as empty


def parse(tmp_path, extra: dict[str, list[list]]):
    sheets = {**tiny_register_sheets(), **extra}
    return parse_register(write_sheets(tmp_path / "portfolio.xlsx", sheets), "portfolio.xlsx")


def test_the_raw_tables_have_the_agreed_columns():
    assert {table: CANONICAL[table] for table in NEW_TABLES} == {
        "decisions": [
            ("decision_id", "VARCHAR"),
            ("project_id", "VARCHAR"),
            ("title", "VARCHAR"),
            ("owner", "VARCHAR"),
            ("raised_date", "DATE"),
            ("needed_by", "DATE"),
            ("decided_date", "DATE"),
            ("outcome", "VARCHAR"),
        ],
        "readiness": [
            ("project_id", "VARCHAR"),
            ("release", "VARCHAR"),
            ("area", "VARCHAR"),
            ("item", "VARCHAR"),
            ("status", "VARCHAR"),
            ("due_date", "DATE"),
        ],
        "uat": [
            ("project_id", "VARCHAR"),
            ("release", "VARCHAR"),
            ("as_of_date", "DATE"),
            ("cases_planned", "INTEGER"),
            ("cases_executed", "INTEGER"),
            ("cases_passed", "INTEGER"),
        ],
        "cutovers": [
            ("project_id", "VARCHAR"),
            ("release", "VARCHAR"),
            ("planned_date", "DATE"),
            ("actual_date", "DATE"),
            ("outcome", "VARCHAR"),
        ],
        "surveys": [
            ("survey_date", "DATE"),
            ("project_id", "VARCHAR"),
            ("respondent_group", "VARCHAR"),
            ("question", "VARCHAR"),
            ("score", "INTEGER"),
        ],
        "evidence": [
            ("project_id", "VARCHAR"),
            ("control", "VARCHAR"),
            ("artifact", "VARCHAR"),
            ("required", "BOOLEAN"),
            ("status", "VARCHAR"),
            ("due_date", "DATE"),
        ],
    }
    for sheet in OPTIONAL_SHEETS:  # the parser's columns are the raw table's
        table, spec = SHEETS[sheet]
        assert [column for column, _, _ in spec] == [name for name, _ in CANONICAL[table]]
    assert ("closed_date", "DATE") in CANONICAL["raid"]
    assert ("vendor", "VARCHAR") in CANONICAL["milestones"]
    assert ("status_comment", "VARCHAR") in CANONICAL["projects"]


@pytest.mark.parametrize("sheet", sorted(FULL))
def test_each_sheet_reads_with_all_its_columns_in_either_date_locale(tmp_path, sheet):
    header, row, _, _ = FULL[sheet]
    batch = parse(tmp_path, {sheet: [header, row]})
    table = SHEETS[sheet][0]
    assert not batch.rejects
    frame = batch.tables[table]
    assert list(frame.columns) == ["source_row", *(name for name, _ in CANONICAL[table])]
    assert {column: _value(frame.iloc[0][column]) for column in EXPECTED[table]} == EXPECTED[table]
    assert frame.iloc[0]["source_row"] == 2
    assert batch.rows_read[table] == 1


@pytest.mark.parametrize("sheet", sorted(FULL))
def test_each_sheet_reads_without_its_optional_columns(tmp_path, sheet):
    _, _, header, row = FULL[sheet]
    batch = parse(tmp_path, {sheet: [header, row]})
    table = SHEETS[sheet][0]
    assert not batch.rejects
    record = batch.tables[table].iloc[0]
    required = [column for column, _, needed in SHEETS[sheet][1] if needed]
    assert all(_value(record[column]) is not None for column in required)
    optional = [column for column, _, needed in SHEETS[sheet][1] if not needed]
    values = {column: _value(record[column]) for column in optional}
    if table == "evidence":
        assert values.pop("required") is True  # no `required` column: every control is required
    assert all(value is None for value in values.values()), values


def test_a_blank_required_flag_means_required(tmp_path):
    header = register_header("Evidence")
    rows = [
        ["ALPHA", "C1", None, None, None, None],
        ["ALPHA", "C2", None, "TRUE", None, None],
        ["ALPHA", "C3", None, True],
    ]
    batch = parse(tmp_path, {"Evidence": [header, *rows, ["ALPHA", "C4", None, "maybe"]]})
    assert batch.tables["evidence"]["required"].tolist() == [True, True, True]
    assert [r.reason for r in batch.rejects] == ["sheet 'Evidence' row 5: required: 'maybe' is not Yes or No"]


BAD_ROWS = [
    (
        "Readiness",
        ["ALPHA", "R1", "QA", "Smoke", "Open", None],
        "sheet 'Readiness' row 3: area: 'QA' is not a readiness area (Test, Ops, Security, UAT, Support, Training)",
    ),
    (
        "Readiness",
        ["ALPHA", "R1", "Ops", "Runbook", "Maybe", None],
        "sheet 'Readiness' row 3: status: 'Maybe' is not a readiness status (Done, Open, N/A)",
    ),
    (
        "Surveys",
        [D(2026, 4, 15), "ALPHA", "Team", "Q", 6],
        "sheet 'Surveys' row 3: score: 6 is not a score from 1 to 5",
    ),
    (
        "Surveys",
        [D(2026, 4, 15), "ALPHA", "Vendor", "Q", 3],
        "sheet 'Surveys' row 3: respondent_group: 'Vendor' is not a respondent group (Stakeholder, Team)",
    ),
    (
        "UAT",
        ["ALPHA", "R2", D(2026, 4, 30), 10, 5, 6],
        "sheet 'UAT' row 3: cases_passed is more than cases_executed (a case passes only once it is executed)",
    ),
    (
        "UAT",
        ["ALPHA", "R2", D(2026, 4, 30), -1, None, None],
        "sheet 'UAT' row 3: cases_planned: -1 is negative (a count of test cases)",
    ),
    (
        "Cutovers",
        ["ALPHA", "R2", D(2026, 11, 2), None, "Failed"],
        "sheet 'Cutovers' row 3: outcome: 'Failed' is not a cutover outcome (Success, Rollback, Partial)",
    ),
    (
        "Evidence",
        ["ALPHA", "C9", None, "Yes", "Pending", None],
        "sheet 'Evidence' row 3: status: 'Pending' is not an evidence status (Approved, Submitted, Missing)",
    ),
    (
        "Decisions",
        ["D2", None, "t", "o", "05/04/2026", None, None, None],
        "sheet 'Decisions' row 3: project_id: required value is empty; raised_date: '05/04/2026' reads as a date "
        "day-first and month-first alike: type it as a date cell or YYYY-MM-DD",
    ),
]


@pytest.mark.parametrize("sheet, bad, reason", BAD_ROWS)
def test_a_bad_row_is_quarantined_with_its_row_and_reason_and_the_rest_loads(tmp_path, sheet, bad, reason):
    header, good, _, _ = FULL[sheet]
    batch = parse(tmp_path, {sheet: [header, good, bad]})
    table = SHEETS[sheet][0]
    assert [(r.table, r.source_row, r.reason) for r in batch.rejects] == [(table, 3, reason)]
    assert batch.rejects[0].record_key == (bad[header.index("project_id")] or None)
    assert len(batch.tables[table]) == 1
    log = batch.load_log_frame(SEP).set_index("table_name").loc[table]
    assert (log["rows_read"], log["rows_loaded"], log["rows_quarantined"]) == (2, 1, 1)


def test_a_register_without_any_optional_sheet_has_no_rows_and_nothing_to_fix(tmp_path):
    batch = parse(tmp_path, {})
    assert not batch.rejects and not batch.error and not batch.notes
    assert not set(NEW_TABLES) & set(batch.tables)
    log = batch.load_log_frame(SEP)
    assert not set(NEW_TABLES) & set(log["table_name"])  # "not tracked": no load_log row for those tables
    assert (log["rows_read"] == log["rows_loaded"] + log["rows_quarantined"]).all()


def test_a_present_but_empty_optional_sheet_is_tracked_with_zero_rows(tmp_path):
    batch = parse(tmp_path, {"Decisions": [register_header("Decisions")]})
    assert batch.tables["decisions"].empty and batch.rows_read["decisions"] == 0
    assert "decisions" in set(batch.load_log_frame(SEP)["table_name"])


def test_rows_read_equal_loaded_plus_quarantined_on_every_sheet(tmp_path):
    extra = {sheet: [FULL[sheet][0], FULL[sheet][1], bad] for sheet, bad, _ in BAD_ROWS if sheet != "Readiness"}
    extra["Readiness"] = [FULL["Readiness"][0], FULL["Readiness"][1], BAD_ROWS[0][1], BAD_ROWS[1][1]]
    batch = parse(tmp_path, extra)
    log = batch.load_log_frame(SEP).set_index("table_name")
    assert set(NEW_TABLES) <= set(log.index)
    assert (log["rows_read"] == log["rows_loaded"] + log["rows_quarantined"]).all()
    assert log.loc["readiness", "rows_quarantined"] == 2


def test_an_optional_sheet_that_exists_only_hidden_is_refused_like_the_others(tmp_path):
    from openpyxl import load_workbook

    from pipelines.sources.common import SourceFormatError

    path = write_sheets(tmp_path / "p.xlsx", {**tiny_register_sheets(), "UAT": [register_header("UAT")]})
    workbook = load_workbook(path)
    workbook["UAT"].sheet_state = "hidden"
    workbook.save(path)
    with pytest.raises(SourceFormatError, match="sheet 'UAT' is hidden"):
        parse_register(path)


def test_hidden_rows_of_an_optional_sheet_are_read_and_named(tmp_path):
    from openpyxl import load_workbook

    header, row, _, _ = FULL["Decisions"]
    path = write_sheets(tmp_path / "p.xlsx", {**tiny_register_sheets(), "Decisions": [header, row]})
    workbook = load_workbook(path)
    workbook["Decisions"].row_dimensions[2].hidden = True
    workbook.save(path)
    batch = parse_register(path)
    assert len(batch.tables["decisions"]) == 1
    assert "sheet 'Decisions': row 2 is hidden in Excel and was read" in "\n".join(batch.notes)


def test_the_new_optional_columns_read_when_present_and_as_empty_when_absent(tmp_path):
    sheets = tiny_register_sheets()
    batch = parse(tmp_path, {})
    assert batch.tables["raid"]["closed_date"].isna().all()
    assert batch.tables["milestones"]["vendor"].isna().all()
    assert batch.tables["projects"]["status_comment"].isna().all()
    sheets["RAID"][1] = [*sheets["RAID"][1], D(2026, 11, 20)]
    sheets["Milestones"][1] = [*sheets["Milestones"][1], "Acme"]
    sheets["Projects"][1] = [*sheets["Projects"][1], None, None, "On track, vendor slipping"]
    batch = parse_register(write_sheets(tmp_path / "q.xlsx", sheets))
    assert not batch.rejects
    assert batch.tables["raid"].iloc[0]["closed_date"] == D(2026, 11, 20)
    assert batch.tables["milestones"].iloc[0]["vendor"] == "Acme"
    assert batch.tables["projects"].set_index("project_id").loc["ALPHA", "status_comment"] == (
        "On track, vendor slipping"
    )


def _insert(conn, table, rows):
    for number, row in enumerate(rows, start=2):
        record = {"snapshot_month": SEP, "source": "register", "source_file": "p.xlsx", "source_row": number, **row}
        columns = [c for c in columns_of(table) if c in record]
        conn.execute(
            f"insert into raw.{table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
            [record[c] for c in columns],
        )


def _findings(conn, table):
    return {f.rule.split("(")[0]: f for f in validate_table(conn, load_suites()[table], SEP, {"base_currency": "USD"})}


def test_a_duplicate_decision_id_blocks_and_an_unknown_project_warns(conn):
    _insert(conn, "projects", [{"project_id": "ALPHA"}])
    _insert(
        conn,
        "decisions",
        [
            {"decision_id": "D1", "project_id": "ALPHA"},
            {"decision_id": "D1", "project_id": "ALPHA"},
            {"decision_id": "D2", "project_id": "GHOST"},
        ],
    )
    found = _findings(conn, "decisions")
    unique = found["expect_column_values_to_be_unique"]
    assert unique.severity == ERROR and unique.failed_rows == 2
    assert found["decision_project_in_register"].severity == "warn"
    assert found["decision_project_in_register"].failed_rows == 1


@pytest.mark.parametrize("table", NEW_TABLES)
def test_a_good_row_and_an_empty_month_pass_every_new_suite(conn, table):
    assert _findings(conn, table) == {}  # a month without the sheet: no rows, no finding
    _insert(conn, "projects", [{"project_id": "ALPHA"}])
    _insert(conn, table, [{**EXPECTED[table], "project_id": "ALPHA"}])
    assert _findings(conn, table) == {}
