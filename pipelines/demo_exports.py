"""Writers that produce files the way the PM tools export them, quirks included, for the demo and the benchmark.

Each writer takes plain rows and writes one export: a Jira "all fields" CSV (BOM, repeated Labels and Sprint
columns, multi-line cells, `15/Apr/26 11:59 PM` dates, Server's `Key` header with trailing spaces in keys), an
Azure Boards query CSV (US dates, only some values quoted, `Name <email>` people), MS Project XML (costs in
hundredths, baselines 0 and 1, with or without declaration and indentation) and a Smartsheet Excel export
(outline levels for the hierarchy, `% Complete` as a percent-formatted fraction, locale date formats).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Font


@dataclass(frozen=True)
class Task:
    uid: int
    name: str
    level: int
    is_summary: bool
    is_milestone: bool
    start: dt.date
    finish: dt.date
    baseline_start: dt.date
    baseline_finish: dt.date
    baseline_cost: float | None
    percent_complete: float  # 0-100
    actual_finish: dt.date | None
    cost: float = 0.0
    actual_cost: float = 0.0


@dataclass(frozen=True)
class WorkItem:
    key: str
    item_type: str
    summary: str
    status: str
    status_category: str  # To Do / In Progress / Done
    resolution: str | None
    points: float | None
    created: dt.datetime
    resolved: dt.datetime | None
    assignee: str
    labels: tuple[str, ...]
    sprints: tuple[str, ...]
    area_path: str = ""
    parent: str = ""


# --- Jira ----------------------------------------------------------------------------------------------------

def _jira_datetime(value: dt.datetime | None) -> str:
    # Jira's default export format: day/English month abbreviation/two-digit year, 12-hour clock
    return value.strftime("%d/%b/%y %I:%M %p").replace(" 0", " ") if value else ""


def write_jira_csv(path: Path, project_key: str, items: list[WorkItem], server_layout: bool = False,
                   points_field: str = "Custom field (Story Points)") -> Path:
    """An "Export Excel CSV (all fields)" file; `server_layout` writes old Jira Server's `Key` header and padded keys."""
    label_columns = max([len(i.labels) for i in items] + [1])
    sprint_columns = max([len(i.sprints) for i in items] + [1])
    header = ["Summary", "Key" if server_layout else "Issue key", "Issue id", "Issue Type", "Status",
              "Project key", "Project name", "Priority", "Resolution", "Assignee", "Reporter", "Created",
              "Updated", "Resolved", "Due date", *["Labels"] * label_columns, "Description",
              *["Sprint"] * sprint_columns, "Custom field (Team)", "Custom field (Team)", points_field,
              "Custom field (Epic Link)", "Status Category", "Parent"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for number, item in enumerate(items, start=1):
        key = f"{item.key}  " if server_layout and number % 7 == 0 else item.key
        labels = list(item.labels) + [""] * (label_columns - len(item.labels))
        sprints = list(item.sprints) + [""] * (sprint_columns - len(item.sprints))
        description = f"As a user I want {item.summary.lower()}.\n\nAcceptance criteria:\n- works \"end to end\""
        writer.writerow([
            item.summary, key, 10000 + number, item.item_type, item.status, project_key, f"{project_key} project",
            "Medium", item.resolution or "", item.assignee, "PMO Bot", _jira_datetime(item.created),
            _jira_datetime(item.resolved or item.created), _jira_datetime(item.resolved), "", *labels, description,
            *sprints, "Core", "", "" if item.points is None else f"{item.points:g}", "", item.status_category,
            item.parent,
        ])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


# --- Azure DevOps ----------------------------------------------------------------------------------------------

def _ado_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.month}/{value.day}/{value.year} {value.strftime('%I:%M:%S %p').lstrip('0')}"


