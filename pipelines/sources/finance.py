"""Finance line items (actual cost) and monthly FX rates.

Every ERP and AP system exports its own layout, so a layout is data: which header holds which canonical
column, the delimiter, decimal mark, thousands separator and date format. The generic layout and SAP's
CJI3 line-item list are built in; `finance.layouts` in steerpack.yaml adds more. A file is matched to the
layout whose headers it carries. Numbers are read as their locale writes them, SAP's trailing minus
(`1.234,56-`) included; credit notes are negative amounts.

Layouts without a document number (card statements) name several columns for `document_id`; their values
joined make the key, and `line_no` then counts repeats of that key within the file, so the same transaction
in two overlapping extracts still has the same natural key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.sources.columns import parse_datetimes, parse_numbers, thousands_for
from pipelines.sources.common import LoadBatch, SourceFormatError, add_problem, no_problems, require, split_rows
from pipelines.sources.delimited import RawTable, normalise_header, peek_header, read_delimited
from pipelines.sources.detect import ZIP_MAGIC, Format, is_workbook, no_format_matched, read_head
from pipelines.sources.schema import parser_columns
from pipelines.sources.xlsx import SheetReading, WorkbookLimits, iter_sheet, open_workbook

SPEND_FORMAT_PREFIX = "finance:"
FX_FORMAT = "fx_rates_csv"
SPEND_COLUMNS = (
    "document_id",
    "line_no",
    "posting_date",
    "project_code",
    "amount",
    "currency",
    "supplier",
    "description",
    "cost_type",
)


@dataclass(frozen=True)
class SpendLayout:
    name: str
    columns: dict[str, str | tuple[str, ...]]
    delimiter: str | None = None
    decimal: str = "."
    thousands: str | None = None
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    encoding: str | None = None  # None: detected (UTF-8, UTF-16, Windows-1252 ...)
    defaults: dict[str, str] = field(default_factory=dict)

    def headers(self) -> list[str]:
        names: list[str] = []
        for value in self.columns.values():
            names.extend([value] if isinstance(value, str) else value)
        return names

    def matches(self, header: list[str]) -> bool:
        present = {normalise_header(h) for h in header}
        return all(normalise_header(name) in present for name in self.headers())


GENERIC = SpendLayout(
    "generic", {column: column for column in SPEND_COLUMNS}, date_formats=("%Y-%m-%d", "%Y-%m-%d %H:%M:%S")
)
SAP_CJI3 = SpendLayout(
    "sap_cji3",
    {
        "project_code": "WBS Element",
        "posting_date": "Posting Date",
        "document_id": "Document Number",
        "line_no": "Posting row",
        "amount": "Value TranCurr",
        "currency": "Transaction Currency",
        "supplier": "Name",
        "description": "Name of offsetting account",
        "cost_type": "Cost Element",
    },
    delimiter=";",
    decimal=",",
    thousands=".",
    date_formats=("%d.%m.%Y",),
)
BUILT_IN_LAYOUTS = (GENERIC, SAP_CJI3)


def _column(table: RawTable, spec: str | tuple[str, ...]) -> pd.Series:
    if isinstance(spec, str):
        return table.column(spec)
    parts = [table.column(name) for name in spec]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "|" + part
    return joined


def read_xlsx(path: Path, display_name: str, limits: WorkbookLimits = WorkbookLimits()) -> RawTable:
    """The first sheet of a finance workbook as a delimited file would hold it (streamed, within `limits`)."""
    workbook = open_workbook(path, display_name, limits)
    reading = SheetReading()
    try:
        sheet = workbook.worksheets[0]
        rows = iter_sheet(sheet, display_name, limits, reading=reading)
        first = next(rows, None)
        header = [str(h).strip() if h is not None else "" for h in (first.cells if first else ())]
        records, numbers = [], []
        for row in rows:
            values = list(row.cells)[: len(header)]
            records.append([_cell_text(v) for v in values] + [""] * (len(header) - len(values)))
            numbers.append(row.number)
        note = reading.note(sheet.title, limits)  # rows below a long run of empty rows are not read: say so
    finally:
        workbook.close()
    frame = (
        pd.DataFrame(records, columns=range(len(header)), dtype="str")
        if records
        else pd.DataFrame({i: pd.Series(dtype="str") for i in range(len(header))})
    )
    return RawTable(
        header=header, frame=frame, source_row=np.asarray(numbers, dtype="int64"), notes=[note] if note else []
    )


def _cell_text(value) -> str:
    """Excel cells as the text a CSV export would hold: ISO dates, plain numbers."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def match_layout(header: list[str], layouts: tuple[SpendLayout, ...]) -> SpendLayout | None:
    """The layout whose headers the file carries; the most specific one (most headers) when several fit."""
    fitting = [layout for layout in layouts if layout.matches(header)]
    return max(fitting, key=lambda layout: len(layout.headers()), default=None)


