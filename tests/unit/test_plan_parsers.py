"""The PM tools' exports: every real file in ../shared/realdata loads, and each known quirk has a fixture."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from pipelines.sources.common import SourceFormatError
from pipelines.sources.plans import parse_plan_file
from tests.helpers import PLAN_FIXTURES, REALDATA, requires_realdata, smartsheet_workbook

POINTS_FIELDS = ["Custom field (Story Points)", "Custom field (Story point estimate)"]


def parse(path: Path, fields=POINTS_FIELDS):
    return parse_plan_file(path, path.name, fields)


def by_key(batch, table="work_items", key="item_key"):
    return batch.tables[table].set_index(key)


def balanced(batch):
    return all(batch.rows_read[t] == batch.rows_loaded(t) + batch.rows_quarantined(t) for t in batch.rows_read)


@requires_realdata
def test_spanish_jira_cloud_export_loads_every_row():
    batch = parse(REALDATA / "jira" / "jira_cloud_export_es_locale.csv")
    items = by_key(batch)
    assert batch.file_format == "jira_csv"
    assert (batch.rows_read["work_items"], batch.rows_loaded("work_items"), len(batch.rejects)) == (106, 106, 0)
    assert items["plan_key"].unique().tolist() == ["LIPU"]
    # checked by hand against the file: "Clave de incidencia" LIPU-144, "Creada" 10/nov/25 4:51 PM, Sprint 1
    alpha = items.loc["LIPU-144"]
    assert alpha["created_at"] == pd.Timestamp("2025-11-10 16:51")
    assert (alpha["item_type"], alpha["status_category"], alpha["sprint"], alpha["parent_key"]) == (
        "Sub-task",
        "To Do",
        "Sprint 1",
        "LIPU-18",
    )
    assert items["status_category"].value_counts().to_dict() == {"To Do": 93, "In Progress": 13}
    assert sorted(items["item_type"].unique()) == ["Epic", "Story", "Sub-task"]  # Historia, Subtarea mapped
    due = items.loc[items["due_date"].notna(), "due_date"]
    assert set(due.dt.date) == {dt.date(2025, 11, 19)}  # "19/nov/25 12:00 AM"
    assert items["story_points"].sum() == 0 and items["story_points"].notna().sum() == 0  # the team sized nothing


@requires_realdata
@pytest.mark.parametrize(
    "name, tasks",
    [
        ("mpxj_legacy_sample.xml", 20),
        ("mpxj_mspditimephased.xml", 41),
        ("mpxj_task-baselines-project2019-mspdi.xml", 111),
        ("mpxj_baselines.xml", 2),
    ],
)
def test_mpxj_files_load_every_task(name, tasks):
    batch = parse(REALDATA / "ms_project" / name)
    assert batch.file_format == "mspdi_xml"
    assert batch.rows_read["schedule_tasks"] == batch.rows_loaded("schedule_tasks") == tasks
    assert batch.tables["schedule_tasks"]["plan_key"].unique().tolist() == [Path(name).stem]


@requires_realdata
def test_legacy_sample_costs_are_hundredths_and_summaries_and_milestones_are_marked():
    tasks = by_key(parse(REALDATA / "ms_project" / "mpxj_legacy_sample.xml"), "schedule_tasks", "task_uid")
    assert tasks.loc["0", "cost"] == 3526.25  # <Cost>352625</Cost>
    assert tasks.loc["0", "is_summary"] and tasks.loc["1", "is_summary"] and not tasks.loc["2", "is_summary"]
    assert tasks.loc["3", "is_milestone"] and tasks.loc["3", "task_name"] == "Third task"
    assert tasks.loc["3", "finish_date"] == dt.date(2003, 1, 7)


@requires_realdata
def test_timephased_file_progress():
    tasks = by_key(parse(REALDATA / "ms_project" / "mpxj_mspditimephased.xml"), "schedule_tasks", "task_uid")
    assert tasks["percent_complete"].value_counts().to_dict() == {0.0: 20, 100.0: 10, 50.0: 6, 60.0: 4, 33.0: 1}
    assert tasks["actual_finish"].notna().sum() == 10  # every task at 100 % has its ActualFinish
    assert tasks.loc["4", "percent_complete"] == 50.0


@requires_realdata
def test_only_baseline_zero_is_the_plan_baseline():
    tasks = by_key(
        parse(REALDATA / "ms_project" / "mpxj_task-baselines-project2019-mspdi.xml"), "schedule_tasks", "task_uid"
    )
    assert tasks.loc["1", "baseline_cost"] == 1.00  # baseline 0 <Cost>100</Cost>, in hundredths
    assert pd.isna(tasks.loc["2", "baseline_cost"])  # that task's cost is in baseline 1 only
    assert tasks.loc["23", "baseline_finish"] == dt.date(2014, 3, 1)
    assert tasks.loc["34", "baseline_start"] == dt.date(2014, 4, 1)


@requires_realdata
def test_a_baseline_finishing_before_it_starts_is_reported():
    batch = parse(REALDATA / "ms_project" / "mpxj_baselines.xml")
    assert len(batch.notes) == 10  # baselines 1-10 of task 1 all finish a year before they start
    assert batch.notes[0] == (
        "task UID 1: baseline 1 finishes (2000-01-01) before it starts (2001-01-01) "
        "(ignored: only baseline 0 is the plan baseline)"
    )
    log = batch.load_log_frame(dt.date(2026, 9, 1))
    assert log["notes"].iloc[0].count("\n") == 9


@requires_realdata
def test_realdata_files_of_other_kinds_are_refused_by_name():
    with pytest.raises(SourceFormatError, match=r"^oxford_pcard_jan-mar-2017\.csv: header matches no known format"):
        parse(REALDATA / "finance" / "oxford_pcard_jan-mar-2017.csv")


def test_jira_cloud_quirks():
    batch = parse(PLAN_FIXTURES / "jira_cloud_quirks.csv")
    items = by_key(batch)
    assert balanced(batch)
    login = items.loc["ALP-1"]
    assert login["labels"] == "ui;auth"  # two Labels columns, joined
    assert login["sprint"] == "ALP Sprint 2"  # the last of the repeated Sprint columns
    assert login["created_at"] == pd.Timestamp("2026-01-02 09:05")
    assert login["resolved_at"] == pd.Timestamp("2026-04-15 23:59")
    assert login["due_date"].date() == dt.date(2026, 4, 30)
    assert login["parent_key"] == "ALP-100"
    assert items.loc["ALP-3", "resolution"] == "Won't Do"
    assert items.loc["ALP-100", "item_type"] == "Epic"


def test_jira_story_points_come_from_whichever_field_the_config_names():
    items = by_key(parse(PLAN_FIXTURES / "jira_cloud_quirks.csv"))
    # "Story Points" for ALP-1 and ALP-3, "Story point estimate" for ALP-2: 5 + 3 + 8
    assert items["story_points"].sum() == 16
    only_estimate = by_key(parse(PLAN_FIXTURES / "jira_cloud_quirks.csv", ["Custom field (Story point estimate)"]))
    assert only_estimate["story_points"].sum() == 3


def test_jira_bad_values_are_quarantined_with_row_and_reason():
    batch = parse(PLAN_FIXTURES / "jira_cloud_quirks.csv")
    # rows count as a spreadsheet shows them: the multi-line cell of row 2 does not shift the numbering
    assert [r.source_row for r in batch.rejects] == [6]
    assert batch.rejects[0].reason == (
        "row 6: Custom field (Story Points): 'x' is not a number; Created: '31/Feb/26 1:30 PM' is not a date"
    )
    assert batch.rejects[0].raw_record["Issue key"] == "ALP-4"


def test_jira_status_categories_in_a_language_steerpack_cannot_translate_are_quarantined(tmp_path):
    """Italian: "Completato" would have counted as not done. German "Fertig" is translated, "Completato" not."""
    text = (PLAN_FIXTURES / "jira_cloud_quirks.csv").read_text(encoding="utf-8-sig")
    text = text.replace(",Done,ALP-100", ",Completato,ALP-100").replace(",In Progress,\n", ",Fertig,\n")
    path = tmp_path / "ALP.csv"
    path.write_text(text, encoding="utf-8")
    batch = parse_plan_file(path, "ALP.csv", ["Custom field (Story Points)"])
    rejects = {r.source_row: r.reason for r in batch.rejects}
    assert rejects[2] == (
        "row 2: Status Category: 'Completato' is not a status category steerpack knows (To Do, "
        "In Progress, Done, in English, German, Spanish or French)"
    )
    assert sorted(rejects) == [2, 6]
    loaded = batch.tables["work_items"].set_index("item_key")["status_category"].to_dict()
    assert loaded == {"ALP-2": "In Progress", "ALP-3": "Done", "ALP-100": "Done"}  # Fertig is Done
    assert batch.rows_read["work_items"] == 5  # read = loaded + quarantined


def test_jira_server_layout_key_column_with_trailing_spaces():
    items = by_key(parse(PLAN_FIXTURES / "jira_server_key.csv"))
    assert list(items.index) == ["ALP-10", "ALP-11"]
    assert items["plan_key"].tolist() == ["ALP", "ALP"]  # no Project key column: taken from the issue key
    assert items.loc["ALP-10", "resolved_at"] == pd.Timestamp("2025-03-12 15:15")


def test_azure_devops_partly_quoted_export():
    batch = parse(PLAN_FIXTURES / "ado_partly_quoted.csv")
    items = by_key(batch)
    assert list(items.index) == ["201", "202", "203"]
    assert items.loc["201", "summary"] == "Checkout, with commas"
    assert items.loc["201", "assignee"] == "Jane Doe"  # `Jane Doe <jane@contoso.com>`
    assert items.loc["201", "created_at"] == pd.Timestamp("2026-04-15 23:59:43")  # US locale, 12-hour clock
    assert items.loc["201", "labels"] == "ui;payments"
    assert items["story_points"].tolist() == [8.0, 3.0, 5.0]  # Scrum's Effort column
    assert items.loc["202", "area_path"] == "Contoso\\Shop\\API"
    assert items["status_category"].tolist() == ["Done", "In Progress", "Removed"]
    assert batch.rejects[0].reason == (
        "row 5: Effort: 'three' is not a number; Created Date: '13/45/2026' is not a date"
    )


def test_azure_devops_tree_query_and_size_column():
    items = by_key(parse(PLAN_FIXTURES / "ado_tree_size.csv"))
    assert items["summary"].tolist() == ["Platform", "Monitoring"]  # deepest Title N
    assert items.loc["302", "story_points"] == 13.0  # CMMI's Size
    assert items.loc["302", "created_at"] == pd.Timestamp("2026-02-02 10:30")


def test_mspdi_without_declaration_or_indentation():
    batch = parse(PLAN_FIXTURES / "compact_no_indent.xml")
    tasks = by_key(batch, "schedule_tasks", "task_uid")
    assert batch.rows_read["schedule_tasks"] == 5 and balanced(batch)
    build = tasks.loc["1"]
    assert (build["cost"], build["actual_cost"], build["baseline_cost"]) == (10000.0, 4500.50, 9876.54)
    assert (build["baseline_start"], build["baseline_finish"]) == (dt.date(2026, 1, 5), dt.date(2026, 2, 20))
    assert build["percent_complete"] == 60.0
    go_live = tasks.loc["2"]
    assert go_live["is_milestone"] and go_live["actual_finish"] == dt.date(2026, 3, 26)
    assert tasks.loc["0", "is_summary"]
    assert [r.reason for r in batch.rejects] == ["task 4 (UID 3): blank task line (IsNull=1)"]
    assert batch.notes == [
        "task UID 4: baseline 0 finishes (2026-01-10) before it starts (2026-02-01) (the plan baseline)"
    ]


def test_mspdi_critical_flag(tmp_path):
    """Project's `<Critical>` flag: 1 and 0 as booleans, null for a task that has no Critical element (issue 29)."""
    task = (
        "<Task><UID>{uid}</UID><Name>Task {uid}</Name><OutlineLevel>1</OutlineLevel>{critical}"
        "<Start>2026-01-05T08:00:00</Start><Finish>2026-01-09T17:00:00</Finish></Task>"
    )
    plan = tmp_path / "critical.xml"
    plan.write_text(
        '<Project xmlns="http://schemas.microsoft.com/project"><Tasks>'
        + task.format(uid=1, critical="<Critical>1</Critical>")
        + task.format(uid=2, critical="<Critical>0</Critical>")
        + task.format(uid=3, critical="")
        + "</Tasks></Project>",
        encoding="utf-8",
    )
    batch = parse(plan)
    assert balanced(batch) and not batch.rejects
    flags = by_key(batch, "schedule_tasks", "task_uid")["is_critical"].to_dict()
    assert flags["1"] is True and flags["2"] is False and flags["3"] is None


