"""Converting a file's columns at once, and a register's cells one at a time, by the same rules.

Column conversions work on pandas columns, not row by row, and report which rows failed so the caller can
quarantine them: `parse_numbers` (numbers as a locale writes them), `parse_datetimes` (given formats),
`parse_tool_datetimes` (every delimited source's date columns, the order of day and month decided per column),
`translate_month_names`. The cell conversions (`to_number`, `to_int`, `to_date`, `to_text`) read one workbook
cell each; `to_number` reads a number with `parse_numbers`' rules, so both read the same forms.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute

from pipelines.sources.common import SourceFormatError, add_problem

# --- column conversions ------------------------------------------------------------------------------------
# Each returns (converted values, mask of rows whose non-empty value could not be converted).


def on_distinct(
    values: pd.Series, convert: Callable[[pd.Series], tuple[pd.Series, pd.Series]]
) -> tuple[pd.Series, pd.Series]:
    """`convert` run once per distinct value and spread back: an export repeats the same dates thousands of times."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    if len(distinct) > len(values) // 2:
        return convert(values)
    converted, bad = convert(pd.Series(distinct, dtype=values.dtype))
    return (
        pd.Series(converted.to_numpy()[codes], index=values.index, dtype=converted.dtype),
        pd.Series(bad.to_numpy()[codes], index=values.index, dtype="bool"),
    )


EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIAL_RANGE = (20_000, 80_000)  # 1954-10-03 to 2119-01-10: a serial, not a year or an id


def parse_datetimes(values: pd.Series, formats: Iterable[str]) -> tuple[pd.Series, pd.Series]:
    """Try each format in turn on the values not parsed yet; empty stays NaT and is not an error."""
    formats = list(formats)
    return on_distinct(values, lambda distinct: _parse_datetimes(distinct, formats))


def _parse_datetimes(values: pd.Series, formats: list[str]) -> tuple[pd.Series, pd.Series]:
    text = values.fillna("").astype("str").str.strip()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    pending = text != ""
    for fmt in formats:
        if not pending.any():
            break
        parsed = pd.to_datetime(text[pending], format=fmt, errors="coerce")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # `%z`: an offset, kept as the UTC time it names
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        ok = parsed.notna()
        result.loc[ok[ok].index] = parsed[ok]
        pending.loc[ok[ok].index] = False
    if pending.any():
        # An Excel serial date (days since 1899-12-30) where a CSV was saved from a date column without format.
        serial = pd.to_numeric(text[pending], errors="coerce")
        ok = serial.between(*EXCEL_SERIAL_RANGE)
        if ok.any():
            days = pd.to_timedelta((serial[ok] * 86400).round(), unit="s")
            result.loc[ok[ok].index] = (EXCEL_EPOCH + days).astype(result.dtype)
            pending.loc[ok[ok].index] = False
    return result, pending


# --- dates as a tool writes them, or as Excel wrote them on a re-save --------------------------------------
# An export opened in Excel and saved again carries its dates in the user's locale (`11/01/2023 15:22`,
# `1/11/23 3:22 PM`, `13.01.2023`). `parse_tool_datetimes` is the one reader of every delimited source's date
# columns (Jira, Azure DevOps, incidents): the tool's own formats first, then these numeric forms, with the order
# of day and month decided per column over the whole file (DESIGN §3).

DATE_ORDERS = {"dmy": "day-month-year", "mdy": "month-day-year"}
_CLOCK = r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?(?:[ ]*(?P<half>[AaPp][Mm]))?"
# day and month in either order, `/`, `.` or `-` between them, a 2- or 4-digit year, an optional clock
_DAY_MONTH_DATE = (
    r"^(?P<first>[0-9]{1,2})(?P<sep1>[/.-])(?P<middle>[0-9]{1,2})(?P<sep2>[/.-])(?P<year>[0-9]{4}|[0-9]{2})"
    rf"(?:[ ]+{_CLOCK})?$"
)
# year first (`2023-01-13`, `2023/01/13 15:22`): never ambiguous, Excel keeps it as ISO
_YEAR_FIRST_DATE = (
    r"^(?P<year>[0-9]{4})(?P<sep1>[/.-])(?P<first>[0-9]{1,2})(?P<sep2>[/.-])(?P<middle>[0-9]{1,2})"
    rf"(?:(?:[ ]+|T){_CLOCK})?$"
)
_TWO_DIGIT_YEAR_PIVOT = 69  # as strptime's %y: 69-99 are 1969-1999, 00-68 are 2000-2068


