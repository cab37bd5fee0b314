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


def write_jira_csv(
    path: Path,
    project_key: str,
    items: list[WorkItem],
    server_layout: bool = False,
    points_field: str = "Custom field (Story Points)",
    first_issue_id: int = 10_000,
) -> Path:
    """An "Export Excel CSV (all fields)" file; `server_layout` writes old Jira Server's `Key` header and padded
    keys. An issue's `Issue id` is `first_issue_id` plus its key's number: stable from one export to the next, and
    one Jira site gives each of its projects ids of their own (`first_issue_id` apart), as Jira numbers issues
    across the whole site."""
    label_columns = max([len(i.labels) for i in items] + [1])
    sprint_columns = max([len(i.sprints) for i in items] + [1])
    header = [
        "Summary",
        "Key" if server_layout else "Issue key",
        "Issue id",
        "Issue Type",
        "Status",
        "Project key",
        "Project name",
        "Priority",
        "Resolution",
        "Assignee",
        "Reporter",
        "Created",
        "Updated",
        "Resolved",
        "Due date",
        *["Labels"] * label_columns,
        "Description",
        *["Sprint"] * sprint_columns,
        "Custom field (Team)",
        "Custom field (Team)",
        points_field,
        "Custom field (Epic Link)",
        "Status Category",
        "Parent",
    ]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for number, item in enumerate(items, start=1):
        key = f"{item.key}  " if server_layout and number % 7 == 0 else item.key
        labels = list(item.labels) + [""] * (label_columns - len(item.labels))
        sprints = list(item.sprints) + [""] * (sprint_columns - len(item.sprints))
        description = f'As a user I want {item.summary.lower()}.\n\nAcceptance criteria:\n- works "end to end"'
        writer.writerow(
            [
                item.summary,
                key,
                first_issue_id + _key_number(item.key, number),
                item.item_type,
                item.status,
                project_key,
                f"{project_key} project",
                "Medium",
                item.resolution or "",
                item.assignee,
                "PMO Bot",
                _jira_datetime(item.created),
                _jira_datetime(item.resolved or item.created),
                _jira_datetime(item.resolved),
                "",
                *labels,
                description,
                *sprints,
                "Core",
                "",
                "" if item.points is None else f"{item.points:g}",
                "",
                item.status_category,
                item.parent,
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


# --- Azure DevOps ----------------------------------------------------------------------------------------------


def _ado_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.month}/{value.day}/{value.year} {value.strftime('%I:%M:%S %p').lstrip('0')}"


def write_azure_devops_csv(
    path: Path, items: list[WorkItem], size_column: str = "Story Points", quote_all: bool = True
) -> Path:
    """A query's results as CSV; newer Azure DevOps quotes every value, older servers only where needed."""
    header = [
        "ID",
        "Work Item Type",
        "Title",
        "Assigned To",
        "State",
        "Area Path",
        "Iteration Path",
        size_column,
        "Created Date",
        "Closed Date",
        "Tags",
    ]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for item in items:
        person = item.assignee
        email = person.lower().replace(" ", ".") + "@contoso.com"
        writer.writerow(
            [
                item.key,
                item.item_type,
                item.summary,
                f"{person} <{email}>" if person else "",
                item.status,
                item.area_path,
                item.sprints[-1] if item.sprints else "",
                "" if item.points is None else f"{item.points:g}",
                _ado_datetime(item.created),
                _ado_datetime(item.resolved),
                "; ".join(item.labels),
            ]
        )
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
    parts.append(
        f"{pad}<SaveVersion>14</SaveVersion><Name>{escape(title)}.xml</Name>"
        f"<Title>{escape(title)}</Title><CurrencyDigits>2</CurrencyDigits>"
    )
    parts.append(f"{pad}<Tasks>")
    for task in tasks:
        fields = [
            ("UID", task.uid),
            ("ID", task.uid),
            ("Name", escape(task.name)),
            ("OutlineLevel", task.level),
            ("Summary", int(task.is_summary)),
            ("Milestone", int(task.is_milestone)),
            ("Start", _mspdi_datetime(task.start, 8)),
            ("Finish", _mspdi_datetime(task.finish, 17)),
            ("PercentComplete", round(task.percent_complete)),
            ("Cost", round(task.cost * 100)),
            ("ActualCost", round(task.actual_cost * 100)),
        ]
        if task.actual_finish:
            fields.append(("ActualFinish", _mspdi_datetime(task.actual_finish, 17)))
        body = "".join(f"<{name}>{value}</{name}>" for name, value in fields)
        baselines = ""
        if task.uid != 0:
            cost = "" if task.baseline_cost is None else f"<Cost>{round(task.baseline_cost * 100)}</Cost>"
            baselines = (
                f"<Baseline><Number>0</Number><Start>{_mspdi_datetime(task.baseline_start, 8)}</Start>"
                f"<Finish>{_mspdi_datetime(task.baseline_finish, 17)}</Finish>{cost}</Baseline>"
                f"<Baseline><Number>1</Number><Start>{_mspdi_datetime(task.baseline_start, 8)}</Start>"
                f"<Finish>{_mspdi_datetime(task.baseline_finish + dt.timedelta(days=30), 17)}</Finish>"
                f"<Cost>99999999</Cost></Baseline>"
            )
        parts.append(f"{pad}{pad}<Task>{body}{baselines}</Task>")
    parts.append(f"{pad}</Tasks>")
    parts.append("</Project>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(newline.join(parts) + newline, encoding="utf-8")
    return path


# --- Smartsheet ------------------------------------------------------------------------------------------------


def write_smartsheet_xlsx(
    path: Path,
    sheet_name: str,
    tasks: list[Task],
    date_format: str = "mm/dd/yy",
    end_header: str = "Finish",
    with_cost: bool = False,
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", "-", sheet_name)[:31]  # characters Excel forbids in sheet names
    header = [
        "Task Name",
        "Start",
        end_header,
        "Duration",
        "% Complete",
        "Status",
        "Assigned To",
        "Baseline Start",
        "Baseline Finish",
    ] + (["Baseline Cost"] if with_cost else [])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for task in tasks:
        if task.uid == 0:
            continue  # Smartsheet has no project summary row
        duration = "0" if task.is_milestone else f"{(task.finish - task.start).days + 1}d"
        status = (
            "Complete" if task.percent_complete >= 100 else ("In Progress" if task.percent_complete else "Not Started")
        )
        row = [
            task.name,
            task.start,
            task.finish,
            duration,
            task.percent_complete / 100,
            status,
            "",
            task.baseline_start,
            task.baseline_finish,
        ] + ([task.baseline_cost] if with_cost else [])
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


# --- finance ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendLine:
    document_id: str
    line_no: int
    posting_date: dt.date
    project_code: str
    amount: float
    currency: str
    supplier: str
    description: str
    cost_type: str


def write_generic_spend_csv(path: Path, lines: list[SpendLine]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "document_id",
            "line_no",
            "posting_date",
            "project_code",
            "amount",
            "currency",
            "supplier",
            "description",
            "cost_type",
        ]
    )
    for line in lines:
        writer.writerow(
            [
                line.document_id,
                line.line_no,
                line.posting_date.isoformat(),
                line.project_code,
                f"{line.amount:.2f}",
                line.currency,
                line.supplier,
                line.description,
                line.cost_type,
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _sap_number(amount: float) -> str:
    """SAP's German-locale list output: `1.234,56`, negatives with a trailing minus `1.234,56-`."""
    text = f"{abs(amount):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return text + ("-" if amount < 0 else "")


def write_sap_cji3_csv(path: Path, lines: list[SpendLine]) -> Path:
    """A CJI3 line-item list saved as a spreadsheet: `;`-separated, decimal commas, dd.mm.yyyy, Latin-1 safe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "WBS Element",
            "Posting Date",
            "Document Number",
            "Posting row",
            "Cost Element",
            "Value TranCurr",
            "Transaction Currency",
            "Name",
            "Name of offsetting account",
        ]
    )
    for line in lines:
        writer.writerow(
            [
                line.project_code,
                line.posting_date.strftime("%d.%m.%Y"),
                line.document_id,
                line.line_no,
                line.cost_type,
                _sap_number(line.amount),
                line.currency,
                line.supplier,
                line.description,
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_fx_rates_csv(path: Path, rates: list[tuple[dt.date, str, float]]) -> Path:
    lines = ["month,currency,rate_to_base"] + [f"{m:%Y-%m},{c},{r:.4f}" for m, c, r in rates]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- incidents -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incident:
    number: str
    title: str
    priority: int  # 1-5
    opened: dt.datetime
    resolved: dt.datetime | None
    service: str
    state: str


SERVICENOW_PRIORITY = {1: "1 - Critical", 2: "2 - High", 3: "3 - Moderate", 4: "4 - Low", 5: "5 - Planning"}


def write_servicenow_csv(path: Path, incidents: list[Incident], duplicate_every: int = 0) -> Path:
    """An incident list export; `duplicate_every` repeats some rows, as overlapping list views do."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "number",
            "short_description",
            "opened_at",
            "resolved_at",
            "closed_at",
            "priority",
            "state",
            "cmdb_ci",
            "business_service",
            "assignment_group",
            "caused_by",
        ]
    )
    fmt = "%Y-%m-%d %H:%M:%S"
    for index, incident in enumerate(incidents, start=1):
        closed = incident.resolved + dt.timedelta(days=3) if incident.resolved else None
        row = [
            incident.number,
            incident.title,
            incident.opened.strftime(fmt),
            incident.resolved.strftime(fmt) if incident.resolved else "",
            closed.strftime(fmt) if closed else "",
            SERVICENOW_PRIORITY[incident.priority],
            incident.state,
            "",
            incident.service,
            "Service Desk",
            "",
        ]
        writer.writerow(row)
        if duplicate_every and index % duplicate_every == 0:
            writer.writerow(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_pagerduty_csv(path: Path, incidents: list[Incident]) -> Path:
    """The REST API's incident fields flattened; this account has no priorities, so urgency carries them."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "incident_number",
            "title",
            "status",
            "urgency",
            "priority",
            "service",
            "created_at",
            "last_status_change_at",
        ]
    )
    for number, incident in enumerate(incidents, start=1):
        last_change = incident.resolved or incident.opened + dt.timedelta(minutes=7)
        writer.writerow(
            [
                f"P{incident.number}",
                number,
                incident.title,
                "resolved" if incident.resolved else "acknowledged",
                "high" if incident.priority <= 2 else "low",
                "",
                incident.service,
                incident.opened.strftime("%Y-%m-%dT%H:%M:%SZ"),
                last_change.strftime("%Y-%m-%dT%H:%M:%SZ"),
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _key_number(key: str, fallback: int) -> int:
    number = key.strip().rsplit("-", 1)[-1]
    return int(number) if number.isdigit() else fallback


JIRA_PRIORITY_NAMES = {1: "Highest", 2: "High", 3: "Medium", 4: "Low", 5: "Lowest"}


def write_jsm_csv(path: Path, project_key: str, incidents: list[Incident]) -> Path:
    """A Jira Service Management export: Jira's CSV, issue type Incident, the service in Affected services."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "Summary",
            "Issue key",
            "Issue id",
            "Issue Type",
            "Status",
            "Project key",
            "Priority",
            "Created",
            "Resolved",
            "Custom field (Affected services)",
            "Status Category",
        ]
    )
    for number, incident in enumerate(incidents, start=1):
        writer.writerow(
            [
                incident.title,
                f"{project_key}-{incident.number}",
                20000 + number,
                "Incident",
                "Resolved" if incident.resolved else "In Progress",
                project_key,
                JIRA_PRIORITY_NAMES[incident.priority],
                _jira_datetime(incident.opened),
                _jira_datetime(incident.resolved),
                incident.service,
                "Done" if incident.resolved else "In Progress",
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path