def test_truncated_mspdi_is_a_clear_error(tmp_path):
    broken = tmp_path / "half.xml"
    broken.write_bytes((PLAN_FIXTURES / "compact_no_indent.xml").read_bytes()[:700])
    with pytest.raises(SourceFormatError, match=r"^half\.xml: not well-formed XML \(line 1, column \d+\)"):
        parse(broken)


def test_smartsheet_hierarchy_milestones_and_percentages(tmp_path):
    batch = parse(smartsheet_workbook(tmp_path / "erp_plan.xlsx"))
    tasks = batch.tables["schedule_tasks"].set_index("task_name")
    assert batch.file_format == "smartsheet_xlsx" and balanced(batch)
    assert tasks["plan_key"].unique().tolist() == ["erp_plan"]
    assert tasks["is_summary"].to_dict() == {
        "Phase 1": True,
        "Design": False,
        "Build": False,
        "Phase 1 sign-off": False,
        "Handover": False,
    }
    assert tasks["outline_level"].tolist() == [1, 2, 2, 2, 1]
    assert tasks.loc["Phase 1 sign-off", "is_milestone"] and not tasks.loc["Build", "is_milestone"]
    assert tasks["percent_complete"].tolist() == [50.0, 100.0, 25.0, 100.0, 0.0]
    assert tasks.loc["Build", "start_date"] == dt.date(2026, 2, 2)
    # a finished milestone finished on its Finish date
    assert tasks.loc["Phase 1 sign-off", "actual_finish"] == dt.date(2026, 2, 27)
    assert batch.rejects[0].source_row == 7
    assert batch.rejects[0].reason == "row 7: Finish 'next week' is not a date cell"