@dataclass(frozen=True)
class DateDialect:
    """How a tool writes the dates of its CSV export, for `parse_tool_datetimes`.

    `own_formats`: the tool's own strptime formats, tried first (Jira's `%d/%b/%y %I:%M %p`, ISO); numeric
    day/month forms are not listed here, the reader's inference reads them. `own_order`: the order of the
    tool's own numeric dates where it writes such dates itself (Azure DevOps: US `4/15/2026 11:59:43 PM`, so
    `mdy`), else None. `prepare`: a rewrite of the text before any format (Jira's month names in the user's
    language)."""

    own_formats: tuple[str, ...]
    own_order: str | None = None
    prepare: Callable[[pd.Series], pd.Series] | None = None

    def __post_init__(self):
        numeric = [fmt for fmt in self.own_formats if re.match(r"^%[dm][^%]*%[dm]", fmt)]
        if numeric:  # their order is the reader's to decide, column by column: give it as `own_order`
            raise ValueError(f"numeric day/month formats are read by inference, not as own formats: {numeric}")
        if self.own_order not in (None, *DATE_ORDERS):
            raise ValueError(f"own_order must be one of {', '.join(DATE_ORDERS)} or None, not {self.own_order!r}")


@dataclass
class ColumnDates:
    """One date column as read: its values, the rows to quarantine, and the order its numeric dates were read in."""

    label: str  # the column as problems name it
    raw: pd.Series
    values: pd.Series  # datetime64[us]; NaT where empty or not read
    unreadable: pd.Series  # a non-empty value that no form reads
    other_order: pd.Series  # a numeric date that reads only in the order the column is not read in
    order: str | None  # `dmy` / `mdy` when numeric dates needed an order, else None

    @property
    def bad(self) -> pd.Series:
        return self.unreadable | self.other_order

    def add_problems(self, problems: pd.Series, reason: str = "is not a date") -> pd.Series:
        """The column's unreadable values with `reason`, and its values in the other order with theirs."""
        problems = add_problem(problems, self.unreadable, self.label, self.raw, reason)
        if self.order is not None:
            other = DATE_ORDERS[_other_order(self.order)]
            problems = add_problem(
                problems,
                self.other_order,
                self.label,
                self.raw,
                f"is a {other} date in a column whose other dates are {DATE_ORDERS[self.order]}",
            )
        return problems


@dataclass
class ToolDatetimes:
    """The date columns of one file (by label) and the load log's notes on how their numeric dates were read."""

    columns: dict[str, ColumnDates]
    notes: list[str]

    def values(self, label: str, index: pd.Index) -> pd.Series:
        """A column's dates; all NaT when the file has no such column."""
        column = self.columns.get(label)
        return column.values if column is not None else pd.Series(pd.NaT, index=index, dtype="datetime64[us]")

    def add_problems(self, problems: pd.Series, reason: str = "is not a date") -> pd.Series:
        """Every column's rows to quarantine, in the order the columns were given."""
        for column in self.columns.values():
            problems = column.add_problems(problems, reason)
        return problems


