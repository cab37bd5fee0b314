"""When steerpack is stopped (a service manager's SIGTERM, Ctrl-C, a closed terminal), its children stop first.

A run's work happens in child processes: `dbt build` (spawned by dagster-dbt), the ingest and page-rendering
workers, Dagster's log mirrors. If steerpack simply died they would go on without it: dbt writing the warehouse
after the lock holder was gone. `stop_children_on_signal` turns SIGTERM/SIGINT/SIGHUP into an orderly stop:
every descendant gets SIGTERM, whatever is left after a grace period gets SIGKILL, and only once all are gone does
the caller's `on_stop` run and the process exit with 128 + the signal's number. `run_in_new_session` does the same
for a long-running child with a process tree of its own (`steerpack ui` → `dagster dev` → webserver, daemon).

No psutil (not a declared dependency): the process table is read from /proc, or from `ps` where there is none.
Descendants are found by parent pid, not by process group: steerpack's own group holds its parent (a shell,
pytest) too, so signalling the group would stop the caller.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# SIGHUP too: a closed terminal would otherwise kill steerpack and leave its children running.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class ProcessInfo:
    """One process as the process table showed it."""

    pid: int
    ppid: int
    pgrp: int
    zombie: bool
    started: str  # start time (clock ticks since boot, or ps's lstart): tells a reused pid from the original


@dataclass
class StopReport:
    """What `terminate_descendants` did: pids that got SIGTERM, those that needed SIGKILL, and any still there."""

    terminated: list[int] = field(default_factory=list)
    killed: list[int] = field(default_factory=list)
    left: list[int] = field(default_factory=list)


class StopRequested(BaseException):
    """Raised in the main thread by the signal handler, like KeyboardInterrupt, so what it was doing unwinds
    (an open SQLite read, say) before the stop's own work starts. BaseException: `except Exception` passes it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _process_table() -> dict[int, ProcessInfo]:
    if Path("/proc/self/stat").exists():
        return _proc_table()
    return _ps_table()


def _proc_table() -> dict[int, ProcessInfo]:
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as stat:
                text = stat.read()
        except OSError:  # ended while we looked
            continue
        # "pid (comm) state ppid pgrp session ... starttime(22nd)": comm may hold spaces and parentheses.
        fields = text[text.rfind(")") + 2:].split()
        if len(fields) < 20:
            continue
        pid = int(entry.name)
        table[pid] = ProcessInfo(pid, int(fields[1]), int(fields[2]), fields[0] in "ZX", fields[19])
    return table


def _ps_table() -> dict[int, ProcessInfo]:
    listing = subprocess.run(["ps", "-A", "-o", "pid=,ppid=,pgid=,stat=,lstart="], capture_output=True,
                             text=True, check=True).stdout
    table = {}
    for line in listing.splitlines():
        parts = line.split(None, 4)
        if len(parts) == 5:
            pid = int(parts[0])
            table[pid] = ProcessInfo(pid, int(parts[1]), int(parts[2]), parts[3].startswith("Z"), parts[4].strip())
    return table


def _tree(table: dict[int, ProcessInfo], root: int) -> list[ProcessInfo]:
    """The living descendants of `root` in `table`, parents before their children."""
    children: dict[int, list[ProcessInfo]] = {}
    for process in table.values():
        children.setdefault(process.ppid, []).append(process)
    found, pending = [], [root]
    while pending:
        for child in children.get(pending.pop(0), []):
            if child.pid != root and not child.zombie:
                found.append(child)
                pending.append(child.pid)
    return found


def snapshot(root: int | None = None) -> list[ProcessInfo]:
    """`root`'s living descendants (default: this process's), parents first; zombies left out."""
    return _tree(_process_table(), os.getpid() if root is None else root)


def descendants(root: int | None = None) -> list[int]:
    """The pids of `snapshot(root)`."""
    return [process.pid for process in snapshot(root)]


def _living(table: dict[int, ProcessInfo], known: set[tuple[int, str]]) -> list[int]:
    return [pid for pid, started in known if pid in table and table[pid].started == started and not table[pid].zombie]