def test_smartsheet_end_date_header(tmp_path):
    batch = parse(smartsheet_workbook(tmp_path / "web.xlsx", end_header="End Date"))
    assert batch.tables["schedule_tasks"]["finish_date"].iloc[-1] == dt.date(2026, 3, 6)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("junk.csv", bytes(range(256)) * 4, r"^junk\.csv: binary data, not a text export$"),
        ("other.csv", b"Name,Amount\nx,1\n", r"^other\.csv: header matches no known format \(found: Name, Amount\)"),
        ("empty.csv", b"", r"^empty\.csv: the file is empty$"),
        ("note.xml", b"<?xml version='1.0'?><Notes/>", r"^note\.xml: an XML file that is not MS Project XML"),
        ("fake.xlsx", b"PK\x03\x04 truncated", r"^fake\.xlsx: not a readable Excel workbook"),
    ],
)
def test_unreadable_files_name_the_file_and_the_problem(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceFormatError, match=message):
        parse(path)


def test_a_jira_export_without_the_issue_id_column_leaves_the_id_to_staging(tmp_path):
    """A "current fields" export has no Issue id: the row keeps the key and no id (staging gives it the id its key
    has in any snapshot). Filling the key in as the id made two items of every issue once the next export, with
    the column, came in (audit N6)."""
    current = tmp_path / "PAY.csv"
    current.write_text("Issue key,Summary,Issue Type,Status\r\nPAY-5,Pay,Story,Done\r\n", encoding="utf-8")
    full = tmp_path / "PAY-all.csv"
    full.write_text(
        "Issue key,Issue id,Summary,Issue Type,Status\r\nPAY-5,10005,Pay,Story,Done\r\nPAY-6, ,Pay,Story,Done\r\n",
        encoding="utf-8",
    )
    ids = [parse(path).tables["work_items"]["item_id"] for path in (current, full)]
    assert [[None if pd.isna(value) else value for value in column] for column in ids] == [[None], ["10005", None]]


