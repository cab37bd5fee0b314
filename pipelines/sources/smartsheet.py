"""Smartsheet sheets exported to Excel (Smartsheet has no CSV export of a project sheet).

The hierarchy is the Excel outline: an indented row is grouped under the row above it, so a row followed by a
deeper row is a summary. A row whose Duration is zero is a milestone. `% Complete` is a fraction in a cell
formatted as a percentage; dates are date cells shown in the user's locale format.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines.sources.columns import is_empty, to_date, to_text
from pipelines.sources.common import LoadBatch, Reject, SourceFormatError
from pipelines.sources.schema import parser_columns
from pipelines.sources.xlsx import SheetReading, WorkbookLimits, iter_sheet, open_workbook

FILE_FORMAT = "smartsheet_xlsx"
COLUMNS = {
    "task_name": ("task name",),
    "start_date": ("start", "start date"),
    "finish_date": ("finish", "end date", "finish date"),
    "duration": ("duration",),
    "percent_complete": ("% complete", "percent complete"),
    "status": ("status",),
    "assignee": ("assigned to",),
    "baseline_start": ("baseline start",),
    "baseline_finish": ("baseline finish",),
    "baseline_cost": ("baseline cost", "budget"),
    "actual_finish": ("actual finish", "actual end date"),
}
_DURATION = re.compile(r"^\s*~?\s*(\d+(?:[.,]\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def _key(header: Any) -> str:
    return " ".join(str(header or "").split()).lower()


def matches_header(header: list[Any]) -> bool:
    names = {_key(h) for h in header}
    return "task name" in names and bool(names & {"finish", "end date", "finish date"}) and "start" in names


def _duration_days(value: Any) -> float | None:
    """`5d`, `2w`, `0`, `4h`, `~3d` -> days (a working week is 5 days, a day 8 hours)."""
    if is_empty(value):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"Duration {value!r} is not a duration")
    amount = float(match.group(1).replace(",", "."))
    unit = match.group(2).lower()[:1] or "d"
    factor = {"d": 1.0, "w": 5.0, "h": 1 / 8, "m": 1 / 480}.get(unit)
    if factor is None:
        raise ValueError(f"Duration {value!r} has an unknown unit")
    return amount * factor


def _percent(cell) -> float | None:
    """0-100. A percent-formatted cell holds a fraction; `50%` typed as text is 50; a bare number ≤ 1 is a fraction."""
    value = cell.value
    if is_empty(value):
        return None
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip()
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(f"% Complete {value!r} is not a percentage") from None
        return number if value.strip().endswith("%") or number > 1 else number * 100
    number = float(value)
    if "%" in (cell.number_format or "") or number <= 1:
        return number * 100
    return number


def _date(value: Any, column: str) -> dt.date | None:
    try:
        return to_date(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date cell") from None


def _cell(cells: list, columns: dict[str, int | None], target: str):
    """The row's cell for `target`, None when the sheet lacks that column or the row is short."""
    position = columns[target]
    return cells[position] if position is not None and position < len(cells) else None


def _cell_value(cells: list, columns: dict[str, int | None], target: str):
    found = _cell(cells, columns, target)
    return None if found is None else found.value