def parse_tool_datetimes(
    columns: Mapping[str, pd.Series | None],
    dialect: DateDialect,
    date_order: str | None,
    setting: str,
    display_name: str,
) -> ToolDatetimes:
    """Every date column of one delimited file (label -> values as strings; None: the file has no such column).

    A value reads in the tool's own formats (`dialect`), else as a numeric date: day and month in either order
    with `/`, `.` or `-`, a 2- or 4-digit year, optionally `H:MM` or `H:MM:SS` and AM/PM (`p. m.` too); or year
    first (`2023-01-13`); or as an Excel serial day number. The order of day and month is decided per column:

    1. by its own values, over the whole column: a date that is valid only day first (`13/01/2023`) says dmy,
       one valid only month first (`01/13/2023`) says mdy. A column with both is read in the order of the
       majority of its rows, and the rows of the other order are quarantined (`other_order`) with a note:
       one mistyped row does not block the file, and no row is read in an order its column contradicts;
    2. else (every numeric date could be either, or as many rows say each) as the file's other date columns
       settled it, when they agree: one Excel re-save is one locale;
    3. else by `date_order` (the config's `setting`, `dmy` / `mdy`);
    4. else in the tool's own order (`dialect.own_order`): Azure DevOps writes US dates itself, so its
       all-ambiguous `4/5/2026 9:00 AM` reads as the tool wrote it unless `date_order` says otherwise;
    5. else SourceFormatError: one finding for the file, naming the column, an example and the config line.

    A date that reads the same either way (`05/05/2023`) needs no order. The notes (one a column, for
    `raw.load_log.notes`) say which columns were read as numeric dates, in which order and why; none for a
    column whose values are all in the tool's own formats or its own order.
    """
    if date_order not in (None, *DATE_ORDERS):
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)} or None, not {date_order!r}")
    readings = {label: _DateColumn(values, dialect) for label, values in columns.items() if values is not None}
    settled = {label: reading.inferred for label, reading in readings.items() if reading.inferred}
    file_order = next(iter(settled.values())) if len(set(settled.values())) == 1 else None
    file_order_from = next(iter(settled), None)
    result, notes = {}, []
    for label, reading in readings.items():
        order, why = reading.inferred, None
        if order is not None:
            why = f"inferred from '{reading.example(order)}'"
        elif reading.needs_order:
            undecided = "as many rows say each order" if reading.tied else "no value of its own tells"
            if file_order is not None:
                order, why = file_order, f"as {file_order_from} in the same file: {undecided}"
            elif date_order is not None:
                order, why = date_order, f"from {setting}: {undecided}"
            elif dialect.own_order is not None:
                order, why = dialect.own_order, "the order the tool itself writes"  # noted only if rows clash
            else:
                raise SourceFormatError(reading.undecided_message(label, setting, display_name))
        column = reading.read(label, order)
        result[label] = column
        wrong = int(reading.weights[reading.says(_other_order(order))].sum()) if order else 0
        if why is not None and (order != dialect.own_order or wrong):
            note = f"{label}: numeric dates read {DATE_ORDERS[order]} ({why})"
            if wrong:
                other = _other_order(order)
                note += f"; {wrong} row(s) written {DATE_ORDERS[other]} (e.g. '{reading.example(other)}') quarantined"
            notes.append(note)
    return ToolDatetimes(result, notes)


def _other_order(order: str | None) -> str | None:
    return {"dmy": "mdy", "mdy": "dmy"}.get(order)


def _normalise_half_day(text: pd.Series) -> pd.Series:
    """`4:51 p. m.` / `4:51 a.m.` (Spanish and other locales) -> `4:51 PM` / `4:51 AM`."""
    text = text.str.replace(r"(?i)[ \t]*a\.[ \t]?m\.?$", " AM", regex=True)
    return text.str.replace(r"(?i)[ \t]*p\.[ \t]?m\.?$", " PM", regex=True)