def test_a_jira_issue_whose_category_cannot_be_told_is_quarantined_not_counted_as_open(tmp_path):
    """Without Status Category (a "current fields" export) the default workflow's statuses are their own
    categories; any other status, or an empty category cell beside it, would count the issue as not done,
    silently: the row is quarantined with the reason (audit N17)."""
    export = tmp_path / "PAY.csv"
    export.write_text(
        "Issue key,Summary,Issue Type,Status\r\nPAY-1,A,Story,Done\r\nPAY-2,B,Story,In Review\r\n"
        "PAY-3,C,Story,to do\r\n",
        encoding="utf-8",
    )
    batch = parse(export)
    assert dict(zip(batch.tables["work_items"]["item_key"], batch.tables["work_items"]["status_category"])) == {
        "PAY-1": "Done",
        "PAY-3": "To Do",
    }
    assert [(r.source_row, r.reason) for r in batch.rejects] == [
        (
            3,
            "row 3: Status Category: none given, and the status is not one of To Do, In Progress, Done (add the Status "
            "Category field to the export)",
        )
    ]
    with_column = tmp_path / "PAY-all.csv"
    with_column.write_text(
        "Issue key,Summary,Issue Type,Status,Status Category\r\nPAY-1,A,Story,Closed,Done\r\nPAY-2,B,Story,Closed,\r\n",
        encoding="utf-8",
    )
    batch = parse(with_column)
    assert list(batch.tables["work_items"]["item_key"]) == ["PAY-1"] and [r.source_row for r in batch.rejects] == [3]
    assert balanced(batch)


def test_an_azure_devops_item_without_a_state_is_quarantined_and_a_query_without_states_refused(tmp_path):
    board = tmp_path / "board.csv"
    board.write_text(
        "ID,Work Item Type,Title,State,Area Path\n1,User Story,A,Active,Portal\n2,User Story,B,,Portal\n",
        encoding="utf-8",
    )
    batch = parse(board)
    assert list(batch.tables["work_items"]["item_key"]) == ["1"]
    assert [(r.source_row, r.reason) for r in batch.rejects] == [
        (3, "row 3: State: required value is empty (no State Category either)")
    ]
    stateless = tmp_path / "stateless.csv"
    stateless.write_text("ID,Work Item Type,Title,Area Path\n1,User Story,A,Portal\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"^stateless\.csv: no State column: .*add State to the query"):
        parse(stateless)
