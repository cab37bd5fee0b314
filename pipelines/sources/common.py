"""What every parser returns, and the row accounting that fills it.

A parser is a plain function: a file in, a LoadBatch out. It never talks to Dagster or the warehouse. Each
input row ends up either in one of the batch's tables or among its rejects with a reason (`split_rows`, from
one problems string per row), so `rows_read = rows_loaded + rows_quarantined` holds per file and table by
construction. The conversions of values are `pipelines.sources.columns`'.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # only named in a signature: delimited.py imports this module
    from pipelines.sources.delimited import RawTable


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


# --- row accounting ----------------------------------------------------------------------------------------
# `problems` is one string per row: empty when the row is good, else "column: reason; ..." to quarantine it.


def no_problems(index: pd.Index) -> pd.Series:
    return pd.Series("", index=index, dtype="str")


def add_problem(problems: pd.Series, bad: pd.Series, column: str, values: pd.Series | None, reason: str) -> pd.Series:
    """Append `column: 'value' reason; ` to the rows flagged `bad`."""
    if values is None or not bad.any():
        return problems
    message = column + ": '" + values.fillna("").astype("str") + "' " + reason + "; "
    return problems.where(~bad, problems + message)


def require(problems: pd.Series, values: pd.Series, column: str) -> pd.Series:
    empty = values.isna() | (values.astype("str").str.strip() == "")
    return problems.where(~empty, problems + column + ": required value is empty; ")


# The canonical column that ties a quarantined row to its project (see Reject.record_key).
RECORD_KEYS = {
    "spend": ("project_code",),
    "work_items": ("plan_key",),
    "schedule_tasks": ("plan_key",),
    # an incident reaches the projects whose register `services` name its service, else its CI
    "incidents": ("service", "cmdb_ci"),
}


def record_key(table: str, value_of: Callable[[str], object]) -> str | None:
    """What ties a row of `table` to its project (Reject.record_key): the first non-empty value of the table's
    record-key columns, a register sheet's `project_id` otherwise; `value_of(column)` reads the row."""
    for column in RECORD_KEYS.get(table, ("project_id",)):
        value = value_of(column)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def split_rows(batch: LoadBatch, table: RawTable, frame: pd.DataFrame, problems: pd.Series, name: str) -> None:
    """Good rows into the batch's table; the others, and the file's malformed records, into its rejects."""
    bad = (problems != "").to_numpy()
    for index in np.flatnonzero(bad):
        row = int(frame["source_row"].iat[index])
        batch.rejects.append(
            Reject(
                name,
                row,
                f"row {row}: {problems.iat[index].rstrip('; ')}",
                table.record(index),
                record_key(name, frame.iloc[index].get),
            )
        )
    for row, reason, fields in table.malformed:
        batch.rejects.append(Reject(name, row, reason, {"fields": fields}))
    batch.tables[name] = frame.loc[~bad].reset_index(drop=True)
    batch.rows_read[name] = table.rows_read
    batch.notes.extend(note for note in table.notes if note not in batch.notes)
    batch.encoding = table.encoding
