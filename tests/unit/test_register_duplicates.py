"""Issue 26: duplicates that would silently double count or tie-break block the month, naming both rows or files:
one plan named by two register projects, project_ids that differ only in case, two exports of one Jira project."""

import datetime as dt

import openpyxl

from pipelines.core.quality.findings import ERROR
from pipelines.core.quality.suites import load_suites
from pipelines.core.quality.table_check import validate_table
from tests.helpers import GOOD, insert, tiny_register_sheets, write_sheets

SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
VARIABLES = {"base_currency": "USD"}


def findings(conn, table, rule):
    return [f for f in validate_table(conn, load_suites()[table], SEP, VARIABLES) if f.rule == rule]


def project(**change):
    return {**GOOD["projects"], **change}


def test_two_projects_naming_one_plan_block_naming_both_rows(conn):
    insert(
        conn,
        "projects",
        [
            project(),
            project(project_id="P2", finance_codes="WBS-2", plan_key="TWO"),
            project(project_id="P3", finance_codes="WBS-3"),  # plan jira ONE, as P1's
            project(project_id="P4", finance_codes="WBS-4", plan_source="azure_devops"),  # ONE, but another tool
        ],
    )
    insert(conn, "projects", [project(project_id="P5", finance_codes="WBS-5")], month=OCT)  # another month
    [finding] = findings(conn, "projects", "plan_belongs_to_one_project")
    assert (finding.severity, finding.failed_rows) == (ERROR, 2)
    assert [(e["source_row"], e["project_id"], e["plan_key"], e["same_plan_as"]) for e in finding.examples] == [
        (2, "P1", "ONE", "P3 (row 4)"),
        (4, "P3", "ONE", "P1 (row 2)"),
    ]
    assert finding.examples[0]["source_file"] == "projects.file"


def test_project_ids_differing_only_in_case_block_naming_both_rows(conn):
    insert(
        conn,
        "projects",
        [
            project(project_id="CRM", plan_key="K1"),
            project(project_id="P2", finance_codes="WBS-2", plan_key="K2"),
            project(project_id="crm", finance_codes="WBS-3", plan_key="K3"),
        ],
    )
    [finding] = findings(conn, "projects", "project_id_unique_ignoring_case")
    assert (finding.severity, finding.failed_rows) == (ERROR, 2)
    assert [(e["source_row"], e["project_id"], e["same_id_as"]) for e in finding.examples] == [
        (2, "CRM", "crm (row 4)"),
        (4, "crm", "CRM (row 2)"),
    ]
    assert "differ only in upper and lower case" in finding.description
    # an exact duplicate stays its own rule's finding, not reported twice
    conn.execute("delete from raw.projects")
    insert(conn, "projects", [project(plan_key="K1"), project(finance_codes="WBS-2", plan_key="K2")])
    found = {f.rule.split("(")[0]: f for f in validate_table(conn, load_suites()["projects"], SEP, VARIABLES)}
    assert found["expect_column_values_to_be_unique"].severity == ERROR
    assert "project_id_unique_ignoring_case" not in found


def item(**change):
    return {**GOOD["work_items"], **change}


def test_two_exports_of_one_jira_project_block_naming_both_files(conn):
    insert(
        conn,
        "work_items",
        [
            item(source_file="2026-09/jira/ONE.csv", item_id="1"),
            item(source_file="2026-09/jira/ONE.csv", item_key="ONE-3", item_id="4"),  # many rows, one file
            item(source_file="2026-09/jira/ONE (1).csv", item_key="ONE-2", item_id="2"),
            item(source_file="2026-09/jira/TWO.csv", plan_key="TWO", item_key="TWO-1", item_id="3"),
        ],
    )
    insert(conn, "work_items", [item(source_file="2026-10/jira/ONE.csv", item_id="1")], month=OCT)
    [finding] = findings(conn, "work_items", "jira_project_exported_once")
    assert (finding.severity, finding.failed_rows) == (ERROR, 2)
    assert [(e["source_file"], e["jira_project"], e["also_exported_in"]) for e in finding.examples] == [
        ("2026-09/jira/ONE (1).csv", "ONE", "2026-09/jira/ONE.csv"),
        ("2026-09/jira/ONE.csv", "ONE", "2026-09/jira/ONE (1).csv"),
    ]


# --- through `steerpack validate`: the register's hidden content and duplicates as the analyst reads them ----


def test_validate_names_the_hidden_sheet_and_blocks_on_a_case_duplicate_project(workspace):
    from pipelines.core.validate import format_report, validate_drop

    path = workspace.inbox / "2026-09" / "register" / "portfolio.xlsx"
    sheets = tiny_register_sheets()
    crm = list(sheets["Projects"][2])
    crm[0], crm[14], crm[15] = "beta", "beta_plan_2", "WBS-C"
    sheets["Projects"].append(crm)
    write_sheets(path, sheets)
    workbook = openpyxl.load_workbook(path)
    workbook.copy_worksheet(workbook["Distribution"]).title = "distribution "
    workbook["distribution "].sheet_state = "hidden"
    workbook.create_sheet("Scratch").sheet_state = "veryHidden"
    # nothing read there (past the optional eac_management R and budget_fx_rate S): no note
    workbook["Projects"].column_dimensions["U"].hidden = True
    workbook["Projects"].column_dimensions["Q"].hidden = True  # services
    workbook["Milestones"].row_dimensions[2].hidden = True
    workbook["Benefits"].row_dimensions[2].hidden = True
    workbook.save(path)

    [report] = validate_drop(workspace, [SEP])
    [register] = [f for f in report.files if f.source_file == "2026-09/register/portfolio.xlsx"]
    assert (
        "sheet 'distribution ' is hidden and was not read: the visible sheet 'Distribution' of the same name was"
        in (register.notes)
    )
    [finding] = [f for f in report.findings if f.rule == "project_id_unique_ignoring_case"]
    assert finding.severity == ERROR
    text = format_report([report], workspace)
    assert "note: sheet 'distribution ' is hidden and was not read" in text
    # every note is shown, not the first three
    assert len(register.notes) == 5
    assert "note: sheet 'Benefits': row 2 is hidden in Excel and was read" in text
    assert "note: sheet 'Projects': column Q ('services') is hidden in Excel and was read" in text
    assert "note: hidden sheet 'Scratch' not read" in text
    assert "project id 'BETA', same id as 'beta (row 4)'" in text
    assert "would block the month: two register project_ids differ only in upper and lower case" in text
