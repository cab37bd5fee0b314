"""The inbox layout: `<inbox>/<YYYY-MM>/<source>/<files>` (DESIGN §3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


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


def source_files(inbox: Path, month: dt.date, source: str) -> list[Path]:
    """The files of one source in one month's drop, in a stable order; hidden and temp files skipped."""
    folder = month_folder(require_inbox(inbox), month) / source
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith((".", "~$")))


def display_name(inbox: Path, path: Path) -> str:
    """How a file is named in logs, quarantine and the pack: relative to the inbox, e.g.
    `2026-10/register/portfolio.xlsx`."""
    try:
        return path.relative_to(inbox).as_posix()
    except ValueError:
        return path.name


def drop_months(inbox: Path) -> list[dt.date]:
    """Months that have a drop folder in the inbox."""
    months = []
    for child in require_inbox(inbox).iterdir():
        try:
            months.append(dt.date.fromisoformat(child.name + "-01"))
        except ValueError:
            continue
    return sorted(months)
