"""Reading Excel workbooks that anyone may have written: bounded, streaming, and never trusting the file's own
claims about its size.

A workbook is a zip of XML parts. Before openpyxl sees one, every part's uncompressed size and compression
ratio are checked against `WorkbookLimits` (a 5 KB file can inflate to gigabytes). Sheets are then read
streaming, row by row as the XML holds them: the sheet's `<dimension>` element is ignored (some writers leave it
stale, which silently cut rows off), trailing empty cells are dropped (one styled cell at XFD1048576 made
openpyxl build a grid of 17 billion cells), reading stops after a long run of empty rows, and a sheet over the
row or column cap is refused with the file, the sheet and the cap. Anything openpyxl raises on a damaged file
(truncated XML, bad compressed data, a broken zip) becomes one SourceFormatError naming the file.

What a person would not see is reported, never decided here: each row says whether it is hidden (`<row
hidden="1">`, or every row of a sheet whose rows are hidden by default) and which of its cells are formulas whose
cached value steerpack cannot vouch for (no cached value at all, or a workbook whose writer asked Excel to
recalculate everything on load, `<calcPr fullCalcOnLoad="1">`: its cached values were not computed by Excel);
`SheetReading` lists the sheet's hidden columns. The caller (the register) decides what to refuse.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import openpyxl
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from pipelines.sources.common import SourceFormatError

_MIB = 1024 * 1024
# Below this size a part's ratio says nothing: a few KB of repeated styles compress a hundredfold.
_RATIO_FLOOR_BYTES = 1 * _MIB


@dataclass(frozen=True)
class WorkbookLimits:
    """Caps on one workbook (config `limits`); the defaults are far above any PMO file."""

    member_bytes: int = 256 * _MIB  # uncompressed size of one part of the workbook
    compression_ratio: int = 200  # uncompressed / compressed, for parts over 1 MiB
    sheet_rows: int = 100_000  # rows with content per sheet (Smartsheet itself stops at 20,000)
    sheet_columns: int = 1_000  # last column with content
    empty_rows_run: int = 1_000  # reading a sheet stops after this many empty rows in a row


@dataclass(frozen=True)
class SheetRow:
    number: int  # Excel's row number, as the analyst sees it
    cells: tuple[Any, ...]  # values, or ReadOnlyCells with `cells=True`; trailing empty cells dropped
    outline_level: int  # Excel's row grouping (Smartsheet's hierarchy); 0 when not grouped
    hidden: bool = False  # hidden in Excel (a person looking at the sheet does not see it)
    # 0-based columns holding a formula whose cached value may be stale or is missing (see the module docstring)
    stale: tuple[int, ...] = ()


@dataclass
class SheetReading:
    """What reading a sheet noticed besides its rows (reported in the load log)."""

    stopped_at: int | None = None  # the last row read before a run of empty rows ended the sheet
    hidden_columns: tuple[int, ...] = ()  # 1-based columns hidden in Excel (`<col hidden="1">`), known once read

    def note(self, sheet_name: str, limits: WorkbookLimits) -> str | None:
        if self.stopped_at is None:
            return None
        return (
            f"sheet '{sheet_name}': reading stopped after row {self.stopped_at}, followed by "
            f"{limits.empty_rows_run:,} empty rows (limits.empty_rows_run); anything below them was not read"
        )


def check_archive(path: Path, display_name: str, limits: WorkbookLimits) -> None:
    """Refuse a workbook whose parts would inflate past the caps, before anything is decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise SourceFormatError(f"{display_name}: not a readable Excel workbook ({error})") from None
    for member in members:
        if member.file_size > limits.member_bytes:
            raise SourceFormatError(
                f"{display_name}: part {member.filename} would inflate to {member.file_size / _MIB:,.0f} MiB, over "
                f"the cap of {limits.member_bytes / _MIB:,.0f} MiB (limits.member_bytes); this is not a workbook "
                "steerpack reads"
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR_BYTES and ratio > limits.compression_ratio:
            raise SourceFormatError(
                f"{display_name}: part {member.filename} is compressed {ratio:,.0f} to 1, over the cap of "
                f"{limits.compression_ratio} to 1 (limits.compression_ratio); a workbook bomb is refused"
            )


@contextmanager
def readable(display_name: str) -> Iterator[None]:
    """Whatever openpyxl raises while reading this file means the file is damaged: one clear error naming it."""
    try:
        yield
    except SourceFormatError:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl raises zlib, zip, XML, KeyError, ValueError ... on bad input
        reason = str(error).strip() or type(error).__name__
        raise SourceFormatError(
            f"{display_name}: not a readable Excel workbook ({type(error).__name__}: "
            f"{reason[:200]}); save it again from Excel and re-drop it"
        ) from None


def open_workbook(path: Path, display_name: str, limits: WorkbookLimits) -> openpyxl.Workbook:
    """The workbook in read-only mode (cells are read as the sheets are walked), after the archive check."""
    check_archive(path, display_name, limits)
    with readable(display_name):
        return openpyxl.load_workbook(path, read_only=True, data_only=True)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _true(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true")


def column_name(number: int) -> str:
    """Excel's letter for a 1-based column (`F`), for findings a person can follow."""
    return get_column_letter(number) if 1 <= number <= 18278 else str(number)


def recalculates_on_load(workbook: openpyxl.Workbook) -> bool:
    """Whether the workbook's writer asked for a full recalculation on open (`<calcPr fullCalcOnLoad="1">`): tools
    other than Excel do so when they could not compute formulas, and the cached values they wrote (often none, or
    0) are not what Excel shows. openpyxl's own reading defaults the flag to true, so workbook.xml is read here."""
    archive = getattr(workbook, "_archive", None)
    if archive is None:
        return False
    part = "xl/workbook.xml"
    try:
        for rel in SafeET.fromstring(archive.read("_rels/.rels")):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
                part = posixpath.normpath(rel.get("Target").lstrip("/"))
        with archive.open(part) as source:
            for _, element in SafeET.iterparse(source):
                if element.tag.rsplit("}", 1)[-1] == "calcPr":
                    return _true(element.get("fullCalcOnLoad", "0"))
                element.clear()
    except Exception:  # noqa: BLE001 - openpyxl has read this part already; a failure here means no flag
        return False
    return False


class _Parser(WorkSheetParser):
    """openpyxl's parser, also noting per row which cells hold a formula and whether its cached value is trusted."""

    def __init__(self, *args, recalculates: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.recalculates = recalculates
        self.row_stale: list[int] = []

    def parse_row(self, row):
        self.row_stale = []
        return super().parse_row(row)

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if element.find(FORMULA_TAG) is not None and (self.recalculates or _no_cached_value(element)):
            self.row_stale.append(cell["column"])
        return cell


def _no_cached_value(element) -> bool:
    """No `<v>`, or an empty one (`<v/>`, as openpyxl writes) where only a text result (`t="str"`) can be empty."""
    cached = element.find(VALUE_TAG)
    return cached is None or (not (cached.text or "") and element.get("t", "n") != "str")


def iter_sheet(
    sheet: ReadOnlyWorksheet,
    display_name: str,
    limits: WorkbookLimits,
    cells: bool = False,
    reading: SheetReading | None = None,
) -> Iterator[SheetRow]:
    """The sheet's non-empty rows, streamed from its XML (see the module's docstring for the caps)."""
    where = f"{display_name}, sheet '{sheet.title}'"
    with readable(display_name):
        source = sheet._get_source()
    try:
        with readable(display_name):
            parser = _Parser(
                source,
                sheet._shared_strings,
                data_only=sheet.parent.data_only,
                epoch=sheet.parent.epoch,
                date_formats=sheet.parent._date_formats,
                timedelta_formats=sheet.parent._timedelta_formats,
                recalculates=sheet.parent.data_only and recalculates_on_load(sheet.parent),
            )
            rows = parser.parse()
        last_content, kept, empty_run = 0, 0, 0
        first, rows_hidden_by_default = True, False
        while True:
            with readable(display_name):
                number, parsed = next(rows, (None, None))
            if number is None:
                return
            if first:  # `<cols>` and `<sheetFormatPr>` precede the rows in the sheet's XML
                first = False
                rows_hidden_by_default = _true(getattr(getattr(parser, "sheet_format", None), "zeroHeight", None))
                if reading is not None:
                    reading.hidden_columns = _hidden_columns(parser.column_dimensions, limits)
            dimensions = parser.row_dimensions.pop(str(number), None)
            stale = set(parser.row_stale)
            # a formula with no cached value reads as empty: the row still counts, so the caller can refuse it
            filled = [cell for cell in parsed if not _is_empty(cell["value"]) or cell["column"] in stale]
            if not filled:
                # Rows the XML leaves out cost nothing; rows it holds empty (styled) cost parsing, so a long
                # run of them ends the sheet. The load log says where, in case anything followed.
                empty_run += 1
                if empty_run >= limits.empty_rows_run:
                    if reading is not None:
                        reading.stopped_at = last_content
                    return
                continue
            empty_run = 0
            width = max(cell["column"] for cell in filled)
            if width > limits.sheet_columns:
                raise SourceFormatError(
                    f"{where}: row {number} has content in column {width}, over the cap of "
                    f"{limits.sheet_columns:,} columns (limits.sheet_columns)"
                )
            kept += 1
            if kept > limits.sheet_rows:
                raise SourceFormatError(
                    f"{where}: more than {limits.sheet_rows:,} rows, over the cap of "
                    f"{limits.sheet_rows:,} rows per sheet (limits.sheet_rows)"
                )
            values: list[Any] = [None] * width
            for cell in parsed:
                if cell["column"] <= width:
                    values[cell["column"] - 1] = ReadOnlyCell(sheet, **cell) if cells else cell["value"]
            level = int(float((dimensions or {}).get("outlineLevel", 0) or 0))
            last_content = number
            yield SheetRow(
                number,
                tuple(values),
                level,
                _row_hidden(dimensions or {}, rows_hidden_by_default),
                tuple(sorted(column - 1 for column in stale if column <= width)),
            )
    finally:
        source.close()


def _row_hidden(attributes: dict, by_default: bool) -> bool:
    if "hidden" in attributes:
        return _true(attributes["hidden"])
    if by_default:  # `<sheetFormatPr zeroHeight="1">`: a row is shown only with a height of its own
        try:
            return not (_true(attributes.get("customHeight")) and float(attributes.get("ht", 0)) > 0)
        except ValueError:
            return True
    return False


def _hidden_columns(dimensions: dict[str, dict], limits: WorkbookLimits) -> tuple[int, ...]:
    """The 1-based columns `<col min max hidden="1">` hides, up to the column cap (later ones hold nothing read)."""
    hidden: set[int] = set()
    for attributes in dimensions.values():
        if not _true(attributes.get("hidden")):
            continue
        try:
            low, high = int(attributes["min"]), int(attributes.get("max", attributes["min"]))
        except (KeyError, ValueError):
            continue
        hidden.update(range(max(low, 1), min(high, limits.sheet_columns) + 1))
    return tuple(sorted(hidden))
