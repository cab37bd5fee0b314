"""The PMO's portfolio register workbook (`register/portfolio.xlsx`, DESIGN §3).

Sheets and headers are matched case- and space-insensitively; extra columns are ignored. A missing sheet or
column makes the whole file unreadable (SourceFormatError naming file, sheet and column); a row with a bad
value is rejected with the column and the reason, and the rest of the sheet loads. The optional sheets
(OPTIONAL_SHEETS: Decisions, Readiness, UAT, Cutovers, Surveys, Evidence) may be absent: their table then gets
no rows and no load_log row for the file (a present but empty sheet has a load_log row of 0 rows read), so
"not tracked" and "tracked, nothing in it" stay apart. Their columns other than the required ones, and the
OPTIONAL_COLUMNS of the other sheets, may be absent too and read as empty. The optional sheets read numeric text
dates in either locale when the value itself tells the order (`_date`).

The register is read as a person sees it in Excel (DESIGN §4a):
- only visible sheets are read. Two visible sheets whose names match after case and space folding (`Projects`,
  `projects `) make the file unreadable, naming both; a register sheet that exists only hidden or very hidden is
  unreadable with how to unhide it; a hidden namesake of a visible sheet is not read, and a note names it.
- hidden rows of `Projects` and `Distribution` are refused (quarantined, reason "hidden row"): an invisible row
  would add a project to the totals or a recipient to the mailing. Hidden rows of the other sheets are read and
  a note names them (RAID and Benefits logs are often filtered).
- hidden columns are read, and a note names them (helper columns such as plan_key are often hidden); a hidden
  column never wins over a visible one of the same header, and two visible ones make the file unreadable.
- a formula cell whose saved value may be stale or is missing (see xlsx.py) is refused: its row is quarantined.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines.sources.addresses import normalise_address, normalise_text
from pipelines.sources.columns import to_date, to_int, to_number, to_text
from pipelines.sources.common import LoadBatch, Reject, SourceFormatError
from pipelines.sources.xlsx import SheetReading, WorkbookLimits, column_name, iter_sheet, open_workbook

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
    # NFKC first (a fullwidth `＠` or `，` is the ASCII one), refusing zero-width and bidi characters (an AddressError
    # is a ValueError: the row is quarantined with the reason, which blocks the month: DESIGN §4a).
    text = normalise_text(text)
    addresses = [address for _, address in getaddresses([text]) if address]
    if len(addresses) != 1:
        raise ValueError(f"{text!r} holds {len(addresses)} addresses; write one address per row")
    # `pat@example.com.` (the DNS root's dot) is the same mailbox as `pat@example.com`: compared as one, so a
    # second row cannot give it another scope. A Unicode domain is stored as its IDNA A-label (xn--...).
    address = addresses[0][:-1] if addresses[0].endswith(".") else addresses[0]
    if not _ADDRESS.fullmatch(address) or ".." in address or address.split("@")[1].startswith("."):
        raise ValueError(f"{text!r} is not an e-mail address")
    address = normalise_address(address)
    if not _ADDRESS.fullmatch(address) or ".." in address:
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


def _rate(value: Any) -> float | None:
    number = to_number(value)
    if number is not None and number <= 0:
        raise ValueError(f"{value!r} is not a positive FX rate")
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


def _choice(allowed: tuple[str, ...], what: str) -> Converter:
    """A value of `allowed`, matched without case or surrounding blanks and stored in its canonical spelling."""

    def folded(text: str) -> str:
        return "".join(text.split()).replace("/", "").lower()  # `n/a`, `N / A` and `NA` are all N/A

    def convert(value: Any) -> str | None:
        # matched before the emptiness test: `N/A` is a readiness status, not an empty cell
        text = value.strip() if isinstance(value, str) else to_text(value)
        for known in allowed:
            if text and folded(text) == folded(known):
                return known
        if to_text(value) is None:
            return None
        raise ValueError(f"{value!r} is not {what} ({', '.join(allowed)})")

    return convert


READINESS_AREAS = ("Test", "Ops", "Security", "UAT", "Support", "Training")
READINESS_STATUSES = ("Done", "Open", "N/A")
CUTOVER_OUTCOMES = ("Success", "Rollback", "Partial")
SURVEY_GROUPS = ("Stakeholder", "Team")
EVIDENCE_STATUSES = ("Approved", "Submitted", "Missing")
_YES = {"yes": True, "true": True, "no": False, "false": False}


def _count(value: Any) -> int | None:
    number = to_int(value)
    if number is not None and number < 0:
        raise ValueError(f"{value!r} is negative (a count of test cases)")
    return number


def _score(value: Any) -> int | None:
    number = to_int(value)
    if number is not None and not 1 <= number <= 5:
        raise ValueError(f"{value!r} is not a score from 1 to 5")
    return number


def _required_flag(value: Any) -> bool:
    """Evidence's `required`: Yes/No/True/False (or an Excel boolean); blank means required, since a control
    the register lists is one the project must evidence unless it says otherwise."""
    if isinstance(value, bool):
        return value
    text = to_text(value)
    if text is None:
        return True
    if text.lower() in _YES:
        return _YES[text.lower()]
    raise ValueError(f"{value!r} is not Yes or No")


_NUMERIC_DATE = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T].*)?$")


def _date(value: Any) -> dt.date | None:
    """A date cell, YYYY-MM-DD, or a numeric date typed as text in either locale: `15/04/2026` (a first field
    above 12 says day first), `4/15/2026` (a second above 12 says month first), `15.04.2026` (dots: day first).
    An all-ambiguous slash date (`05/04/2026`) is refused with how to write it, never guessed."""
    try:
        return to_date(value)
    except ValueError:
        match = _NUMERIC_DATE.match(str(value).strip())
        if not match:
            raise
    first, mark, second, year = int(match.group(1)), match.group(2), int(match.group(3)), int(match.group(4))
    year += 2000 if year < 100 else 0
    if mark == "." or first > 12:
        day, month = first, second
    elif second > 12:
        day, month = second, first
    elif first == second:
        day = month = first
    else:
        raise ValueError(
            f"{value!r} reads as a date day-first and month-first alike: type it as a date cell or YYYY-MM-DD"
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (expected a date cell or YYYY-MM-DD)") from None


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
    "UAT": [
        (
            lambda r: (
                r["cases_passed"] is None or r["cases_executed"] is None or r["cases_passed"] <= r["cases_executed"]
            ),
            "cases_passed is more than cases_executed (a case passes only once it is executed)",
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
            # optional columns (OPTIONAL_COLUMNS): a register without them reads as all empty
            ("eac_management", _amount, False),
            ("budget_fx_rate", _rate, False),
            ("status_comment", to_text, False),
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
            ("vendor", to_text, False),  # optional column
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
            ("closed_date", to_date, False),  # optional column
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
    # The optional sheets (OPTIONAL_SHEETS, DESIGN §3): a register without one loads no rows for its table.
    "Decisions": (
        "decisions",
        [
            ("decision_id", to_text, True),
            ("project_id", to_text, True),
            ("title", to_text, False),
            ("owner", to_text, False),
            ("raised_date", _date, False),
            ("needed_by", _date, False),
            ("decided_date", _date, False),
            ("outcome", to_text, False),
        ],
    ),
    "Readiness": (
        "readiness",
        [
            ("project_id", to_text, True),
            ("release", to_text, True),
            ("area", _choice(READINESS_AREAS, "a readiness area"), True),
            ("item", to_text, True),
            ("status", _choice(READINESS_STATUSES, "a readiness status"), False),
            ("due_date", _date, False),
        ],
    ),
    "UAT": (
        "uat",
        [
            ("project_id", to_text, True),
            ("release", to_text, True),
            ("as_of_date", _date, True),
            ("cases_planned", _count, False),
            ("cases_executed", _count, False),
            ("cases_passed", _count, False),
        ],
    ),
    "Cutovers": (
        "cutovers",
        [
            ("project_id", to_text, True),
            ("release", to_text, True),
            ("planned_date", _date, True),
            ("actual_date", _date, False),
            ("outcome", _choice(CUTOVER_OUTCOMES, "a cutover outcome"), False),
        ],
    ),
    "Surveys": (
        "surveys",
        [
            ("survey_date", _date, True),
            ("project_id", to_text, False),  # blank: the portfolio as a whole
            ("respondent_group", _choice(SURVEY_GROUPS, "a respondent group"), True),  # headed `group`
            ("question", to_text, False),
            ("score", _score, True),
        ],
    ),
    "Evidence": (
        "evidence",
        [
            ("project_id", to_text, True),
            ("control", to_text, True),
            ("artifact", to_text, False),
            ("required", _required_flag, False),  # blank: required
            ("status", _choice(EVIDENCE_STATUSES, "an evidence status"), False),
            ("due_date", _date, False),
        ],
    ),
}

# Sheets a register may lack altogether: absent, their table gets no rows (and no load_log row) for the file.
OPTIONAL_SHEETS = frozenset({"Decisions", "Readiness", "UAT", "Cutovers", "Surveys", "Evidence"})

# A column whose header in the sheet is not its name: the headers it may have, first found wins.
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {"Surveys": {"respondent_group": ("group", "respondent_group")}}

TABLES = [table for table, _ in SHEETS.values()]

# Columns a sheet may lack altogether (DESIGN §3): absent, every row reads them as empty.
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "Projects": frozenset({"eac_management", "budget_fx_rate", "status_comment"}),
    "Milestones": frozenset({"vendor"}),
    "RAID": frozenset({"closed_date"}),
    # an optional sheet's columns that are not required may be left out of it
    **{
        sheet: frozenset(column for column, _, required in SHEETS[sheet][1] if not required)
        for sheet in sorted(OPTIONAL_SHEETS)
    },
}

# The sheets whose rows decide the portfolio's totals and who receives what: a hidden row there is refused.
HIDDEN_ROWS_REFUSED = ("Projects", "Distribution")
HIDDEN_ROW_REASON = (
    "hidden row (a person looking at the sheet does not see it): unhide the row, or delete it if it should not count"
)
STALE_CELL_REASON = (
    "cell {cell} holds a formula whose saved value may be stale or is missing (the workbook was not last "
    "calculated and saved by Excel): open and save it in Excel, or type the value"
)


def _key(header: Any) -> str:
    return " ".join(str(header or "").split()).lower()


def parse_register(path: Path, display_name: str | None = None, limits: WorkbookLimits = WorkbookLimits()) -> LoadBatch:
    """Parse the register workbook into the register tables (TABLES); bad rows become rejects."""
    display_name = display_name or path.name
    workbook = open_workbook(path, display_name, limits)
    try:
        batch = LoadBatch(source_file=display_name, file_format=FILE_FORMAT, source="register")
        chosen = _visible_sheets(workbook, display_name, batch)
        for sheet_name, (table, spec) in SHEETS.items():
            if sheet_name not in chosen:  # an optional sheet the register does not have
                continue
            reading = SheetReading()
            rows = iter_sheet(workbook[chosen[sheet_name]], display_name, limits, reading=reading)
            _parse_sheet(rows, display_name, sheet_name, table, spec, batch, reading)
            note = reading.note(sheet_name, limits)
            if note:
                batch.notes.append(note)
        return batch
    finally:
        workbook.close()


_STATE_WORDS = {"hidden": "hidden", "veryHidden": "very hidden"}


def _state(sheet: Any) -> str:
    return getattr(sheet, "sheet_state", "visible") or "visible"


def _visible_sheets(workbook: Any, display_name: str, batch: LoadBatch) -> dict[str, str]:
    """Which of the workbook's sheets each register sheet is read from: its one visible namesake (module docstring).
    Hidden namesakes and other hidden sheets are named in the batch's notes."""
    sheets = [(name, _state(workbook[name])) for name in workbook.sheetnames]
    chosen: dict[str, str] = {}
    missing, problems, notes = [], [], []
    for sheet_name in SHEETS:
        matches = [(name, state) for name, state in sheets if _key(name) == _key(sheet_name)]
        visible = [name for name, state in matches if state == "visible"]
        hidden = [(name, state) for name, state in matches if state != "visible"]
        if not matches:
            if sheet_name not in OPTIONAL_SHEETS:
                missing.append(sheet_name)
        elif len(visible) > 1:
            problems.append(
                f"sheets {' and '.join(repr(name) for name in visible)} both read as '{sheet_name}' (sheet names are "
                "matched ignoring case and spaces): delete or rename all but one"
            )
        elif not visible:
            name, state = hidden[0]
            if state == "veryHidden":
                how = (
                    "Excel's Unhide menu does not list it: set its Visible property in the VBA editor (Alt+F11), or "
                    f"copy its content to a visible '{sheet_name}' sheet"
                )
            else:
                how = f"unhide it in Excel (right-click a sheet tab > Unhide) or add a visible '{sheet_name}' sheet"
            problems.append(
                f"sheet {name!r} is {_STATE_WORDS.get(state, state)}: {how}, and drop the register again "
                "(steerpack reads only the sheets a person sees)"
            )
        else:
            chosen[sheet_name] = visible[0]
            notes += [
                f"sheet {name!r} is {_STATE_WORDS.get(state, state)} and was not read: the visible sheet "
                f"{visible[0]!r} of the same name was"
                for name, state in hidden
            ]
    if missing:
        problems.insert(
            0,
            f"sheet{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
            f"missing (found: {', '.join(workbook.sheetnames)})",
        )
    if problems:
        raise SourceFormatError(f"{display_name}: " + "; ".join(problems))
    register_keys = {_key(name) for name in SHEETS}
    others = [f"{name!r}" for name, state in sheets if state != "visible" and _key(name) not in register_keys]
    if others:
        notes.append(f"hidden sheet{'s' if len(others) > 1 else ''} {', '.join(others)} not read")
    batch.notes += notes
    return chosen