def parse_spend(table: RawTable, display_name: str, layout: SpendLayout, is_xlsx: bool = False) -> LoadBatch:
    batch = LoadBatch(source_file=display_name, file_format=SPEND_FORMAT_PREFIX + layout.name, source="finance")
    index = table.frame.index
    frame = pd.DataFrame(index=index)
    frame["source_row"] = table.source_row
    problems = no_problems(index)
    for column in ("document_id", "project_code", "currency", "supplier", "description", "cost_type"):
        if column in layout.columns:
            frame[column] = _column(table, layout.columns[column]).replace("", None)
        else:
            frame[column] = layout.defaults.get(column)
    if "document_id" not in layout.columns:
        raise SourceFormatError(f"{display_name}: layout '{layout.name}' names no document_id column")
    if "line_no" in layout.columns:
        frame["line_no"] = _column(table, layout.columns["line_no"]).replace("", None)
    else:
        frame["line_no"] = (frame.groupby("document_id", dropna=False).cumcount() + 1).astype("str")
    raw_amount = _column(table, layout.columns["amount"])
    # XLSX cells are already numbers: only CSV text carries the locale's marks
    decimal, thousands = (".", None) if is_xlsx else (layout.decimal, thousands_for(layout.decimal, layout.thousands))
    amounts, bad_amount = parse_numbers(raw_amount, decimal=decimal, thousands=thousands)
    frame["amount"] = amounts
    problems = add_problem(problems, bad_amount, layout.columns["amount"], raw_amount, "is not an amount")
    problems = require(problems, raw_amount, "amount")
    raw_date = _column(table, layout.columns["posting_date"])
    formats = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S") if is_xlsx else layout.date_formats
    dates, bad_date = parse_datetimes(raw_date, formats)
    frame["posting_date"] = dates.dt.normalize()
    problems = add_problem(problems, bad_date, layout.columns["posting_date"], raw_date, "is not a date")
    problems = require(problems, raw_date, "posting_date")
    problems = require(problems, frame["document_id"], "document_id")
    if frame["currency"].isna().any() and "currency" not in layout.defaults:
        problems = require(problems, frame["currency"], "currency")
    frame["currency"] = frame["currency"].str.upper()
    not_iso = frame["currency"].notna() & ~frame["currency"].fillna("").str.fullmatch("[A-Z]{3}")
    problems = add_problem(problems, not_iso, "currency", frame["currency"], "is not an ISO currency code")
    split_rows(batch, table, frame[parser_columns("spend")], problems, "spend")
    return batch


def is_fx_header(header: list[str]) -> bool:
    return {normalise_header(h) for h in header} >= {"month", "currency", "rate_to_base"}


def parse_fx_rates(table: RawTable, display_name: str) -> LoadBatch:
    """`month, currency, rate_to_base`: an amount in `currency` times the rate is the amount in the base currency."""
    batch = LoadBatch(source_file=display_name, file_format=FX_FORMAT, source="finance")
    frame = pd.DataFrame(index=table.frame.index)
    frame["source_row"] = table.source_row
    problems = no_problems(table.frame.index)
    raw_month = table.column("month")
    months, bad_month = parse_datetimes(raw_month, ("%Y-%m", "%Y-%m-%d", "%m/%Y"))
    frame["month"] = months.dt.to_period("M").dt.start_time
    problems = add_problem(problems, bad_month, "month", raw_month, "is not a month (YYYY-MM)")
    frame["currency"] = table.column("currency").str.upper().replace("", None)
    raw_rate = table.column("rate_to_base")
    rates, bad_rate = parse_numbers(raw_rate)
    frame["rate_to_base"] = rates
    problems = add_problem(problems, bad_rate | (rates <= 0), "rate_to_base", raw_rate, "is not a positive rate")
    for column, values in (("month", raw_month), ("currency", frame["currency"]), ("rate_to_base", raw_rate)):
        problems = require(problems, values, column)
    split_rows(batch, table, frame[parser_columns("fx_rates")], problems, "fx_rates")
    return batch


# A finance file is FX rates, else spend in the most specific declared layout its header carries (`match_layout`).
FX_RATES: Format[list[str]] = Format("fx rates (month, currency, rate_to_base)", is_fx_header, parse_fx_rates)


def parse_finance_file(
    path: Path,
    display_name: str,
    layouts: tuple[SpendLayout, ...],
    limits: WorkbookLimits = WorkbookLimits(),
    encoding: str | None = None,
) -> LoadBatch:
    """A finance drop file: FX rates, or spend in whichever declared layout its header matches. A CSV is read
    in its layout's encoding, else the finance section's `encoding`, else the one detected."""
    is_xlsx = is_workbook(read_head(path, display_name, len(ZIP_MAGIC)))
    table = read_xlsx(path, display_name, limits) if is_xlsx else None
    header = table.header if table is not None else peek_header(path, display_name, encoding)
    if FX_RATES.matches(header):
        return FX_RATES.parse(table or read_delimited(path, display_name, encoding=encoding), display_name)
    layout = match_layout(header, layouts)
    if layout is None:
        expected = "; ".join(f"{known.name}: {', '.join(known.headers())}" for known in layouts)
        raise no_format_matched(display_name, header, "finance layout", f"{FX_RATES.expected} or a layout — {expected}")
    if table is None:
        table = read_delimited(path, display_name, layout.delimiter, layout.encoding or encoding)
    return parse_spend(table, display_name, layout, is_xlsx=is_xlsx)
