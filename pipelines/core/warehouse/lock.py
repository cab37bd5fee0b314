"""One writer at a time: an exclusive lock on `<warehouse>.lock`, held for a whole run.

DuckDB allows one writing process per database file and fails the second at once. Runs launched through the
Dagster daemon queue on the `warehouse` concurrency pool; runs started by the CLI (`execute_in_process`) bypass
that queue, so every run also takes this lock: a second run waits here instead of failing in DuckDB.
The OS releases the lock when its process dies, so a crashed run never leaves the warehouse locked.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# The Dagster concurrency pool of every asset that writes the warehouse (limit 1, run granularity: see runner).
WAREHOUSE_POOL = "warehouse"

_held: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, depth): re-entrant within one process
_guard = threading.Lock()


@contextmanager
def warehouse_guard() -> Iterator[None]:
    """The lock module's own guard, for a moment's work that must not happen once a stop has taken it for good
    (steerpack holds it from a stop signal until the process exits): publishing the built marts."""
    with _guard:
        yield


def hold_until_exit(timeout: float = 5) -> None:
    """Keep every warehouse lock this process holds until the process exits; for a stop signal.

    Takes the module's guard and never gives it back: no lock is released from then on (a run's worker thread,
    tearing its resources down after a killed step, would release it while other children may still be ending),
    none is taken, and nothing waiting on `warehouse_guard` publishes. The OS releases the lock when the process
    exits and closes the lock's file: the fd is O_CLOEXEC, so no child holds it. Other threads hold the guard
    only for a moment; after `timeout` seconds the stop goes on without it.
    """
    _guard.acquire(timeout=timeout)


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def acquire(
    warehouse: Path, holder: str, on_wait: Callable[[str], None] | None = None, poll_seconds: float = 0.5
) -> Path:
    """Block until this process holds the warehouse lock; `on_wait` hears once who holds it."""
    path = lock_path(warehouse)
    with _guard:
        if path in _held:
            fd, depth = _held[path]
            _held[path] = (fd, depth + 1)
            return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if on_wait and not told:
                on_wait(path.read_text(encoding="utf-8", errors="replace").strip() or "another run")
                told = True
            time.sleep(poll_seconds)
    os.ftruncate(fd, 0)
    os.write(fd, holder.encode())
    with _guard:
        _held[path] = (fd, 1)
    return path


def release(warehouse: Path) -> None:
    path = lock_path(warehouse)
    with _guard:
        if path not in _held:
            return
        fd, depth = _held[path]
        if depth > 1:
            _held[path] = (fd, depth - 1)
            return
        del _held[path]
    os.ftruncate(fd, 0)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
