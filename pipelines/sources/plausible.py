"""The values no parser may load, checked once for every table of a parsed file (DESIGN §4a).

A number that is not finite (`inf`, `nan`, `1e999`), an amount beyond `max_amount`, a date further than
`plausible_years` from the snapshot's month (1900, 9999-12-31) or an integer too large for the warehouse's
INTEGER column (a 40-digit OutlineLevel) would distort every KPI that reads it, or abort the load. Such a row
moves from the batch's table to its rejects with the column and the reason, so `rows_read = rows_loaded +
rows_quarantined` still holds. Knows nothing of Settings: the bounds come as plain values.

Amounts are checked in the file's own currency (FX rates are not known when a file is parsed): a line of
2e12 JPY is quarantined although it is ~1.3e10 USD; `max_amount` is far above any real PMO export either way.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipelines.sources.common import LoadBatch, Reject, record_key
from pipelines.sources.schema import CANONICAL

# The columns holding money, in the file's currency.
MONEY_COLUMNS = {
    "projects": ("bac",),
    "changes": ("cost_impact",),
    "schedule_tasks": ("baseline_cost", "cost", "actual_cost"),
    "spend": ("amount",),
}
INTEGER_LIMITS = {"INTEGER": 2**31 - 1, "BIGINT": 2**63 - 1}
REGISTER_SHEETS = {
    "projects": "Projects",
    "milestones": "Milestones",
    "benefits": "Benefits",
    "raid": "RAID",
    "changes": "Changes",
    "distribution": "Distribution",
    "decisions": "Decisions",
    "readiness": "Readiness",
    "uat": "UAT",
    "cutovers": "Cutovers",
    "surveys": "Surveys",
    "evidence": "Evidence",
}


@dataclass(frozen=True)
class ValueBounds:
    """limits.max_amount and quality.plausible_date_years, as plain values."""

    max_amount: float = 1.0e12
    plausible_years: int = 20

    def date_window(self, month: dt.date) -> tuple[dt.date, dt.date]:
        """[low, high): the dates within `plausible_years` of the month (as the dates_plausible warning reads)."""
        return (
            dt.date(month.year - self.plausible_years, month.month, 1),
            dt.date(min(month.year + self.plausible_years, 9999), month.month, 1),
        )


def quarantine_implausible(batch: LoadBatch, month: dt.date, bounds: ValueBounds) -> LoadBatch:
    """Move every row of the batch's tables holding an implausible value into its rejects (module docstring)."""
    for table, frame in list(batch.tables.items()):
        if table not in CANONICAL or frame.empty:
            continue
        problems = _problems(table, frame, month, bounds)
        bad = (problems != "").to_numpy()
        if not bad.any():
            continue
        for index in np.flatnonzero(bad):
            record = frame.iloc[index]
            row = int(record["source_row"]) if "source_row" in frame.columns else index + 1
            batch.rejects.append(
                Reject(
                    table,
                    row,
                    f"{_where(batch, table, row)}: {problems.iat[index].rstrip('; ')}",
                    {name: _shown(value) for name, value in record.items() if name != "source_row" and _present(value)},
                    record_key(table, record.get),
                )
            )
        batch.tables[table] = frame.loc[~bad].reset_index(drop=True)
    return batch


def _problems(table: str, frame: pd.DataFrame, month: dt.date, bounds: ValueBounds) -> pd.Series:
    problems = pd.Series("", index=frame.index, dtype="str")
    low, high = bounds.date_window(month)
    money = MONEY_COLUMNS.get(table, ())
    for column, sql_type in CANONICAL[table]:
        if column not in frame.columns:
            continue
        values = frame[column]
        if sql_type == "DOUBLE":
            numbers = _numbers(values)
            present = values.notna().to_numpy() if values.dtype.kind == "f" else values.map(_present).to_numpy(bool)
            infinite = present & ~np.isfinite(numbers.to_numpy(dtype="float64", na_value=np.nan))
            problems = _add(problems, infinite, column, values, "is not a finite number")
            if column in money:
                beyond = np.isfinite(numbers.to_numpy(dtype="float64", na_value=np.nan)) & (
                    numbers.abs().to_numpy(dtype="float64", na_value=0.0) > bounds.max_amount
                )
                problems = _add(
                    problems,
                    beyond,
                    column,
                    values,
                    f"is beyond the plausible amount of {bounds.max_amount:g} "
                    "(limits.max_amount): check the cell (a typo or a unit error)",
                )
        elif sql_type in INTEGER_LIMITS:
            limit = INTEGER_LIMITS[sql_type]
            if values.dtype.kind in "iub":  # already machine integers: int64 beyond INTEGER is still caught
                beyond = (values.abs() > limit).to_numpy() if values.dtype.kind != "b" else np.zeros(len(values), bool)
            else:
                beyond = values.map(lambda v, limit=limit: _int_beyond(v, limit)).to_numpy(dtype=bool)
            problems = _add(problems, beyond, column, values, f"is too large a whole number (beyond ±{limit})")
        elif sql_type in ("DATE", "TIMESTAMP"):
            if values.dtype.kind == "M":  # datetime64: compared at once (a spend file has millions of lines)
                outside = (values.notna() & ((values < pd.Timestamp(low)) | (values >= pd.Timestamp(high)))).to_numpy()
            else:
                outside = values.map(lambda v: _date_outside(v, low, high)).to_numpy(dtype=bool)
            problems = _add(
                problems,
                outside,
                column,
                values,
                f"is more than {bounds.plausible_years} years from {month:%Y-%m} (before {low:%Y-%m} or from "
                f"{high:%Y-%m} on): check the cell (quality.plausible_date_years)",
            )
    return problems


def _numbers(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    return pd.to_numeric(values.map(lambda v: v if isinstance(v, (int, float)) else None), errors="coerce")


def _add(problems: pd.Series, bad: np.ndarray, column: str, values: pd.Series, reason: str) -> pd.Series:
    if not bad.any():
        return problems
    out = problems.copy()
    shown = values[bad].map(_shown)
    out[bad] = problems[bad] + column + " " + shown + " " + reason + "; "
    return out


def _present(value: Any) -> bool:
    """A value the parser set (NaN, None and NaT are empty cells; `inf` is a value)."""
    if value is None or value is pd.NaT:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, np.floating) and np.isnan(value))


def _shown(value: Any) -> str:
    if not _present(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if not math.isfinite(value) else f"{float(value):g}"
    return str(value)


def _int_beyond(value: Any, limit: int) -> bool:
    if not _present(value) or isinstance(value, bool):
        return False
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return isinstance(value, (float, np.floating))  # inf in an integer column
    return abs(number) > limit


def _date_outside(value: Any, low: dt.date, high: dt.date) -> bool:
    if not _present(value):
        return False
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, np.datetime64):
        day = pd.Timestamp(value).date()
    else:
        return False
    return not low <= day < high


def _where(batch: LoadBatch, table: str, row: int) -> str:
    if batch.source == "register" and table in REGISTER_SHEETS:
        return f"sheet '{REGISTER_SHEETS[table]}' row {row}"
    if batch.source == "ms_project":
        return f"task {row}"
    return f"row {row}"
