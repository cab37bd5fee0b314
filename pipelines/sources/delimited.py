"""Reading delimited exports as the tools write them: bytes to text, text to records.

`read_delimited` returns every record of a CSV as strings (a `RawTable`), with the header exactly as written
(repeated names kept, in order), the record's row number (header = row 1, as a spreadsheet shows it) and the
records that could not be split into the header's fields. Here too: how a file's encoding is chosen (a
byte-order mark, the config's `encoding:`, else detected), what binary files look like, and `peek_header`.
Converting the columns read is `pipelines.sources.columns`'; accounting for the rows, `pipelines.sources.common`'.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from pipelines.sources.common import SourceFormatError
from pipelines.sources.detect import ZIP_MAGIC

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
    (ZIP_MAGIC, "a zip archive (an Excel workbook?)"),
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