class _DateColumn:
    """A date column's distinct values read every way they can be: by the tool's formats, and as numeric dates
    both day first and month first, with each distinct value's row count to weigh the evidence. The column is
    factorised here rather than through `on_distinct`: the order is decided over all the distinct values at once,
    weighed by their rows, before any of them is converted."""

    def __init__(self, values: pd.Series, dialect: DateDialect):
        self.raw = values
        codes, distinct = pd.factorize(values.fillna("").astype("str"), use_na_sentinel=False)
        self.codes = codes
        self.weights = np.bincount(codes, minlength=len(distinct))
        self.shown = pd.Series(distinct, dtype="str")
        text = _normalise_half_day(self.shown.str.strip())
        if dialect.prepare is not None:
            text = dialect.prepare(text)
        size = len(distinct)
        no_dates = np.full(size, np.datetime64("NaT"), dtype="datetime64[us]")
        self.day_first, self.month_first, self.year_first = no_dates, no_dates.copy(), no_dates.copy()
        self.day_first_ok, self.month_first_ok, self.year_first_ok = (np.zeros(size, dtype=bool) for _ in range(3))
        self.same_either_way = np.zeros(size, dtype=bool)
        # Numeric day/month values are picked out first: no own format takes their shape (DateDialect checks), so
        # this reads what the own formats would leave, and spares strptime the bulk of a re-saved or US export.
        numeric = np.zeros(size, dtype=bool)
        where = np.flatnonzero((text != "").to_numpy())
        fields = _date_fields(text.iloc[where], _DAY_MONTH_DATE) if len(where) else None
        if fields is not None:
            first, middle, year, clock, ok = fields
            for target, target_ok, month, day in (
                (self.day_first, self.day_first_ok, middle, first),
                (self.month_first, self.month_first_ok, first, middle),
            ):
                stamps, valid = _compose(year, month, day, clock, ok)
                target[where], target_ok[where] = stamps, valid
            self.same_either_way[where] = ok & (first == middle)
            numeric[where] = ok
        own, own_pending = _parse_datetimes(text.where(~numeric, ""), list(dialect.own_formats))
        self.own = own.to_numpy()
        self.pending = own_pending.to_numpy() | numeric  # non-empty and not read by the tool's own formats
        rest = np.flatnonzero(self.pending & ~numeric)
        fields = _date_fields(text.iloc[rest], _YEAR_FIRST_DATE) if len(rest) else None
        if fields is not None:
            month, day, year, clock, ok = fields
            self.year_first[rest], self.year_first_ok[rest] = _compose(year, month, day, clock, ok)
        self.votes = {order: int(self.weights[self.says(order)].sum()) for order in DATE_ORDERS}
        dmy, mdy = self.votes["dmy"], self.votes["mdy"]
        self.inferred = "dmy" if dmy > mdy else "mdy" if mdy > dmy else None
        self.tied = dmy > 0 and dmy == mdy
        # an order is needed when some date reads differently either way, or the evidence is a tie
        self.needs_order = self.tied or bool((self.day_first_ok & self.month_first_ok & ~self.same_either_way).any())

    def says(self, order: str | None) -> np.ndarray:
        """The distinct values valid only in `order`."""
        if order == "dmy":
            return self.day_first_ok & ~self.month_first_ok
        if order == "mdy":
            return self.month_first_ok & ~self.day_first_ok
        return np.zeros(len(self.shown), dtype=bool)

    def example(self, order: str) -> str:
        return str(self.shown.iat[int(np.flatnonzero(self.says(order))[0])])

    def undecided_message(self, label: str, setting: str, display_name: str) -> str:
        add = f"add `{setting}: dmy` or `{setting}: mdy` to steerpack.yaml"
        if self.tied:
            return (
                f"{display_name}: column '{label}' has as many rows of day-month-year dates (e.g. "
                f"'{self.example('dmy')}') as of month-day-year ones (e.g. '{self.example('mdy')}'); {add}"
            )
        ambiguous = np.flatnonzero(self.day_first_ok & self.month_first_ok & ~self.same_either_way)[0]
        return (
            f"{display_name}: column '{label}' has numeric dates that read both day-month-year and "
            f"month-day-year (e.g. '{self.shown.iat[int(ambiguous)]}') and no value in the file tells which; {add}"
        )

    def read(self, label: str, order: str | None) -> ColumnDates:
        if order == "mdy":
            stamps, read_ok, other_ok = self.month_first, self.month_first_ok, self.says("dmy")
        else:  # dmy, or no order needed: every numeric date then reads the same either way
            stamps, read_ok = self.day_first, self.day_first_ok
            other_ok = self.says("mdy") if order == "dmy" else np.zeros(len(stamps), dtype=bool)
        values = np.where(read_ok, stamps, np.where(self.year_first_ok, self.year_first, self.own))
        unreadable = self.pending & ~read_ok & ~other_ok & ~self.year_first_ok
        index = self.raw.index
        return ColumnDates(
            label=label,
            raw=self.raw,
            values=pd.Series(values[self.codes], index=index, dtype="datetime64[us]"),
            unreadable=pd.Series(unreadable[self.codes], index=index, dtype="bool"),
            other_order=pd.Series(other_ok[self.codes], index=index, dtype="bool"),
            order=order,
        )


