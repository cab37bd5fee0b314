"""The inbox layout: `<inbox>/<YYYY-MM>/<source>/<files>` (DESIGN §3).

The inbox is read as a person sees it (DESIGN §4a): an entry that is a symbolic link, a file with another hard
link, anything that is not a plain file or folder, a name that is not UTF-8 or holds `..`, or an entry that
resolves outside the inbox is refused unread — only `lstat` ever looks at it — and named in a finding.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from pipelines.core.text import printable

MONTH_FOLDER = re.compile(r"\d{4}-\d{2}")
# A name that looks like a month's folder but is not one: `2025-6`, `2025-06 (1)`, `2025-06-old`, `202506`.
_MONTH_LOOKALIKE = re.compile(r"\s*(\d{4})\s*[-_. ]?\s*(\d{1,2})(?!\d)")
_SKIPPED_PREFIXES = (".", "~$")  # hidden and Office's temp files


class InboxError(Exception):
    """The inbox itself is unusable (missing, not a folder)."""


def require_inbox(inbox: Path) -> Path:
    if not inbox.exists():
        raise InboxError(
            f"inbox folder not found: {inbox} (set 'inbox' in steerpack.yaml, or run 'steerpack demo' to write one)"
        )
    if not inbox.is_dir():
        raise InboxError(f"inbox is not a folder: {inbox}")
    return inbox


def month_folder(inbox: Path, month: dt.date) -> Path:
    return inbox / month.strftime("%Y-%m")


@dataclass(frozen=True)
class InboxEntry:
    """One entry of a source folder: read when `refused` is None; else refused unread, `refused` saying why."""

    path: Path
    name: str  # as logs, findings and the pack name it (`display_name`)
    refused: str | None = None


def source_entries(inbox: Path, month: dt.date, source: str) -> list[InboxEntry]:
    """The entries of one source in one month's drop, in a stable order; hidden and temp files and sub-folders
    skipped. A source folder that is a link is one refused entry; a month folder that is not a plain folder has
    none (`drop_problem` names it)."""
    inbox = require_inbox(inbox)
    if _refusal_of_month_folder(inbox, month):
        return []
    folder = month_folder(inbox, month) / source
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return []
    name = display_name(inbox, folder)
    if stat.S_ISLNK(info.st_mode):
        return [InboxEntry(folder, name, f"{name}: refused unread: the source folder is a symbolic link; {_PUT_IT}")]
    if not stat.S_ISDIR(info.st_mode):
        return []
    if not _inside(inbox, folder):
        return [InboxEntry(folder, name, f"{name}: refused unread: the folder resolves outside the inbox; {_PUT_IT}")]
    entries = (_entry(inbox, folder / child) for child in sorted(os.listdir(folder)))
    return [entry for entry in entries if entry is not None]


def source_files(inbox: Path, month: dt.date, source: str) -> list[Path]:
    """The files of one source in one month's drop that may be read, in a stable order (`source_entries` without
    the refused ones)."""
    return [entry.path for entry in source_entries(inbox, month, source) if entry.refused is None]


_PUT_IT = "copy the files themselves into the drop"


def _entry(inbox: Path, path: Path) -> InboxEntry | None:
    """The entry at `path`, refused or to read; None for what is skipped (hidden, temp, a sub-folder, gone)."""
    raw_name = path.name
    name = display_name(inbox, path)
    if ".." in re.split(r"[/\\]", raw_name):
        return InboxEntry(path, name, f"{name}: refused unread: its name holds `..` as a path part; rename the file")
    if raw_name.startswith(_SKIPPED_PREFIXES):
        return None
    try:
        raw_name.encode("utf-8")
    except UnicodeEncodeError:  # os.listdir keeps the bytes that are not UTF-8 as surrogates
        return InboxEntry(path, name, f"{name}: refused unread: its name is not valid UTF-8; rename the file")
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return InboxEntry(path, name, f"{name}: refused unread: it is a symbolic link; {_PUT_IT}")
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return InboxEntry(path, name, f"{name}: refused unread: not a plain file (a device, pipe or socket)")
    if info.st_nlink > 1:
        return InboxEntry(
            path,
            name,
            f"{name}: refused unread: the file has {info.st_nlink} hard links (its content is also another file's); "
            f"{_PUT_IT}",
        )
    return InboxEntry(path, name)


def _inside(inbox: Path, path: Path) -> bool:
    """Whether `path` (a folder already found not to be a link) resolves to a place under the inbox."""
    root, resolved = os.path.realpath(inbox), os.path.realpath(path)
    return os.path.commonpath([root, resolved]) == root


def _refusal_of_month_folder(inbox: Path, month: dt.date) -> str | None:
    """Why the month's folder cannot hold its drop (missing, a link, not a folder), in words; None when it can."""
    folder = month_folder(inbox, month)
    name = f"{month:%Y-%m}"
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return "missing"
    if stat.S_ISLNK(info.st_mode):
        return f"`{name}` in the inbox is a symbolic link, refused unread: put the folder itself in the inbox"
    if not stat.S_ISDIR(info.st_mode):
        return f"`{name}` in the inbox is not a folder"
    if not _inside(inbox, folder):
        return f"`{name}` resolves outside the inbox, refused unread: put the folder itself in the inbox"
    return None


