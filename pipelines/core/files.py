"""Writing under the output folder: atomic files, names that cannot leave it, and month folders swapped whole.

Names of files come from data (project ids, e-mail addresses), and the register is edited by many people, so
every writer goes through here: `safe_name` turns any text into one harmless file name, `write_atomic` refuses a
path that resolves outside its root, and `publish_folder` replaces a month's folder by a fully written one in one
rename, so a reader (or a failed run) never sees a half-written pack.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

# Letters, digits, `.`, `_` and `-`, not only dots: a name no file system and no shell reads as a path.
SAFE_NAME = re.compile(r"(?!\.+$)[A-Za-z0-9._-]{1,100}")
_UNSAFE_CHARACTERS = re.compile(r"[^A-Za-z0-9._+@-]")


class UnsafePathError(ValueError):
    """A path that would be written outside the folder it belongs in."""


def safe_name(text: str, keep: re.Pattern = SAFE_NAME) -> str:
    """`text` itself when it is a safe file name; else its safe characters plus a digest of the whole text, so
    two different texts never share a name (`a'b` and `a_b` differ) and nothing in it can name a folder."""
    if keep.fullmatch(text):
        return text
    readable = _UNSAFE_CHARACTERS.sub("_", text).strip(".")[:80] or "name"
    # `~` is never kept by the pattern, so a digested name cannot equal a name kept as it was.
    return f"{readable}~{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"


def inside(root: Path, path: Path) -> Path:
    """`path`, once checked to resolve (links followed) to a place under `root`."""
    resolved_root = root.resolve()
    resolved = path.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise UnsafePathError(f"refused to write {path}: it is outside {root}")
    return path


def write_atomic(path: Path, content: bytes | str, root: Path) -> Path:
    """Write to a temporary file beside `path`, fsync it, then rename it over `path`; `path` must lie under
    `root` (the output folder), whatever the names it was built from."""
    inside(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


STAGING_FOLDER = ".staging"


def staging_root(output: Path) -> Path:
    """A fresh folder under `output` to render into; `publish_folder` moves its result into place."""
    root = output / STAGING_FOLDER / uuid.uuid4().hex[:12]
    inside(output, root).mkdir(parents=True)
    return root


def publish_folder(staged: Path, final: Path, root: Path) -> None:
    """Put the fully written folder `staged` where `final` is, in one rename: a reader sees the old folder or
    the new one, never a mix, and a kill at any point leaves one of them whole in place."""
    inside(root, staged)
    inside(root, final)
    final.parent.mkdir(parents=True, exist_ok=True)
    if not final.exists():
        os.rename(staged, final)
        return
    if _exchange(staged, final):
        shutil.rmtree(staged)  # now the old folder
        return
    # No atomic exchange on this system: the old folder is set aside for the instant between two renames.
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(final, old)
    os.rename(staged, final)
    shutil.rmtree(old)


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where the system has no such call."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: the kernel or file system cannot exchange
        return False
    raise OSError(error, os.strerror(error), str(first))
