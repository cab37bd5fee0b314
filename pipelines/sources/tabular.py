"""Reading delimited exports as the tools write them, and converting whole columns at once.

`read_delimited` returns every record of a CSV as strings, with the header exactly as written (repeated names
kept, in order), the record's row number (header = row 1, as a spreadsheet shows it) and the records that
could not be split into the header's fields. Conversions work on columns (pandas), not row by row, and
report which rows failed so the caller can quarantine them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
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
        data = path.read_bytes()
    except OSError as error:
        raise SourceFormatError(f"{display_name}: cannot be read ({error.strerror})") from None
    text, encoding, notes = _decode(data, display_name, encoding)
    if not text.strip().lstrip("\ufeff").strip():
        raise SourceFormatError(f"{display_name}: the file is empty")
    if notes or encoding.replace("_", "-").lower() not in _UTF8_NAMES:
        data = text.lstrip("\ufeff").encode("utf-8")  # Arrow reads UTF-8 only
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    del text
    header_text = data[: _header_end(data)].decode("utf-8")
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

    def read(content: bytes, block_size: int) -> pa.Table:
        reported.clear()
        return pa_csv.read_csv(
            io.BytesIO(content),
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
            if "straddl" not in str(error) or len(data) < BLOCK_BYTES:
                raise
            # A record longer than a block (a 50 MB description): read the file as one block instead.
            table = read(data, min(len(data) + 1, MAX_BLOCK_BYTES))
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
    bad = (numbers.isna() & ~empty) | bad_grouping
    return numbers.where(~bad_grouping).astype("float64"), bad


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
RECORD_KEYS = {"spend": "project_code", "work_items": "plan_key", "schedule_tasks": "plan_key"}


def split_rows(batch: LoadBatch, table: RawTable, frame: pd.DataFrame, problems: pd.Series, name: str) -> None:
    """Good rows into the batch's table; the others, and the file's malformed records, into its rejects."""
    bad = (problems != "").to_numpy()
    key_column = RECORD_KEYS.get(name)
    keys = frame.get(key_column)
    for index in np.flatnonzero(bad):
        row = int(frame["source_row"].iat[index])
        key = keys.iat[index] if keys is not None else None
        batch.rejects.append(
            Reject(
                name,
                row,
                f"row {row}: {problems.iat[index].rstrip('; ')}",
                table.record(index),
                str(key).strip() if isinstance(key, str) and key.strip() else None,
            )
        )
    for row, reason, fields in table.malformed:
        batch.rejects.append(Reject(name, row, reason, {"fields": fields}))
    batch.tables[name] = frame.loc[~bad].reset_index(drop=True)
    batch.rows_read[name] = table.rows_read
    batch.notes.extend(note for note in table.notes if note not in batch.notes)
    batch.encoding = table.encoding
