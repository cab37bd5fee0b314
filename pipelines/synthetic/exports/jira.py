"""A Jira "Export Excel CSV (all fields)" file: BOM, repeated Labels and Sprint columns, multi-line cells,
`15/Apr/26 11:59 PM` dates, and Jira Server's `Key` header with trailing spaces in keys."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from pipelines.synthetic.exports.rows import WorkItem


def jira_datetime(value: dt.datetime | None) -> str:
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
                jira_datetime(item.created),
                jira_datetime(item.resolved or item.created),
                jira_datetime(item.resolved),
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


def _key_number(key: str, fallback: int) -> int:
    number = key.strip().rsplit("-", 1)[-1]
    return int(number) if number.isdigit() else fallback