def _date_fields(text: pd.Series, pattern: str):
    """(first, middle, year, seconds of the day, matched) as arrays for values matching `pattern`; None when
    none does. Fields a value does not have are -1; a value whose clock is not a time is not matched."""
    found = pa_compute.extract_regex(pa.array(text, type=pa.string()), pattern)
    matched = found.is_valid().to_numpy(zero_copy_only=False)
    if not matched.any():
        return None

    def number(name: str) -> np.ndarray:
        digits = pa_compute.struct_field(found, name)
        digits = pa_compute.if_else(pa_compute.equal(digits, ""), pa.scalar(None, pa.string()), digits)
        return pa_compute.fill_null(pa_compute.cast(digits, pa.int64()), -1).to_numpy(zero_copy_only=False)

    first, middle, year, hour, minute, second = (
        number(name) for name in ("first", "middle", "year", "hour", "minute", "second")
    )
    same_separator = pa_compute.equal(pa_compute.struct_field(found, "sep1"), pa_compute.struct_field(found, "sep2"))
    matched &= pa_compute.fill_null(same_separator, False).to_numpy(zero_copy_only=False)
    two_digit_year = pa_compute.utf8_length(pa_compute.struct_field(found, "year")).to_numpy(zero_copy_only=False)
    two_digit_year = np.nan_to_num(two_digit_year, nan=0) == 2
    year = np.where(two_digit_year, np.where(year < _TWO_DIGIT_YEAR_PIVOT, 2000 + year, 1900 + year), year)
    half = pa_compute.utf8_upper(pa_compute.struct_field(found, "half")).to_numpy(zero_copy_only=False)
    twelve_hour = (half == "AM") | (half == "PM")
    has_clock = hour >= 0
    hour_ok = np.where(twelve_hour, (hour >= 1) & (hour <= 12), hour <= 23)
    matched &= ~has_clock | (hour_ok & (minute <= 59) & (second <= 59))
    hour = np.where(twelve_hour, hour % 12 + np.where(half == "PM", 12, 0), hour)
    clock = np.where(has_clock, hour * 3600 + minute * 60 + np.maximum(second, 0), 0)
    return first, middle, year, clock, matched