def parse_smartsheet(path: Path, display_name: str, limits: WorkbookLimits = WorkbookLimits()) -> LoadBatch:
    """Canonical `schedule_tasks` rows; plan_key is the file's stem, task_uid the sheet row number."""
    batch = LoadBatch(source_file=display_name, file_format=FILE_FORMAT, source="smartsheet")
    # Streamed: the outline levels come with each row, so read-only mode loses nothing (see pipelines.sources.xlsx).
    workbook = open_workbook(path, display_name, limits)
    try:
        # The first sheet a person sees: a hidden sheet is never preferred over it (DESIGN §4a). Hidden rows are
        # read: Smartsheet exports the children of a collapsed row as hidden rows, and they are tasks.
        visible = [sheet for sheet in workbook.worksheets if getattr(sheet, "sheet_state", "visible") == "visible"]
        if not visible:
            raise SourceFormatError(f"{display_name}: every sheet is hidden; unhide the plan's sheet in Excel")
        skipped = [repr(sheet.title) for sheet in workbook.worksheets[: workbook.worksheets.index(visible[0])]]
        if skipped:
            batch.notes.append(f"hidden sheet{'s' if len(skipped) > 1 else ''} {', '.join(skipped)} not read")
        reading = SheetReading()
        rows = list(iter_sheet(visible[0], display_name, limits, cells=True, reading=reading))
        sheet_title = visible[0].title
    finally:
        workbook.close()
    if not rows or not matches_header([getattr(c, "value", None) for c in rows[0].cells]):
        raise SourceFormatError(
            f"{display_name}: first visible sheet has no Smartsheet header (expected Task Name, Start, Finish or "
            "End Date)"
        )
    note = reading.note(sheet_title, limits)
    if note:
        batch.notes.append(note)
    position = {_key(c.value): i for i, c in enumerate(rows[0].cells) if c is not None and _key(c.value)}
    columns = {
        target: next((position[a] for a in aliases if a in position), None) for target, aliases in COLUMNS.items()
    }

    body = [(row.number, row.cells) for row in rows[1:]]
    levels = [row.outline_level for row in rows[1:]]
    records = []
    for index, (number, cells) in enumerate(body):
        cell = functools.partial(_cell, cells, columns)
        value = functools.partial(_cell_value, cells, columns)
        raw = {target: value(target) for target in COLUMNS if columns[target] is not None}
        try:
            duration = _duration_days(value("duration"))
            record = {
                "source_row": number,
                "plan_key": path.stem,
                "task_uid": str(number),
                "task_name": to_text(value("task_name")),
                "outline_level": levels[index] + 1,
                "is_summary": index + 1 < len(body) and levels[index + 1] > levels[index],
                "is_milestone": duration == 0,
                "start_date": _date(value("start_date"), "Start"),
                "finish_date": _date(value("finish_date"), "Finish"),
                "baseline_start": _date(value("baseline_start"), "Baseline Start"),
                "baseline_finish": _date(value("baseline_finish"), "Baseline Finish"),
                "baseline_cost": _number(value("baseline_cost"), "Baseline Cost"),
                "percent_complete": _percent(cell("percent_complete")) if cell("percent_complete") else None,
                "cost": None,
                "actual_cost": None,
                "actual_finish": _date(value("actual_finish"), "Actual Finish"),
            }
            if record["task_name"] is None:
                raise ValueError("Task Name: required value is empty")
            if record["percent_complete"] is not None and not 0 <= record["percent_complete"] <= 100:
                raise ValueError(f"% Complete {record['percent_complete']:g} % is outside 0-100 %")
        except ValueError as error:
            batch.rejects.append(Reject("schedule_tasks", number, f"row {number}: {error}", raw, path.stem))
            continue
        if record["is_milestone"] and record["percent_complete"] == 100 and record["actual_finish"] is None:
            record["actual_finish"] = record["finish_date"]  # a finished milestone finished on its Finish
        records.append(record)
    batch.rows_read["schedule_tasks"] = len(body)
    batch.tables["schedule_tasks"] = pd.DataFrame.from_records(records, columns=parser_columns("schedule_tasks"))
    return batch


def _number(value: Any, column: str) -> float | None:
    if is_empty(value):
        return None
    try:
        number = float(value) if isinstance(value, (int, float)) else float(str(value).replace(",", "").strip())
    except (ValueError, OverflowError):
        raise ValueError(f"{column} {value!r} is not a number") from None
    if not math.isfinite(number):  # `inf`, `NaN` typed as text, `1e999`
        raise ValueError(f"{column} {value!r} is not a finite number")
    return number
