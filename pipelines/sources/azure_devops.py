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

from pipelines.sources.columns import DateDialect, parse_numbers, parse_tool_datetimes
from pipelines.sources.common import LoadBatch, SourceFormatError, add_problem, no_problems, require, split_rows
from pipelines.sources.delimited import RawTable, normalise_header

FILE_FORMAT = "azure_devops_csv"
SIZE_COLUMNS = ("Story Points", "Effort", "Size")
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
# Azure DevOps writes numeric dates itself, in the user's locale, US by default (`4/15/2026 11:59:43 PM`): the shared
# reader reads them, and a column whose dates are all ambiguous (`4/5/2026`) reads month-day-year, as the tool
# wrote it, unless another date column of the file or `azure_devops.date_order` says otherwise.
DATES = DateDialect(own_formats=DATETIME_FORMATS, own_order="mdy")
# Azure Boards' state categories (Microsoft's "workflow states and state categories"). A state is classified by
# its category, as the boards and Analytics do: the built-in states of the four processes below, a custom state by
# `azure_devops.state_categories` (which wins), and an export's `State Category` column over both. A state in none
# of them gets no category: its items load and count as not done, and the quality gate warns (DESIGN §5).
STATE_CATEGORY_NAMES = ("Proposed", "In Progress", "Resolved", "Completed", "Removed")
STATE_CATEGORIES = {
    # Basic
    "to do": "Proposed",
    "doing": "In Progress",
    "done": "Completed",
    # Agile
    "new": "Proposed",
    "active": "In Progress",
    "resolved": "Resolved",
    "closed": "Completed",
    "removed": "Removed",
    # Scrum (New, Done and Removed as above; Feature, Epic and Task go through In Progress)
    "approved": "Proposed",
    "committed": "In Progress",
    "in progress": "In Progress",
    # CMMI (Active, Resolved and Closed as above)
    "proposed": "Proposed",
    # a category's own name used as a state (teams that name a custom state after its category)
    "completed": "Completed",
}
# Category -> the Jira-style status category staging reads for both tools (`Removed` is out of scope); Resolved is
# Done while `azure_devops.resolved_counts_as_done`, else In Progress.
CANONICAL_CATEGORIES = {
    "Proposed": "To Do",
    "In Progress": "In Progress",
    "Resolved": "Done",
    "Completed": "Done",
    "Removed": "Removed",
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


def _state_categories(table: RawTable, state: pd.Series | None, configured: Mapping[str, str] | None) -> pd.Series:
    """Each row's Azure Boards state category, or NaN for a state in neither map. The names match without case;
    the config's map wins over the built-in states, and a `State Category` column of the export (Analytics writes
    `InProgress`) over both where it holds one of the five categories."""
    known = {**STATE_CATEGORIES, **{name.strip().lower(): value for name, value in (configured or {}).items()}}
    if state is None:
        categories = pd.Series(np.nan, index=table.frame.index, dtype="object")
    else:
        categories = state.str.lower().map(known)
    column = table.column("State Category")
    if column is not None:
        spelled = {name.lower().replace(" ", ""): name for name in STATE_CATEGORY_NAMES}
        exported = column.str.lower().str.replace(" ", "", regex=False).map(spelled)
        categories = exported.where(exported.notna(), categories)
    return categories


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
    category = _state_categories(table, state, state_categories)
    canonical = {**CANONICAL_CATEGORIES, "Resolved": "Done" if resolved_counts_as_done else "In Progress"}
    frame["status_category"] = category.map(canonical)
    # An item with neither a State nor a State Category would count as not done with nothing to name in a data gap
    # (an unmapped state is named: int_work_item_state_gaps); a query that left both columns out is refused.
    if state is None and table.column("State Category") is None:
        raise SourceFormatError(
            f"{display_name}: no State column: without it steerpack cannot tell done work items from open ones "
            "(add State to the query's columns)"
        )
    stateless = (state.isna() | (state.str.strip() == "")) if state is not None else pd.Series(True, index=frame.index)
    unknowable = stateless & frame["status_category"].isna()
    problems = problems.where(~unknowable, problems + "State: required value is empty (no State Category either); ")
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

    date_columns = [
        ("created_at", ("Created Date",)),
        ("closed_at", ("Closed Date",)),
        ("resolved_date", ("Resolved Date",)),
        ("due", ("Target Date", "Due Date")),
    ]
    dates = parse_tool_datetimes(
        {names[0]: table.column(*names) for _, names in date_columns},
        DATES,
        date_order,
        "azure_devops.date_order",
        display_name,
    )
    for target, names in date_columns:
        frame[target] = dates.values(names[0], frame.index)
    problems = dates.add_problems(problems, "is not a date")
    batch.notes.extend(dates.notes)
    frame["due_date"] = frame.pop("due").dt.normalize()
    # The finish date by category: a Resolved item's is its Resolved Date (its Closed Date is still empty), any
    # other's its Closed Date; each falls back to the other when empty.
    closed, resolved = frame.pop("closed_at"), frame.pop("resolved_date")
    frame["resolved_at"] = closed.fillna(resolved).where(category != "Resolved", resolved.fillna(closed))
    split_rows(batch, table, frame, problems, "work_items")
    return batch