def write_azure_devops_csv(path: Path, items: list[WorkItem], size_column: str = "Story Points",
                           quote_all: bool = True) -> Path:
    """A query's results as CSV; newer Azure DevOps quotes every value, older servers only where needed."""
    header = ["ID", "Work Item Type", "Title", "Assigned To", "State", "Area Path", "Iteration Path", size_column,
              "Created Date", "Closed Date", "Tags"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for item in items:
        person = item.assignee
        email = person.lower().replace(" ", ".") + "@contoso.com"
        writer.writerow([item.key, item.item_type, item.summary, f"{person} <{email}>" if person else "",
                         item.status, item.area_path, item.sprints[-1] if item.sprints else "",
                         "" if item.points is None else f"{item.points:g}", _ado_datetime(item.created),
                         _ado_datetime(item.resolved), "; ".join(item.labels)])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


# --- MS Project XML ------------------------------------------------------------------------------------------

def _mspdi_datetime(value: dt.date, hour: int) -> str:
    return f"{value.isoformat()}T{hour:02d}:00:00"


def write_mspdi(path: Path, title: str, tasks: list[Task], indent: bool = True, declaration: bool = True) -> Path:
    """MSPDI as Project saves it: money in hundredths, baseline 0 (the plan) and baseline 1 (an old re-plan)."""
    newline, pad = ("\n", "\t") if indent else ("", "")
    parts = []
    if declaration:
        parts.append('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    parts.append('<Project xmlns="http://schemas.microsoft.com/project">')
    parts.append(f"{pad}<SaveVersion>14</SaveVersion><Name>{escape(title)}.xml</Name>"
                 f"<Title>{escape(title)}</Title><CurrencyDigits>2</CurrencyDigits>")
    parts.append(f"{pad}<Tasks>")
    for task in tasks:
        fields = [
            ("UID", task.uid), ("ID", task.uid), ("Name", escape(task.name)), ("OutlineLevel", task.level),
            ("Summary", int(task.is_summary)), ("Milestone", int(task.is_milestone)),
            ("Start", _mspdi_datetime(task.start, 8)), ("Finish", _mspdi_datetime(task.finish, 17)),
            ("PercentComplete", round(task.percent_complete)),
            ("Cost", round(task.cost * 100)), ("ActualCost", round(task.actual_cost * 100)),
        ]
        if task.actual_finish:
            fields.append(("ActualFinish", _mspdi_datetime(task.actual_finish, 17)))
        body = "".join(f"<{name}>{value}</{name}>" for name, value in fields)
        baselines = ""
        if task.uid != 0:
            cost = "" if task.baseline_cost is None else f"<Cost>{round(task.baseline_cost * 100)}</Cost>"
            baselines = (f"<Baseline><Number>0</Number><Start>{_mspdi_datetime(task.baseline_start, 8)}</Start>"
                         f"<Finish>{_mspdi_datetime(task.baseline_finish, 17)}</Finish>{cost}</Baseline>"
                         f"<Baseline><Number>1</Number><Start>{_mspdi_datetime(task.baseline_start, 8)}</Start>"
                         f"<Finish>{_mspdi_datetime(task.baseline_finish + dt.timedelta(days=30), 17)}</Finish>"
                         f"<Cost>99999999</Cost></Baseline>")
        parts.append(f"{pad}{pad}<Task>{body}{baselines}</Task>")
    parts.append(f"{pad}</Tasks>")
    parts.append("</Project>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(newline.join(parts) + newline, encoding="utf-8")
    return path


# --- Smartsheet ------------------------------------------------------------------------------------------------

def write_smartsheet_xlsx(path: Path, sheet_name: str, tasks: list[Task], date_format: str = "mm/dd/yy",
                          end_header: str = "Finish", with_cost: bool = False) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", "-", sheet_name)[:31]  # characters Excel forbids in sheet names
    header = ["Task Name", "Start", end_header, "Duration", "% Complete", "Status", "Assigned To",
              "Baseline Start", "Baseline Finish"] + (["Baseline Cost"] if with_cost else [])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for task in tasks:
        if task.uid == 0:
            continue  # Smartsheet has no project summary row
        duration = "0" if task.is_milestone else f"{(task.finish - task.start).days + 1}d"
        status = "Complete" if task.percent_complete >= 100 else ("In Progress" if task.percent_complete else
                                                                  "Not Started")
        row = [task.name, task.start, task.finish, duration, task.percent_complete / 100, status, "",
               task.baseline_start, task.baseline_finish] + ([task.baseline_cost] if with_cost else [])
        sheet.append(row)
        number = sheet.max_row
        # The hierarchy: Smartsheet writes indentation as Excel outline levels
        sheet.row_dimensions[number].outline_level = task.level - 1
        for column in (2, 3, 8, 9):
            sheet.cell(number, column).number_format = date_format
        sheet.cell(number, 5).number_format = "0%"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
