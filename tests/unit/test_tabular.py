"""The delimited-file reader: record numbers as a spreadsheet shows them, and what it does with odd records.

Also the parallel parse of a drop: the same batches, in the same order, as parsing file by file.
"""

import datetime as dt

import pandas as pd
import pytest

from pipelines.config import Settings
from pipelines.core.ingest import DROP_PARTS, iter_drop_part
from pipelines.sources.columns import on_distinct, parse_datetimes, parse_numbers, translate_month_names
from pipelines.sources.common import SourceFormatError
from pipelines.sources.delimited import read_delimited


def test_records_keep_their_numbers_across_multiline_cells_blank_lines_and_bad_records(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"\xef\xbb\xbfKey,Summary,Points\n"  # record 1: the header, after a BOM
        b'A-1,"two\nlines",3\n'  # record 2 spans two lines
        b"\n"  # record 3: blank, not a row and not an error
        b"A-2,short\n"  # record 4: too few fields
        b"A-3,trailing,5,,\n"  # record 5: Excel's trailing delimiters, kept
        b'A-4,"x, y",8\n'  # record 6
        b"A-5,too,many,fields\n"  # record 7: too many fields with values
    )
    table = read_delimited(path, "export.csv")
    assert table.header == ["Key", "Summary", "Points"]
    assert table.frame.values.tolist() == [["A-1", "two\nlines", "3"], ["A-3", "trailing", "5"], ["A-4", "x, y", "8"]]
    assert table.source_row.tolist() == [2, 5, 6]
    assert [(row, reason) for row, reason, _ in table.malformed] == [
        (4, "row 4 has 2 fields, the header has 3"),
        (7, "row 7 has 4 fields, the header has 3"),
    ]
    assert table.malformed[1][2] == ["A-5", "too", "many", "fields"]
    assert table.rows_read == 5  # every record but the header and the blank line


def test_repeated_header_names_stay_positional_and_utf16_is_read(tmp_path):
    path = tmp_path / "jira.csv"
    path.write_bytes("Key;Labels;Labels\nK-1;a;b\nK-2;;c\n".encode("utf-16"))
    table = read_delimited(path, "jira.csv")
    assert table.positions("labels") == [1, 2]
    assert table.joined("Labels").tolist() == ["a;b", "c"]