def _compose(
    year: np.ndarray, month: np.ndarray, day: np.ndarray, clock: np.ndarray, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Timestamps from parts, and which parts make a real date (`31/02` does not)."""
    valid = ok & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(valid, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    start = months.astype("datetime64[D]")
    valid &= day <= ((months + 1).astype("datetime64[D]") - start).astype("int64")
    stamps = start.astype("datetime64[us]") + ((day - 1) * 86_400 + clock).astype("timedelta64[s]")
    return np.where(valid, stamps, np.datetime64("NaT")).astype("datetime64[us]"), valid


_CURRENCY_SYMBOLS = "$€£¥₹₽₩¢"
_SPACES = ("\u00a0", "\u202f", " ")  # no-break, narrow no-break and plain spaces group thousands too


def parse_numbers(
    values: pd.Series, decimal: str = ".", thousands: str | None = None, trailing_minus: bool = True
) -> tuple[pd.Series, pd.Series]:
    """Numbers as written by a locale: `1.234,56`, `1,234.56`, `1 234,56`, SAP's trailing minus `1.234,56-`,
    `(12.00)`, currency symbols and codes (`€1.234,56`, `-$12`, `12.00 USD`).

    `thousands` is the grouping mark to accept (none when None). It is taken only where it groups by threes:
    with thousands `.`, `1.234.567,89` reads, `12.5` is an error, never 125.
    """
    text = values.fillna("").astype("str").str.strip()
    for space in _SPACES:
        text = text.str.replace(space, "", regex=False)
    empty = text == ""
    text = text.str.replace(f"[{_CURRENCY_SYMBOLS}]", "", regex=True)
    # ISO currency codes either side (EUR 12, 12 USD): three capitals beside the number, nothing else, so `12abc`
    # stays an error instead of reading as 12
    text = text.str.replace(r"^[A-Z]{3}([-+(0-9.,])", r"\1", regex=True)
    text = text.str.replace(r"([-0-9.,)])[A-Z]{3}$", r"\1", regex=True)
    negative = text.str.match(r"^\(.*\)$")
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    if trailing_minus:
        trailing = text.str.endswith("-") & (text.str.len() > 1)
        negative = negative | trailing
        text = text.where(~trailing, text.str[:-1])
    bad_grouping = pd.Series(False, index=text.index)
    if thousands and thousands not in _SPACES:
        mark, point = re.escape(thousands), re.escape(decimal)
        grouped = text.str.match(f"^[-+]?[0-9]{{1,3}}({mark}[0-9]{{3}})+({point}[0-9]*)?$")
        bad_grouping = text.str.contains(thousands, regex=False) & ~grouped
        text = text.str.replace(thousands, "", regex=False)
    if decimal != ".":
        text = text.where(~text.str.contains(".", regex=False), "not a number")  # `.` is no mark of this locale
        text = text.str.replace(decimal, ".", regex=False)
    numbers = pd.to_numeric(text.where(~empty, None), errors="coerce")
    numbers = numbers.where(~negative, -numbers.abs())
    # `inf`, `Infinity`, `1e999` convert to infinity: no amount, count or rate (DESIGN §4a)
    infinite = pd.Series(np.isinf(numbers.to_numpy(dtype="float64", na_value=np.nan)), index=text.index)
    bad = (numbers.isna() & ~empty) | bad_grouping | infinite
    return numbers.where(~(bad_grouping | infinite)).astype("float64"), bad


def thousands_for(decimal: str, declared: str | None) -> str:
    """The thousands mark a layout implies: the declared one, else `.` for a decimal comma and `,` for a point."""
    if declared is not None:
        return declared
    return "." if decimal == "," else ","


_MONTH_TOKEN = r"[^\d/\s]+"


def translate_month_names(values: pd.Series, months: dict[str, str]) -> pd.Series:
    """Replace a localised month name between slashes (`10/nov/25`, `3/Okt/26`) with its English abbreviation."""
    text = values.fillna("").astype("str")
    if text.empty:  # a header-only export: Arrow hands back a chunked array of no chunks
        return text
    tokens = pa_compute.extract_regex(pa.array(text, type=pa.string()), f"/(?P<token>{_MONTH_TOKEN})/")
    # a column holds a dozen distinct month names at most, so each is replaced across the column at once
    for token in pa_compute.unique(pa_compute.struct_field(tokens, "token").drop_null()).to_pylist():
        english = months.get(token.lower().rstrip("."))
        if english and english != token:
            text = text.str.replace(f"/{token}/", f"/{english}/", n=1, regex=False)
    return text


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
    """A cell as a number: a numeric cell as it is; text read by `parse_numbers`' rules (parentheses and a
    trailing minus for negatives, currency symbols and codes, spaces), its marks taken as the value writes them
    (`number_marks`)."""
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
    text = str(value).strip()
    if _PLAIN_NUMBER.match(text):
        return float(text)
    decimal, thousands = number_marks(text)
    numbers, bad = parse_numbers(pd.Series([text], dtype="str"), decimal=decimal, thousands=thousands)
    if bad.iat[0]:
        if _reads_non_finite(text):
            raise ValueError(f"{value!r} is not a finite number")
        raise ValueError(f"{value!r} is not a number")
    return float(numbers.iat[0])


_PLAIN_NUMBER = re.compile(r"^[-+]?[0-9]+(\.[0-9]+)?$")
_GROUPED_BY_COMMAS = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$")
_GROUPED_BY_POINTS = re.compile(r"^[0-9]{1,3}(\.[0-9]{3}){2,}(,[0-9]*)?$")


def number_marks(text: str) -> tuple[str, str | None]:
    """The decimal and thousands marks of one written number, for `parse_numbers`: where a comma and a point are
    both written, the last is the decimal mark (`80,000.50`, `80.000,50`); a lone comma is a decimal comma
    (`12,5`) unless it groups by threes (`1,234`); points alone are decimal unless they group by threes at least
    twice (`1.234.567`; `1.234` is one point two three four)."""
    marks = re.sub(r"[^0-9.,]", "", text)
    if "," in marks and "." in marks:
        return (",", ".") if marks.rindex(",") > marks.rindex(".") else (".", ",")
    if "," in marks:
        return (".", ",") if _GROUPED_BY_COMMAS.match(marks) else (",", None)
    if _GROUPED_BY_POINTS.match(marks):
        return (",", ".")
    return (".", None)


def _reads_non_finite(text: str) -> bool:
    """`inf`, `1e999`, `nan`: text that reads as a float, but as no finite one."""
    try:
        number = float(text.replace("\u00a0", "").replace(" ", "").replace(",", ""))
    except ValueError:
        return False
    return math.isnan(number) or math.isinf(number)


def to_int(value: Any) -> int | None:
    number = to_number(value)
    if number is None:
        return None
    if not float(number).is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)