def _send(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def terminate_descendants(timeout: float = 10.0, root: int | None = None, kill_timeout: float = 5.0,
                          also: Iterable[ProcessInfo] = ()) -> StopReport:
    """SIGTERM every descendant of `root` (default: this process), SIGKILL whatever is left after `timeout`
    seconds, and wait (up to `kill_timeout` more) until none is left.

    Each process is remembered when first seen, so a grandchild still counts after its parent died and it was
    handed to init; the tree is looked at again every 50 ms, so a child started meanwhile is caught too. `also`:
    more processes to stop with them (seen earlier, e.g. by `snapshot`; one whose pid now belongs to another
    process, by its start time, is left alone). A zombie counts as gone: it holds no file
    and runs no code, only its exit status waits to be collected. Returns what was signalled and what remains.
    """
    root = os.getpid() if root is None else root
    report = StopReport()
    known: set[tuple[int, str]] = set()
    also = list(also)

    def take_in(table: dict[int, ProcessInfo], signum: int | None) -> None:
        extra = [table[p.pid] for p in also
                 if p.pid in table and table[p.pid].started == p.started and not table[p.pid].zombie
                 and p.pid != root]
        for process in [*_tree(table, root), *extra]:
            if (process.pid, process.started) not in known:
                known.add((process.pid, process.started))
                if signum is not None:
                    _send(process.pid, signum)
                    report.terminated.append(process.pid)

    deadline = time.monotonic() + timeout
    while True:
        table = _process_table()
        take_in(table, signal.SIGTERM)
        if not _living(table, known) or time.monotonic() >= deadline:
            break
        time.sleep(_POLL_SECONDS)
    deadline = time.monotonic() + kill_timeout
    while True:
        table = _process_table()
        take_in(table, None)
        living = _living(table, known)
        for pid in living:
            if pid not in report.killed:
                _send(pid, signal.SIGKILL)
                report.killed.append(pid)
        if not living or time.monotonic() >= deadline:
            report.left = living
            return report
        time.sleep(_POLL_SECONDS)


def _exit_now(status: int) -> None:
    """Leave at once, without waiting for other threads (a Dagster run's worker would go on to its next step)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


@contextmanager
def _handlers(handler: Callable[[int, object], None], signals: Iterable[int]) -> Iterator[None]:
    """Install `handler` for `signals` and put the previous handlers back afterwards. A signal that is ignored
    (nohup, a background job) stays ignored: whoever started us asked for that."""
    previous = {}
    try:
        for signum in signals:
            current = signal.getsignal(signum)
            if current == signal.SIG_IGN:
                continue
            previous[signum] = current
            signal.signal(signum, handler)
        yield
    finally:
        for signum, current in previous.items():
            signal.signal(signum, current if current is not None else signal.SIG_DFL)


@contextmanager
def stop_children_on_signal(on_stop: Callable[[int], None], before_stop: Callable[[int], None] | None = None,
                            timeout: float = 10.0, signals: Iterable[int] = STOP_SIGNALS) -> Iterator[None]:
    """Within the block, a stop signal ends the process in order: `before_stop(signum)`, then every descendant
    stopped (`terminate_descendants(timeout)`), then `on_stop(signum)` (e.g. record the run as failed and say so),
    then exit with status 128 + signum.

    The block's code is unwound first (the handler raises `StopRequested` in it), so `on_stop` never runs in the
    middle of whatever the main thread was doing. Other threads are not waited for: the exit is immediate.
    Only the main thread can receive signals; called from another thread this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = False

    def handler(signum: int, frame: object) -> None:
        nonlocal stopping
        if stopping:  # a second Ctrl-C while the first one is being handled
            return
        stopping = True
        raise StopRequested(signum)

    try:
        with _handlers(handler, signals):
            yield
    except StopRequested as stop:
        with _handlers(lambda signum, frame: None, signals):  # no second stop midway through this one
            status = 128 + stop.signum
            try:
                if before_stop:
                    before_stop(stop.signum)
                report = terminate_descendants(timeout)
                if report.left:
                    print(f"steerpack: processes {report.left} did not end even after SIGKILL", file=sys.stderr)
                on_stop(stop.signum)
            except BaseException as error:  # the exit below must happen whatever went wrong
                print(f"steerpack: while stopping: {error!r}", file=sys.stderr)
            finally:
                _exit_now(status)


def run_in_new_session(command: list[str], grace: float = 15.0, signals: Iterable[int] = STOP_SIGNALS,
                       on_stop: Callable[[int], None] | None = None, **popen_kwargs) -> int:
    """Run `command` as the leader of a new session and process group, and return its exit status.

    A stop signal to us is forwarded as SIGTERM to the child's whole group; after `grace` seconds the group gets
    SIGKILL, and so does any descendant that left the group (seen before the stop). Then `on_stop(signum)` runs
    and 128 + signum is returned. A child that ends by itself returns its own status (128 + n if killed by
    signal n). A new session, so that a terminal's Ctrl-C or hang-up reaches the child only through us, once.
    """
    received: list[int] = []

    def handler(signum: int, frame: object) -> None:
        received.append(signum)

    with _handlers(handler, signals):  # before the child exists: a signal during the start is not lost
        child = subprocess.Popen(command, start_new_session=True, **popen_kwargs)
        while not received:
            try:
                status = child.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            return status if status >= 0 else 128 - status
        signum = received[0]
        before = snapshot()  # the tree before it starts to come down, group or not
        _signal_group(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and (child.poll() is None or _group_members(child.pid)):
            time.sleep(_POLL_SECONDS)
        if _group_members(child.pid):
            _signal_group(child.pid, signal.SIGKILL)
        child.wait()
        # The group's stragglers (handed to init) and whatever left the group: SIGTERM again, briefly, then SIGKILL.
        terminate_descendants(timeout=min(grace, 1.0), also=[*before, *_group_members(child.pid)])
        if on_stop:
            on_stop(signum)
        return 128 + signum


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _group_members(pgid: int) -> list[ProcessInfo]:
    return [process for process in _process_table().values() if process.pgrp == pgid and not process.zombie]