def _ranges(numbers: list[int], shown: int = 10) -> str:
    """`5, 9-12, 20` for the row numbers, the first `shown` runs of them and how many more."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    text = ", ".join(str(low) if low == high else f"{low}-{high}" for low, high in runs[:shown])
    more = sum(high - low + 1 for low, high in runs[shown:])
    return text + (f" and {more} more" if more else "")


def _hidden_but_read(what: str, which: str, count: int) -> str:
    """`rows 3, 5-6 are hidden in Excel and were read: unhide them ...`, in the singular for one."""
    if count == 1:
        return f"{what} {which} is hidden in Excel and was read: unhide it to see what steerpack reads"
    return f"{what}s {which} are hidden in Excel and were read: unhide them to see what steerpack reads"


def _header_positions(
    header_row: Any, display_name: str, sheet_name: str, spec: list[tuple[str, Converter, bool]], reading: SheetReading
) -> tuple[dict[str, int], list[str], list[str]]:
    """Where each column the sheet reads is: its one visible header (a hidden twin is named, never preferred)."""
    found: dict[str, list[int]] = {}
    for index, header in enumerate(header_row.cells):
        if _key(header):
            found.setdefault(_key(header), []).append(index)
    hidden = {column - 1 for column in reading.hidden_columns}
    where = f"{display_name}, sheet '{sheet_name}'"
    optional = OPTIONAL_COLUMNS.get(sheet_name, frozenset())
    headers = {column: _header_of(sheet_name, column, found) for column, _, _ in spec}
    missing = [headers[column] for column, _, _ in spec if headers[column] not in found and column not in optional]
    if missing:
        raise SourceFormatError(
            f"{where}: column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} missing "
            f"(expected: {', '.join(_header_of(sheet_name, c, {}) for c, _, _ in spec)})"
        )
    position: dict[str, int] = {}
    hidden_read, hidden_twins, problems = [], [], []
    for column, _, _ in spec:
        if headers[column] not in found:  # an optional column the sheet does not have
            continue
        indexes = found[headers[column]]
        visible = [index for index in indexes if index not in hidden]
        if len(visible) > 1 or (not visible and len(indexes) > 1):
            letters = " and ".join(column_name(index + 1) for index in (visible or indexes))
            problems.append(f"columns {letters} are both headed {column!r}: delete or rename all but one")
            continue
        position[_key(column)] = visible[0] if visible else indexes[0]
        if not visible:
            hidden_read.append(f"{column_name(indexes[0] + 1)} ({column!r})")
        hidden_twins += [
            f"{column_name(index + 1)} ({column!r}, the visible column {column_name(visible[0] + 1)} was read)"
            for index in indexes
            if visible and index in hidden
        ]
    if problems:
        raise SourceFormatError(f"{where}: " + "; ".join(problems))
    return position, hidden_read, hidden_twins


def _header_of(sheet_name: str, column: str, found: dict[str, list[int]]) -> str:
    """The (folded) header `column` is read from: its first header (HEADERS) the sheet has, else its first."""
    candidates = [_key(header) for header in HEADERS.get(sheet_name, {}).get(column, (column,))]
    return next((header for header in candidates if header in found), candidates[0])


def _parse_sheet(
    rows,
    display_name: str,
    sheet_name: str,
    table: str,
    spec: list[tuple[str, Converter, bool]],
    batch: LoadBatch,
    reading: SheetReading | None = None,
) -> None:
    reading = reading or SheetReading()
    header_row = next(rows, None)
    if header_row is None:
        raise SourceFormatError(f"{display_name}, sheet '{sheet_name}': the sheet is empty (no header row)")
    position, hidden_read, hidden_twins = _header_positions(header_row, display_name, sheet_name, spec, reading)
    if hidden_read:
        batch.notes.append(
            f"sheet '{sheet_name}': " + _hidden_but_read("column", ", ".join(hidden_read), len(hidden_read))
        )
    if hidden_twins:
        batch.notes.append(
            f"sheet '{sheet_name}': hidden column{'s' if len(hidden_twins) > 1 else ''} not read: "
            + ", ".join(hidden_twins)
        )
    records: list[dict[str, Any]] = []
    read = 0
    hidden_rows_read = [header_row.number] if header_row.hidden else []
    # Row numbers are Excel's, so an analyst can go straight to the cell; empty rows never reach here.
    for row in rows:
        excel_row, values = row.number, row.cells
        read += 1
        raw = {column: _cell(values, position.get(_key(column))) for column, _, _ in spec}
        if row.hidden and sheet_name in HIDDEN_ROWS_REFUSED:
            batch.rejects.append(
                Reject(
                    table,
                    excel_row,
                    f"sheet '{sheet_name}' row {excel_row}: {HIDDEN_ROW_REASON}",
                    raw,
                    _record_key(raw.get("project_id")),
                )
            )
            continue
        if row.hidden:
            hidden_rows_read.append(excel_row)
        record: dict[str, Any] = {"source_row": excel_row}
        problems = []
        for column, convert, required in spec:
            if _key(column) in position and position[_key(column)] in row.stale:
                cell = f"{column_name(position[_key(column)] + 1)}{excel_row}"
                problems.append(f"{column}: {STALE_CELL_REASON.format(cell=cell)}")
                continue
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
    if hidden_rows_read:
        batch.notes.append(
            f"sheet '{sheet_name}': " + _hidden_but_read("row", _ranges(hidden_rows_read), len(hidden_rows_read))
        )
    batch.rows_read[table] = read
    columns = ["source_row", *(column for column, _, _ in spec)]
    batch.tables[table] = pd.DataFrame.from_records(records, columns=columns)


def _record_key(value: Any) -> str | None:
    try:
        return to_text(value)
    except ValueError:
        return None


def _cell(values: tuple, index: int | None) -> Any:
    return values[index] if index is not None and index < len(values) else None
