"""A Smartsheet Excel export: outline levels for the hierarchy, `% Complete` as a percent-formatted fraction,
locale date formats."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from pipelines.synthetic.exports.rows import Task


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
