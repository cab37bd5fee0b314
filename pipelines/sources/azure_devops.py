"""Azure Boards query results exported to CSV.

Columns are the query's, by display name (`ID, Work Item Type, Title, Assigned To, State, Tags` by default;
`Title 1..N` in tree queries). Values may all be quoted or only some; dates follow the user's locale (US by
default: `4/15/2026 11:59:43 PM`); people come as `Name <email>`. Size lives in `Story Points` (Agile),
`Effort` (Scrum) or `Size` (CMMI), whichever the process has.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pipelines.sources.common import LoadBatch
from pipelines.sources.tabular import (
    RawTable,
    add_problem,
    no_problems,
    normalise_header,
    parse_datetimes,
    parse_numbers,
    require,
    split_rows,
)

FILE_FORMAT = "azure_devops_csv"
SIZE_COLUMNS = ("Story Points", "Effort", "Size")
DATETIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
)
# State -> Jira-style status category, so staging treats both tools alike. `Removed` is out of scope.
STATE_CATEGORIES = {
    "new": "To Do",
    "proposed": "To Do",
    "to do": "To Do",
    "approved": "To Do",
    "active": "In Progress",
    "committed": "In Progress",
    "in progress": "In Progress",
    "doing": "In Progress",
    "resolved": "Done",
    "closed": "Done",
    "done": "Done",
    "completed": "Done",
    "removed": "Removed",
}


def matches(header: list[str]) -> bool:
    names = {normalise_header(h) for h in header}
    has_title = "title" in names or any(n.startswith("title ") for n in names)
    return "id" in names and "work item type" in names and has_title


def _title(table: RawTable) -> pd.Series:
    """The title, or in a tree query the deepest non-empty `Title N` column."""
    title = table.column("Title")
    if title is not None:
        return title
    levels = sorted(
        (h for h in table.header if normalise_header(h).startswith("title ")),
        key=lambda h: int(h.split()[-1]) if h.split()[-1].isdigit() else 0,
    )
    result = pd.Series("", index=table.frame.index, dtype="str")
    for name in levels:
        column = table.column(name)
        result = result.where(column == "", column)
    return result


def parse_azure_devops(
    table: RawTable,
    display_name: str,
    date_order: str | None = None,
    state_categories: Mapping[str, str] | None = None,
    resolved_counts_as_done: bool = True,
) -> LoadBatch:
    batch = LoadBatch(source_file=display_name, file_format=FILE_FORMAT, source="azure_devops")
    frame = pd.DataFrame(index=table.frame.index)
    frame["source_row"] = table.source_row
    problems = no_problems(table.frame.index)
    ids, bad_ids = parse_numbers(table.column("ID"))
    problems = add_problem(problems, bad_ids | (ids % 1 != 0), "ID", table.column("ID"), "is not a work item id")
    frame["item_key"] = ids.astype("Int64").astype("str").replace("<NA>", None)
    problems = require(problems, frame["item_key"], "ID")
    frame["item_id"] = frame["item_key"]  # an Azure DevOps ID never changes, whatever the area path
    area = table.column("Area Path")
    frame["area_path"] = area.replace("", None) if area is not None else None
    frame["plan_key"] = frame["area_path"]
    frame["item_type"] = table.column("Work Item Type").replace("", None)
    frame["summary"] = _title(table).replace("", None)
    state = table.column("State")
    frame["status"] = state.replace("", None) if state is not None else None
    frame["status_category"] = state.str.lower().map(STATE_CATEGORIES) if state is not None else None
    frame["resolution"] = np.where(frame["status_category"] == "Removed", "Removed", None)
    priority = table.column("Priority")
    frame["priority"] = priority.replace("", None) if priority is not None else None
    assignee = table.column("Assigned To")
    # `Jane Doe <jane@contoso.com>` -> `Jane Doe`
    frame["assignee"] = (
        assignee.str.replace(r"[ \t]*<[^>]*>[ \t]*$", "", regex=True).replace("", None)
        if assignee is not None
        else None
    )
    parent = table.column("Parent")
    frame["parent_key"] = parent.replace("", None) if parent is not None else None
    iteration = table.column("Iteration Path")
    frame["sprint"] = iteration.replace("", None) if iteration is not None else None
    tags = table.column("Tags")
    frame["labels"] = (
        tags.str.replace(r"[ \t]*;[ \t]*", ";", regex=True).replace("", None) if tags is not None else None
    )

    points = pd.Series(np.nan, index=frame.index)
    for name in SIZE_COLUMNS:
        column = table.column(name)
        if column is None:
            continue
        values, bad = parse_numbers(column)
        problems = add_problem(problems, bad, name, column, "is not a number")
        problems = add_problem(problems, values < 0, name, column, "is negative")
        points = points.fillna(values)
    frame["story_points"] = points

    for target, names in [
        ("created_at", ("Created Date",)),
        ("resolved_at", ("Closed Date", "Resolved Date")),
        ("due", ("Target Date", "Due Date")),
    ]:
        column = table.column(*names)
        if column is None:
            frame[target] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
            continue
        values, bad = parse_datetimes(column, DATETIME_FORMATS)
        frame[target] = values
        problems = add_problem(problems, bad, names[0], column, "is not a date")
    frame["due_date"] = frame.pop("due").dt.normalize()
    split_rows(batch, table, frame, problems, "work_items")
    return batch
