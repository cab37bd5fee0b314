"""The PMO's portfolio register workbook (`register/portfolio.xlsx`, DESIGN §3).

Sheets and headers are matched case- and space-insensitively; extra columns are ignored. A missing sheet or
column makes the whole file unreadable (SourceFormatError naming file, sheet and column); a row with a bad
value is rejected with the column and the reason, and the rest of the sheet loads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines.sources.common import LoadBatch, Reject, SourceFormatError, to_date, to_int, to_number, to_text
from pipelines.sources.xlsx import SheetReading, WorkbookLimits, iter_sheet, open_workbook

FILE_FORMAT = "portfolio_register_xlsx"

Converter = Callable[[Any], Any]


def _rag_word(value: Any) -> str | None:
    text = to_text(value)
    return text.capitalize() if text else None


def _lower(value: Any) -> str | None:
    text = to_text(value)
    return text.lower() if text else None


def _upper(value: Any) -> str | None:
    text = to_text(value)
    return text.upper() if text else None


_ADDRESS = re.compile(r"[^@\s,;<>\"()\[\]]+@[^@\s,;<>\"()\[\]]+\.[^@\s,;<>\"()\[\]]+")


def _one_address(value: Any) -> str | None:
    """A Distribution cell holds exactly one address (`pat@example.com` or `Pat <pat@example.com>`): a second
    one in the same cell would become a second recipient of a pack meant for the first."""
    text = to_text(value)
    if text is None:
        return None
    addresses = [address for _, address in getaddresses([text]) if address]
    if len(addresses) != 1:
        raise ValueError(f"{text!r} holds {len(addresses)} addresses; write one address per row")
    # `pat@example.com.` (the DNS root's dot) is the same mailbox as `pat@example.com`: compared as one, so a
    # second row cannot give it another scope.
    address = addresses[0][:-1] if addresses[0].endswith(".") else addresses[0]
    if not _ADDRESS.fullmatch(address) or ".." in address or address.split("@")[1].startswith("."):
        raise ValueError(f"{text!r} is not an e-mail address")
    return address


def _scope(value: Any) -> str | None:
    """`portfolio`, or project ids separated by `;` (repeats dropped): a scope naming nothing is an error, not a
    reader who silently receives nothing."""
    text = to_text(value)
    if text is None:
        return None
    if text.lower() == "portfolio":
        return "portfolio"
    project_ids = list(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))
    if not project_ids:
        raise ValueError(f"{text!r} names no project (write portfolio, or project ids separated by ;)")
    return ";".join(project_ids)


PLAN_SOURCES = ("ms_project", "smartsheet", "jira", "azure_devops")
RAID_TYPES = ("Risk", "Assumption", "Issue", "Dependency")


def _tier(value: Any) -> int | None:
    tier = to_int(value)
    if tier is not None and tier not in (1, 2, 3):
        raise ValueError(f"{value!r} is not a tier (1, 2 or 3)")
    return tier


def _plan_source(value: Any) -> str | None:
    source = _lower(value)
    if source is not None and source not in PLAN_SOURCES:
        raise ValueError(f"{value!r} is not a plan source ({', '.join(PLAN_SOURCES)})")
    return source


def _amount(value: Any) -> float | None:
    number = to_number(value)
    if number is not None and number < 0:
        raise ValueError(f"{value!r} is negative")
    return number


def _currency(value: Any) -> str | None:
    code = _upper(value)
    if code is not None and not re.fullmatch("[A-Z]{3}", code):
        raise ValueError(f"{value!r} is not an ISO currency code such as USD")
    return code


def _raid_type(value: Any) -> str | None:
    text = to_text(value)
    if text is None:
        return None
    for known in RAID_TYPES:
        if text.lower() == known.lower():
            return known
    raise ValueError(f"{value!r} is not a RAID type ({', '.join(RAID_TYPES)})")


# A row's values that only make sense together: (sheet, check on the converted record, reason).
ROW_RULES = {
    "Projects": [
        (
            lambda r: (
                r["baseline_start"] is None
                or r["baseline_finish"] is None
                or r["baseline_finish"] >= r["baseline_start"]
            ),
            "baseline_finish is before baseline_start",
        )
    ],
}


# sheet -> (canonical table, [(column, converter, required)])
SHEETS: dict[str, tuple[str, list[tuple[str, Converter, bool]]]] = {
    "Projects": (
        "projects",
        [
            ("project_id", to_text, True),
            ("project_name", to_text, True),
            ("tier", _tier, True),
            ("sponsor", to_text, False),
            ("project_manager", to_text, False),
            ("reported_status", _rag_word, False),
            ("phase", to_text, False),
            ("bac", _amount, True),
            ("currency", _currency, False),
            ("baseline_start", to_date, True),
            ("baseline_finish", to_date, True),
            ("go_live_planned", to_date, False),
            ("go_live_actual", to_date, False),
            ("plan_source", _plan_source, False),
            ("plan_key", to_text, False),
            ("finance_codes", to_text, False),
            ("services", to_text, False),
        ],
    ),
    "Milestones": (
        "milestones",
        [
            ("project_id", to_text, True),
            ("milestone", to_text, True),
            ("baseline_date", to_date, True),
            ("forecast_date", to_date, False),
            ("actual_date", to_date, False),
        ],
    ),
    "Benefits": (
        "benefits",
        [
            ("benefit_id", to_text, True),
            ("project_id", to_text, True),
            ("description", to_text, False),
            ("owner", to_text, False),
            ("metric", to_text, False),
            ("baseline_value", to_number, False),
            ("target_value", to_number, False),
            ("target_date", to_date, False),
            ("tracking_start", to_date, False),
        ],
    ),
    "RAID": (
        "raid",
        [
            ("raid_id", to_text, True),
            ("project_id", to_text, True),
            ("type", _raid_type, True),
            ("title", to_text, False),
            ("owner", to_text, False),
            ("severity", to_text, False),
            ("status", to_text, False),
            ("raised_date", to_date, False),
            ("last_updated", to_date, False),
            ("due_date", to_date, False),
        ],
    ),
    "Changes": (
        "changes",
        [
            ("cr_id", to_text, True),
            ("project_id", to_text, True),
            ("title", to_text, False),
            ("submitted_date", to_date, False),
            ("decided_date", to_date, False),
            ("decision", to_text, False),
            ("cost_impact", to_number, False),
            ("schedule_impact_days", to_int, False),
        ],
    ),
    "Distribution": (
        "distribution",
        [
            ("email", _one_address, True),
            ("name", to_text, False),
            ("role", to_text, False),
            ("scope", _scope, True),
        ],
    ),
}

TABLES = [table for table, _ in SHEETS.values()]


def _key(header: Any) -> str:
    return " ".join(str(header or "").split()).lower()


def parse_register(path: Path, display_name: str | None = None, limits: WorkbookLimits = WorkbookLimits()) -> LoadBatch:
    """Parse the register workbook into the six register tables; bad rows become rejects."""
    display_name = display_name or path.name
    workbook = open_workbook(path, display_name, limits)
    try:
        sheets_by_key = {_key(name): name for name in workbook.sheetnames}
        missing = [name for name in SHEETS if _key(name) not in sheets_by_key]
        if missing:
            raise SourceFormatError(
                f"{display_name}: sheet{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                f"missing (found: {', '.join(workbook.sheetnames)})"
            )
        batch = LoadBatch(source_file=display_name, file_format=FILE_FORMAT, source="register")
        for sheet_name, (table, spec) in SHEETS.items():
            reading = SheetReading()
            rows = iter_sheet(workbook[sheets_by_key[_key(sheet_name)]], display_name, limits, reading=reading)
            _parse_sheet(rows, display_name, sheet_name, table, spec, batch)
            note = reading.note(sheet_name, limits)
            if note:
                batch.notes.append(note)
        return batch
    finally:
        workbook.close()


def _parse_sheet(
    rows, display_name: str, sheet_name: str, table: str, spec: list[tuple[str, Converter, bool]], batch: LoadBatch
) -> None:
    header_row = next(rows, None)
    if header_row is None:
        raise SourceFormatError(f"{display_name}, sheet '{sheet_name}': the sheet is empty (no header row)")
    position = {_key(h): i for i, h in enumerate(header_row.cells) if _key(h)}
    missing = [column for column, _, _ in spec if _key(column) not in position]
    if missing:
        raise SourceFormatError(
            f"{display_name}, sheet '{sheet_name}': column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} missing (expected: {', '.join(c for c, _, _ in spec)})"
        )
    records: list[dict[str, Any]] = []
    read = 0
    # Row numbers are Excel's, so an analyst can go straight to the cell; empty rows never reach here.
    for row in rows:
        excel_row, values = row.number, row.cells
        read += 1
        raw = {column: _cell(values, position[_key(column)]) for column, _, _ in spec}
        record: dict[str, Any] = {"source_row": excel_row}
        problems = []
        for column, convert, required in spec:
            try:
                value = convert(raw[column])
            except ValueError as error:
                problems.append(f"{column}: {error}")
                continue
            if required and value is None:
                problems.append(f"{column}: required value is empty")
            record[column] = value
        if not problems:
            problems = [reason for check, reason in ROW_RULES.get(sheet_name, []) if not check(record)]
        if problems:
            batch.rejects.append(
                Reject(
                    table,
                    excel_row,
                    f"sheet '{sheet_name}' row {excel_row}: " + "; ".join(problems),
                    raw,
                    _record_key(raw.get("project_id")),
                )
            )
        else:
            records.append(record)
    batch.rows_read[table] = read
    columns = ["source_row", *(column for column, _, _ in spec)]
    batch.tables[table] = pd.DataFrame.from_records(records, columns=columns)


def _record_key(value: Any) -> str | None:
    try:
        return to_text(value)
    except ValueError:
        return None


def _cell(values: tuple, index: int) -> Any:
    return values[index] if index < len(values) else None
