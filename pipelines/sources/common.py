"""What every parser returns, and the value conversions they share.

A parser is a plain function: a file in, a LoadBatch out. It never talks to Dagster or the warehouse. Each
input row ends up either in one of the batch's tables or among its rejects with a reason, so
`rows_read = rows_loaded + rows_quarantined` holds per file and table by construction.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


class SourceFormatError(Exception):
    """A file that cannot be read at all (wrong sheets, missing columns, unreadable bytes).

    The message names the file and, where it applies, the sheet and column.
    """


@dataclass(frozen=True)
class Reject:
    table: str
    source_row: int
    reason: str
    raw_record: dict[str, Any]
    # What ties the row to a project, where it could be read: the project code of a spend line, the plan key of
    # a task or work item, the project id of a register row. The project gets a data gap for it (DESIGN §4a).
    record_key: str | None = None


@dataclass
class LoadBatch:
    """The result of parsing one file: canonical rows per table, rejected rows, and counts read."""

    source_file: str
    file_format: str
    source: str = ""  # the tool the rows come from: register, jira, azure_devops, ms_project, ...
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    error: str | None = None  # the whole file could not be read
    notes: list[str] = field(default_factory=list)  # findings that reject no row (an inverted baseline)
    encoding: str | None = None  # how a text file was read (UTF-8, Windows-1252 ...); None for workbooks and XML

    def rows_loaded(self, table: str) -> int:
        frame = self.tables.get(table)
        return 0 if frame is None else len(frame)

    def rows_quarantined(self, table: str) -> int:
        return sum(1 for r in self.rejects if r.table == table)

    def quarantine_frame(self, snapshot_month: dt.date) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "snapshot_month": snapshot_month,
                    "source": self.source,
                    "source_file": self.source_file,
                    "source_row": r.source_row,
                    "table_name": r.table,
                    "reason": r.reason,
                    "raw_record": json.dumps(r.raw_record, default=str, ensure_ascii=False),
                    "record_key": r.record_key,
                }
                for r in self.rejects
            ],
            columns=[
                "snapshot_month",
                "source",
                "source_file",
                "source_row",
                "table_name",
                "reason",
                "raw_record",
                "record_key",
            ],
        )

    def load_log_frame(self, snapshot_month: dt.date) -> pd.DataFrame:
        tables = sorted(set(self.rows_read) | set(self.tables)) or [None]
        return pd.DataFrame(
            [
                {
                    "snapshot_month": snapshot_month,
                    "source": self.source,
                    "source_file": self.source_file,
                    "table_name": table,
                    "file_format": self.file_format,
                    "rows_read": self.rows_read.get(table, 0) if table else 0,
                    "rows_loaded": self.rows_loaded(table) if table else 0,
                    "rows_quarantined": self.rows_quarantined(table) if table else 0,
                    "error": self.error,
                    "notes": "\n".join(self.notes) or None,
                }
                for table in tables
            ]
        )


def refuse_oversized(path, display_name: str, max_bytes: int | None) -> None:
    """Raise SourceFormatError when the file is larger than `max_bytes` (limits.file_bytes), before a byte of it
    is read: its size is the file system's (a sparse file reports its full size without using disk)."""
    if max_bytes is None:
        return
    try:
        size = os.stat(path).st_size
    except OSError as error:
        raise SourceFormatError(f"{display_name}: cannot be read ({error.strerror})") from None
    if size > max_bytes:
        raise SourceFormatError(
            f"{display_name}: the file is {size:,} bytes, over the cap of {max_bytes:,} bytes (limits.file_bytes): "
            "split the export (one file per project or period), or raise limits.file_bytes in steerpack.yaml"
        )


# --- value conversions -------------------------------------------------------------------------------------
# Each returns None for an empty cell and raises ValueError with a reader-facing reason for a bad one.

_EMPTY_MARKERS = {"", "?", "n/a", "na", "null", "none", "-"}


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in _EMPTY_MARKERS


def to_text(value: Any) -> str | None:
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def to_date(value: Any) -> dt.date | None:
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _ISO_DATE.match(str(value).strip())
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (expected a date cell or YYYY-MM-DD)")


def to_number(value: Any) -> float | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            raise ValueError(f"{value!r} is not a finite number") from None
        if math.isinf(number):  # a numeric cell of 1E+999, or a formula's overflow
            raise ValueError(f"{value!r} is not a finite number")
        return number
    text = _plain_number_text(str(value).strip())
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


_GROUPED_BY_COMMAS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _plain_number_text(text: str) -> str:
    """`80,000.50` and `80.000,50` both -> `80000.50`; a lone comma is a decimal comma (`12,5` -> `12.5`)."""
    text = text.replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        if text.rindex(",") > text.rindex("."):
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")
    if "," in text:
        return text.replace(",", "") if _GROUPED_BY_COMMAS.match(text) else text.replace(",", ".")
    return text


def to_int(value: Any) -> int | None:
    number = to_number(value)
    if number is None:
        return None
    if not float(number).is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)
