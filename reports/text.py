"""Text from the inbox shown to a person: file names, finding texts, error messages (DESIGN §4a).

A file name or a cell can hold a newline, a terminal escape (`ESC [2J`) or a bidi override (U+202E): printed as
they are, they forge lines of a report, clear a terminal or reverse what a reader sees. `printable` shows them
as escapes instead, and keeps every ordinary letter (é, ß, 日本) as it is.
"""

from __future__ import annotations

import unicodedata

# The bidi controls: embeddings, overrides, isolates and marks (Unicode's Bidi_Control property).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control (Cc), format (Cf: zero-width, bidi, BOM), surrogate (Cs), line and paragraph separators (Zl, Zp).
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(character: str) -> str:
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8, as os.fsdecode keeps it (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: object) -> str:
    """`text` (made a str) with every control, format, bidi and separator character shown as its escape, as
    Python's `ascii()` writes it (`\\n`, `\\x1b`, `\\u202e`), and the bytes of a non-UTF-8 file name as `\\xff`;
    everything else as it is. The result is one line, valid UTF-8, and `printable(printable(t)) == printable(t)`
    (a backslash is kept as it is, so escaping twice changes nothing)."""
    text = str(text)
    if text.isprintable():  # the common case, fast: no character of the categories below (space is printable)
        return text
    return "".join(
        _escaped(character)
        if character in BIDI_CONTROLS or unicodedata.category(character) in _ESCAPED_CATEGORIES
        else character
        for character in text
    )


def printable_lines(text: object) -> str:
    """`printable` line by line, the line breaks kept: for a message steerpack put together of several lines (a
    config error per key, a blocked month and its findings), each of whose lines must stay one line."""
    return "\n".join(printable(line) for line in str(text).split("\n"))
