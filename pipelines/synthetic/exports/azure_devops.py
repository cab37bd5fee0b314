"""An Azure Boards query exported as CSV: US dates, only some values quoted on older servers, `Name <email>`
people."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from pipelines.synthetic.exports.rows import WorkItem


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