@pytest.mark.parametrize(
    "content, encoding, message",
    [
        (b"", None, "the file is empty"),
        (b"\xef\xbb\xbf \n", None, "the file is empty"),
        # declared UTF-8 (the config's `encoding:`), the bytes are not: said, not guessed around
        (b"Key,Summary\nK-1,caf\xe9\n", "utf-8", r"not UTF-8 text \(byte 0xe9 at offset 19\)"),
    ],
)
def test_unreadable_files_say_why(tmp_path, content, encoding, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(SourceFormatError, match=f"^bad.csv: {message}"):
        read_delimited(path, "bad.csv", encoding=encoding)


def test_dates_are_parsed_once_per_distinct_value_with_the_same_result():
    values = pd.Series(["19/nov/25 12:00 AM", "", "3/Okt/26 5:00 PM", "19/nov/25 12:00 AM", "soon"] * 3)
    translated = translate_month_names(values, {"nov": "Nov", "okt": "Oct"})
    seen: list[list[str]] = []

    def parse(distinct: pd.Series) -> tuple[pd.Series, pd.Series]:
        seen.append(distinct.tolist())
        return parse_datetimes(distinct, ["%d/%b/%y %I:%M %p"])

    parsed, bad = on_distinct(translated, parse)
    assert seen == [["19/Nov/25 12:00 AM", "", "3/Oct/26 5:00 PM", "soon"]]  # 4 distinct of 15 values, once
    assert (
        parsed.tolist()
        == [pd.Timestamp(2025, 11, 19), pd.NaT, pd.Timestamp(2026, 10, 3, 17), pd.Timestamp(2025, 11, 19), pd.NaT] * 3
    )
    assert bad.tolist() == [False, False, False, False, True] * 3


def test_a_drop_parsed_in_worker_processes_matches_the_file_by_file_parse(tmp_path):
    month = tmp_path / "inbox" / "2026-10" / "jira"
    month.mkdir(parents=True)
    for n in range(5):
        rows = "".join(f"P{n}-{i},Item {i},Story,Done,{i % 8},0{1 + i % 9}/Jan/26 9:30 AM\n" for i in range(1, 40))
        (month / f"P{n}.csv").write_text(
            "Issue key,Summary,Issue Type,Status,Custom field (Story Points),Created\n"
            + rows
            + f"P{n}-x,bad,Story,Done,lots,\n"
        )
    settings = Settings(inbox=tmp_path / "inbox")
    part = DROP_PARTS["plans"]
    one_by_one = list(iter_drop_part(part, settings, dt.date(2026, 10, 1), parallel_min_bytes=10**12))
    in_workers = list(iter_drop_part(part, settings, dt.date(2026, 10, 1), parallel_min_bytes=0))
    assert (
        [b.source_file for b in in_workers]
        == [b.source_file for b in one_by_one]
        == [f"2026-10/jira/P{n}.csv" for n in range(5)]
    )
    for serial, parallel in zip(one_by_one, in_workers):
        pd.testing.assert_frame_equal(serial.tables["work_items"], parallel.tables["work_items"])
        assert serial.rejects == parallel.rejects
        assert [r.source_row for r in parallel.rejects] == [41]
    assert sum(b.rows_loaded("work_items") for b in in_workers) == 5 * 39


@pytest.mark.parametrize(
    "decimal, thousands, written, expected",
    [
        (",", ".", "1.234,56", 1234.56),
        (",", ".", "1.234,56-", -1234.56),
        (",", ".", "1\u00a0234,56", 1234.56),  # no-break space groups thousands
        (",", ".", "1\u202f234,56", 1234.56),  # narrow no-break space (French Excel)
        (",", ".", "EUR 1.234,56", 1234.56),
        (",", ".", "€1.234,56-", -1234.56),
        (",", ".", "12.5", None),  # a point is no mark of this locale, never 125
        (".", ",", "(1,234.56)", -1234.56),
        (".", ",", "-$12", -12.0),
        (".", ",", "12.00 USD", 12.0),
        (".", ",", "1,234,567.89", 1234567.89),
        (".", ",", "12,34", None),  # does not group by threes
        (".", ",", "12abc", None),  # letters that are no currency code
        (".", ",", "abc", None),
        (".", ",", "USD", None),
        (".", ",", "12 abcd", None),
    ],
)
def test_numbers_in_either_locale(decimal, thousands, written, expected):
    numbers, bad = parse_numbers(pd.Series([written, ""], dtype="string[pyarrow]"), decimal, thousands)
    assert bad.tolist() == [expected is None, False]
    assert (None if pd.isna(numbers[0]) else round(numbers[0], 2)) == expected and pd.isna(numbers[1])


ODD_RECORDS = (
    b"\xef\xbb\xbfKey,Summary,Points\n"
    b'A-1,"two\nlines",3\n'
    b"\n"
    b"A-2,short\n"
    b"A-3,trailing,5,,\n"
    b'A-4,"x, y",8\n'
    b"A-5,too,many,fields\n"
)


@pytest.mark.parametrize(
    "content, streamed",
    [
        (ODD_RECORDS, True),  # plain UTF-8 (a BOM is fine): Arrow reads it from disk
        (ODD_RECORDS.replace(b"two", b"tw\x00o"), False),  # a NUL to remove: read through memory, and noted
        (ODD_RECORDS[3:].replace(b"two", "twö".encode("cp1252")), False),  # Windows-1252: detected, and noted
    ],
)
def test_a_large_plain_utf8_export_is_read_from_disk_with_the_same_records(tmp_path, monkeypatch, content, streamed):
    """From delimited.STREAM_MIN_BYTES (64 MiB) on, a plain UTF-8 export is handed to Arrow as a file, never held
    whole in memory; the records, their numbers and the malformed ones are what the in-memory read gives."""
    import pipelines.sources.delimited as delimited

    path = tmp_path / "export.csv"
    path.write_bytes(content)
    in_memory = read_delimited(path, "export.csv")
    monkeypatch.setattr(delimited, "STREAM_MIN_BYTES", 0)
    read_whole = []
    original = type(path).read_bytes
    monkeypatch.setattr(type(path), "read_bytes", lambda self: read_whole.append(self) or original(self))
    large = read_delimited(path, "export.csv")
    assert (read_whole == []) == streamed
    assert large.header == in_memory.header == ["Key", "Summary", "Points"]
    assert large.frame.values.tolist() == in_memory.frame.values.tolist()
    assert large.source_row.tolist() == in_memory.source_row.tolist() == [2, 5, 6]
    assert large.malformed == in_memory.malformed and [row for row, _, _ in large.malformed] == [4, 7]
    assert (large.notes, large.encoding) == (in_memory.notes, in_memory.encoding)
