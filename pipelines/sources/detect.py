"""How a file's format is recognised by its content, never by its name or folder (DESIGN §3).

A source family (plans, finance, incidents) lists its formats as `Format`s: a matcher, on the file's first
bytes (a ZIP workbook, an XML document) or on its header (a delimited file's or a sheet's first row), and the
parser the file then goes to. The family's entry point asks `recognise` for the first format that matches, and
a file none matches gets the one sentence `no_format_matched` writes, naming the header found and the formats
expected. Here too: the ZIP magic that tells a workbook, and reading a file's first bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from pipelines.sources.common import LoadBatch, SourceFormatError

ZIP_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a ZIP archive
HEAD_BYTES = 4096
SHOWN_HEADERS = 8  # the header names a refusal shows

Found = TypeVar("Found")  # what a format is matched on: the head bytes, or the header


@dataclass(frozen=True)
class Format(Generic[Found]):
    """One format of a family: `expected` says it in a refusal; `matches` the file's head bytes or header;
    `parse` reads the file (the family decides its arguments: a path, or the table already read)."""

    expected: str
    matches: Callable[[Found], bool]
    parse: Callable[..., LoadBatch]


def recognise(formats: Iterable[Format[Found]], found: Found) -> Format[Found] | None:
    """The first of `formats` that matches `found`; None when none does."""
    return next((known for known in formats if known.matches(found)), None)


def read_head(path: Path, display_name: str, size: int = HEAD_BYTES) -> bytes:
    """The file's first `size` bytes, to recognise it by."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as error:
        raise SourceFormatError(f"{display_name}: cannot be read ({error.strerror})") from None


def is_workbook(head: bytes) -> bool:
    return head.startswith(ZIP_MAGIC)


def is_xml(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def no_format_matched(display_name: str, header: list[str], family: str, expected: str) -> SourceFormatError:
    """The refusal of a file whose header no format of its family matches: `family` names what it is not (`known
    format`, `finance layout`, `incident export`), `expected` the formats it could have been."""
    shown = ", ".join(header[:SHOWN_HEADERS]) + (" ..." if len(header) > SHOWN_HEADERS else "")
    return SourceFormatError(f"{display_name}: header matches no {family} (found: {shown}); expected {expected}")
