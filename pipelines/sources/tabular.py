"""Reading delimited exports as the tools write them, and converting whole columns at once.

`read_delimited` returns every record of a CSV as strings, with the header exactly as written (repeated names
kept, in order), the record's row number (header = row 1, as a spreadsheet shows it) and the records that
could not be split into the header's fields. Conversions work on columns (pandas), not row by row, and
report which rows failed so the caller can quarantine them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv

from pipelines.sources.common import LoadBatch, Reject, SourceFormatError

csv.field_size_limit(64 * 1024 * 1024)  # Jira descriptions and ServiceNow work notes run long
BLOCK_BYTES = 16 * 1024 * 1024  # Arrow parses a file a block at a time
MAX_BLOCK_BYTES = 2**31 - 1


@dataclass
class RawTable:
    """A delimited file as strings: positional columns under the header as written."""

    header: list[str]
    frame: pd.DataFrame  # columns 0..n-1 (positional, so repeated header names survive), str values
    source_row: np.ndarray
    malformed: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (row, reason, fields)
    notes: list[str] = field(default_factory=list)  # what reading changed, for the load log (encoding, NULs)
    encoding: str = "UTF-8"  # how the file was read, as steerpack validate shows it

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.malformed)

    def positions(self, name: str) -> list[int]:
        """Every position of a header name (compared without case and surrounding space)."""
        wanted = normalise_header(name)
        return [i for i, h in enumerate(self.header) if normalise_header(h) == wanted]

    def column(self, *names: str) -> pd.Series | None:
        """The first column called any of `names`, with values stripped; None when there is none."""
        for name in names:
            found = self.positions(name)
            if found:
                return self.frame[found[0]].str.strip()
        return None

    def joined(self, name: str, separator: str = ";") -> pd.Series | None:
        """All columns of a repeated name (Jira's Labels, Sprint), non-empty values joined in order."""
        found = self.positions(name)
        if not found:
            return None
        joined = self.frame[found[0]].str.strip()
        for position in found[1:]:
            part = self.frame[position].str.strip()
            both = joined + separator + part
            joined = joined.where(part == "", part.where(joined == "", both))
        return joined

    def record(self, index: int) -> dict[str, str]:
        """A row as header -> value (repeated names get #2, #3 ...), for the quarantine's raw_record."""
        out: dict[str, str] = {}
        for position, name in enumerate(self.header):
            value = self.frame.iat[index, position]
            if value:
                key = name if name not in out else f"{name} #{sum(1 for k in out if k.split(' #')[0] == name) + 1}"
                out[key] = value
        return out


def normalise_header(name: str) -> str:
    return " ".join(str(name).replace("\ufeff", "").split()).lower()


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_BINARY_MAGIC = (
    (b"PK\x03\x04", "a zip archive (an Excel workbook?)"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls: save it as CSV or .xlsx)"),
    (b"\x1f\x8b", "a gzip archive"),
)
_UTF8_NAMES = ("utf-8", "utf-8-sig", "utf8")


def sniff_encoding(sample: bytes, declared: str) -> str:
    """A byte-order mark wins; UTF-16 without one shows as a NUL in every other byte (ASCII text in two-byte
    units); otherwise the declared encoding."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    even, odd = sample[0::2], sample[1::2]
    if len(odd) >= 2:
        even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
        if odd_nul > 0.3 and even_nul < 0.05:
            return "utf-16-le"
        if even_nul > 0.3 and odd_nul < 0.05:
            return "utf-16-be"
    return declared


def binary_kind(sample: bytes) -> str | None:
    """What a file that is not text at all looks like, or None for text (stray NUL bytes included)."""
    for magic, kind in _BINARY_MAGIC:
        if sample.startswith(magic):
            return kind
    if sniff_encoding(sample, "") in ("utf-16", "utf-16-le", "utf-16-be"):
        return None
    # Text has tabs and line breaks, not other control bytes; a stray NUL here and there is a broken export.
    control = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r\f")
    if sample and control / len(sample) > 0.05:
        return "binary data"
    return None


def detect_encoding(data: bytes) -> str | None:
    """How bytes that are not UTF-8 were written. Windows-1252 (what Excel writes on a Western Windows, a superset
    of Latin-1) whenever it reads them as plausible text; otherwise charset-normalizer's best guess (Cyrillic,
    Central European and other code pages). Detection among single-byte code pages is a guess: a Turkish or Baltic
    file that also reads as Western text needs its `encoding:` declared. None when no encoding reads the bytes."""
    from charset_normalizer import from_bytes  # imported here: a UTF-8 drop never needs it
    from charset_normalizer.md import mess_ratio

    sample = data[:PLAUSIBLE_SAMPLE_BYTES]
    try:
        western = data.decode(WINDOWS_1252)
    except UnicodeDecodeError:
        western = None
    if western is not None and mess_ratio(western[:PLAUSIBLE_SAMPLE_BYTES], maximum_threshold=1.0) <= 0.2:
        return WINDOWS_1252
    best = from_bytes(sample if len(data) > PLAUSIBLE_SAMPLE_BYTES else data).best()
    return None if best is None else best.encoding


PLAUSIBLE_SAMPLE_BYTES = 256 * 1024
WINDOWS_1252 = "cp1252"
ENCODING_NAMES = {
    "utf_8": "UTF-8",
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf_16": "UTF-16",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "cp1252": "Windows-1252",
}


def encoding_label(encoding: str) -> str:
    return ENCODING_NAMES.get(encoding.lower(), encoding)


def _decode(data: bytes, display_name: str, encoding: str | None) -> tuple[str, str, list[str]]:
    """The file's text, the encoding read, and notes for the load log.

    A byte-order mark or UTF-16's every-other-byte NULs win; then the declared encoding (config `encoding:`);
    else UTF-8 when the bytes are UTF-8, and otherwise what `detect_encoding` finds. NUL characters (a stray
    binary zero from a broken export) carry no text: they are removed wherever they are, and the load log says
    how many."""
    sample = data[:4096]
    kind = binary_kind(sample)
    if kind:
        raise SourceFormatError(f"{display_name}: {kind}, not a text export")
    notes = []
    sniffed = sniff_encoding(sample, "")
    chosen = sniffed or encoding or "utf-8-sig"
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError as error:
        detected = None if (sniffed or encoding) else detect_encoding(data)
        if detected is None:
            shown = encoding_label(chosen)
            raise SourceFormatError(
                f"{display_name}: not {shown} text (byte 0x{data[error.start]:02x} at offset {error.start}); "
                "export the file as UTF-8 or declare its encoding (`encoding:` of its source in steerpack.yaml)"
            ) from None
        chosen, text = detected, data.decode(detected, errors="replace")
        notes.append(f"read as {encoding_label(detected)} (detected: the file is not UTF-8)")
    else:
        if encoding and not sniffed:
            notes.append(f"read as {encoding_label(chosen)} (declared)")
        elif sniffed and sniffed not in ("utf-8-sig",):
            notes.append(f"read as {encoding_label(chosen)}")
    if "\x00" in text:
        notes.append(f"{text.count(chr(0))} NUL character(s) removed (binary zeros carry no text)")
        text = text.replace("\x00", "")
    return text, chosen, notes


def sniff_delimiter(first_line: str, candidates: str = ",;\t|") -> str:
    counts = {d: first_line.count(d) for d in candidates}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def peek_header(path: Path, display_name: str, encoding: str | None = None) -> list[str]:
    """The header of a delimited file, read leniently (any encoding, any delimiter) to choose how to read the rest."""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as error:
        raise SourceFormatError(f"{display_name}: cannot be read ({error.strerror})") from None
    if not head.strip():
        raise SourceFormatError(f"{display_name}: the file is empty")
    kind = binary_kind(head[:4096])
    if kind:
        raise SourceFormatError(f"{display_name}: {kind}, not a text export")
    encoding = sniff_encoding(head[:4096], "") or encoding
    if encoding is None:
        complete = head[: head.rfind(b"\n") + 1] or head  # no character cut in two at the end
        try:
            complete.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = detect_encoding(complete) or "utf-8"
    text = head.decode(encoding, errors="replace").replace("\x00", "").lstrip("\ufeff")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    return [h.strip() for h in next(csv.reader([first_line], delimiter=sniff_delimiter(first_line)), [])]


def read_delimited(
    path: Path, display_name: str, delimiter: str | None = None, encoding: str | None = None
) -> RawTable:
    """Every record of a delimited text file; malformed records are kept aside with their reason.

    Arrow's CSV reader splits the records (row by row in Python was most of ingest's time at scale). It reports
    each record that does not have the header's width with its record number, which is what lets every good
    row keep its own number too: the good rows are the records that were not reported, in order.
    """
    try:
        size = path.stat().st_size
        declared_utf8 = encoding is None or encoding.replace("_", "-").lower() in _UTF8_NAMES
        if size >= STREAM_MIN_BYTES and declared_utf8 and _plain_utf8_file(path):
            # Large and already what Arrow reads (UTF-8, no NUL): Arrow reads it from disk a block at a time, so
            # the file's bytes are never held whole in memory beside the decoded text.
            data: bytes | str = str(path)
            with path.open("rb") as handle:
                head = handle.read(HEADER_PEEK_BYTES).removeprefix(b"\xef\xbb\xbf")
            encoding, notes = "utf-8", []
        else:
            data = path.read_bytes()
            head = b""
    except OSError as error:
        raise SourceFormatError(f"{display_name}: cannot be read ({error.strerror})") from None
    if isinstance(data, bytes):
        text, encoding, notes = _decode(data, display_name, encoding)
        if not text.strip().lstrip("\ufeff").strip():
            raise SourceFormatError(f"{display_name}: the file is empty")
        if notes or encoding.replace("_", "-").lower() not in _UTF8_NAMES:
            data = text.lstrip("\ufeff").encode("utf-8")  # Arrow reads UTF-8 only
        elif data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        del text
        head = data
    header_text = head[: _header_end(head)].decode("utf-8", errors="replace")
    delimiter = delimiter or sniff_delimiter(header_text.split("\n", 1)[0])
    header = [h.strip() for h in next(csv.reader(io.StringIO(header_text, newline=""), delimiter=delimiter), [])]
    width = len(header)
    if not width:
        raise SourceFormatError(f"{display_name}: the file is empty")
    names = [str(i) for i in range(width)]
    reported: list[tuple[int, str]] = []

    def invalid(row) -> str:
        reported.append((row.number, row.text))
        return "skip"

    def read(content: bytes | str, block_size: int) -> pa.Table:
        reported.clear()
        return pa_csv.read_csv(
            io.BytesIO(content) if isinstance(content, bytes) else content,
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=block_size),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=invalid
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        try:
            table = read(data, BLOCK_BYTES)
        except pa.ArrowInvalid as error:
            length = len(data) if isinstance(data, bytes) else size
            if "straddl" not in str(error) or length < BLOCK_BYTES:
                raise
            # A record longer than a block (a 50 MB description): read the file as one block instead.
            table = read(data, min(length + 1, MAX_BLOCK_BYTES))
    except pa.ArrowInvalid as error:
        raise SourceFormatError(f"{display_name}: not a readable CSV ({error})") from None
    del data
    frame = table.to_pandas()
    del table
    frame.columns = range(width)
    records_total = len(frame) + len(reported)
    source_row = np.arange(2, records_total + 2, dtype="int64")
    if reported:
        source_row = source_row[~np.isin(source_row, [number for number, _ in reported])]
    rescued: list[tuple[int, list[str]]] = []
    malformed: list[tuple[int, str, list[str]]] = []
    for number, row_text in reported:
        record = next(csv.reader(io.StringIO(row_text, newline=""), delimiter=delimiter), [])
        if not record or all(not value.strip() for value in record):
            continue  # a blank line is not a record
        if len(record) > width and not any(value.strip() for value in record[width:]):
            rescued.append((number, record[:width]))  # trailing delimiters, as Excel writes them
            continue
        malformed.append((number, f"row {number} has {len(record)} fields, the header has {width}", record))
    blank = (frame[0] == "").to_numpy()
    for position in range(1, width):
        if not blank.any():
            break
        blank = blank & (frame[position] == "").to_numpy()
    if blank.any():
        frame, source_row = frame.loc[~blank], source_row[~blank]
    if rescued:
        extra = pd.DataFrame([record for _, record in rescued], columns=range(width), dtype="str")
        frame = pd.concat([frame, extra], ignore_index=True)
        source_row = np.concatenate([source_row, np.asarray([n for n, _ in rescued], dtype="int64")])
        order = np.argsort(source_row, kind="stable")
        frame, source_row = frame.iloc[order], source_row[order]
    return RawTable(
        header=header,
        frame=frame.reset_index(drop=True),
        source_row=source_row,
        malformed=malformed,
        notes=notes,
        encoding=encoding_label(encoding),
    )


# From this size, a plain UTF-8 export goes to Arrow from disk instead of through memory (read_delimited).
STREAM_MIN_BYTES = 64 * 1024 * 1024
HEADER_PEEK_BYTES = (1 << 20) + 3  # the longest header _header_end looks for, and a BOM


def _plain_utf8_file(path: Path) -> bool:
    """Whether a file is UTF-8 text (with or without BOM) holding no NUL, checked a block at a time: such a file
    needs no transcoding and no clean-up before Arrow reads it. Anything else (another encoding, UTF-16, NULs,
    binary) goes through `_decode`, which says how it was read."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        head = handle.read(4096)
        if binary_kind(head) or sniff_encoding(head, "") not in ("", "utf-8-sig"):
            return False
        handle.seek(0)
        while block := handle.read(BLOCK_BYTES):
            if b"\x00" in block:
                return False
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _header_end(data: bytes, longest: int = 1 << 20) -> int:
    """Where the header record ends: the first newline outside quotes (or the first newline at all, for a
    header with a quote that never closes)."""
    quoted = False
    for position, byte in enumerate(data[:longest]):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x0A and not quoted:
            return position
    newline = data.find(b"\n")
    return newline if newline >= 0 else len(data)


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