def drop_problem(inbox: Path, month: dt.date, folders: tuple[str, ...]) -> str | None:
    """Why the month has no drop at all, as one finding's text; None when it has one (DESIGN §4a: a month is what
    its drop says; only sources missing from an existing drop are served from earlier snapshots).

    No drop: no `YYYY-MM` folder (folders that look like the month's are named, `2025-6`, `2025-06 (1)`), one
    that is a link or not a folder, or one holding no entry in any of the source `folders`."""
    inbox = require_inbox(inbox)
    name = f"{month:%Y-%m}"
    expected = f"no drop for {name}: expected `inbox/{name}/`"
    refusal = _refusal_of_month_folder(inbox, month)
    if refusal == "missing":
        return expected + _lookalikes(inbox, month)
    if refusal:
        return f"{expected}; {refusal}"
    if any(source_entries(inbox, month, folder) for folder in folders):
        return None
    others = sorted(
        printable(child)
        for child in os.listdir(month_folder(inbox, month))
        if not child.startswith(_SKIPPED_PREFIXES) and child not in folders
    )
    held = f" (it holds {', '.join(f'`{o}`' for o in others[:5])}{', …' if len(others) > 5 else ''})" if others else ""
    return (
        f"{expected} with files in its source folders ({', '.join(f'{f}/' for f in folders)}), "
        f"and it has none{held}" + _lookalikes(inbox, month)
    )


def _lookalikes(inbox: Path, month: dt.date) -> str:
    """`; found `2025-6`, `2025-06 (1)`: name the folder YYYY-MM` for the inbox's entries that look like the
    month's folder and are not it; empty when there is none."""
    found = []
    for child in os.listdir(inbox):
        matched = _MONTH_LOOKALIKE.match(child)
        if matched and child != f"{month:%Y-%m}" and (int(matched[1]), int(matched[2])) == (month.year, month.month):
            found.append(printable(child))
    if not found:
        return ""
    return f"; found {', '.join(f'`{name}`' for name in sorted(found))}: name the folder YYYY-MM"


def display_name(inbox: Path, path: Path) -> str:
    """How a file is named in logs, quarantine and the pack: relative to the inbox, e.g.
    `2026-10/register/portfolio.xlsx`, its control and bidi characters (and the bytes of a name that is not
    UTF-8) escaped (`printable`), so a name can neither forge a line nor break a UTF-8 encoder."""
    try:
        return printable(path.relative_to(inbox).as_posix())
    except ValueError:
        return printable(path.name)


def drop_months(inbox: Path) -> list[dt.date]:
    """Months that have a drop folder in the inbox (a name `YYYY-MM`; one that is a link is listed too, so that
    its month's run or validation says it is refused)."""
    months = []
    for child in os.listdir(require_inbox(inbox)):
        if not MONTH_FOLDER.fullmatch(child):
            continue
        try:
            months.append(dt.date.fromisoformat(child + "-01"))
        except ValueError:
            continue
    return sorted(months)
