"""When steerpack is stopped (a service manager's SIGTERM, Ctrl-C, a closed terminal), its children stop first.

Part of a run's work happens in child processes: the ingest and page-rendering workers, Dagster's log mirrors
(`dbt build` runs in the run's own process and ends with it). If steerpack simply died they would go on without
it: a worker writing the warehouse after the lock holder was gone. `stop_children_on_signal` turns
SIGTERM/SIGINT/SIGHUP into an orderly stop: every descendant gets SIGTERM, whatever is left after a grace period
gets SIGKILL, and only once all are gone does the caller's `on_stop` run and the process exit with 128 + the
signal's number. `run_in_new_session` does the same
for a long-running child with a process tree of its own (`steerpack ui` → `dagster dev` → webserver, daemon).

The process table comes from psutil: the same process tree on Linux, macOS and the BSDs, and Process objects that
carry their start time, so a pid the OS has since given to another process is never signalled.
Descendants are found by parent pid, not by process group: steerpack's own group holds its parent (a shell,
pytest) too, so signalling the group would stop the caller.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import psutil

# SIGHUP too: a closed terminal would otherwise kill steerpack and leave its children running.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_POLL_SECONDS = 0.05


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


def snapshot(root: int | None = None) -> list[psutil.Process]:
    """`root`'s living descendants (default: this process's), parents first; zombies left out."""
    try:
        return [process for process in psutil.Process(root).children(recursive=True) if _running(process)]
    except psutil.Error:  # root itself is gone
        return []


def descendants(root: int | None = None) -> list[int]:
    """The pids of `snapshot(root)`."""
    return [process.pid for process in snapshot(root)]


def _running(process: psutil.Process) -> bool:
    """Neither ended nor a zombie, and its pid not since taken by another process."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _ignores(pid: int, signum: int) -> bool:
    """Whether `pid` ignores `signum` (SIG_IGN, as multiprocessing's resource tracker does SIGTERM): waiting for
    it to end of that signal would be waiting in vain. False where that cannot be told (no /proc; psutil has no
    signal-mask API)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    except (OSError, ValueError):
        pass
    return False


def _send(process: psutil.Process, signum: int) -> None:
    with contextlib.suppress(psutil.Error):
        process.send_signal(signum)  # checks first that the pid is still this process's


def terminate_descendants(
    timeout: float = 10.0, root: int | None = None, kill_timeout: float = 5.0, also: Iterable[psutil.Process] = ()
) -> StopReport:
    """SIGTERM every descendant of `root` (default: this process), SIGKILL whatever is left after `timeout`
    seconds, and wait (up to `kill_timeout` more) until none is left. Once only processes that ignore SIGTERM are
    left, they get SIGKILL at once rather than after the timeout.

    Each process is remembered when first seen, so a grandchild still counts after its parent died and it was
    handed to init; the tree is looked at again every 50 ms, so a child started meanwhile is caught too. `also`:
    more processes to stop with them (seen earlier, e.g. by `snapshot`; one whose pid now belongs to another
    process is left alone). A zombie counts as gone: it holds no file and runs no code, only its exit status waits
    to be collected (never reaped here: that is its parent's, e.g. a Popen's, to do). Returns what was signalled
    and what remains.
    """
    root = os.getpid() if root is None else root
    report = StopReport()
    known: set[psutil.Process] = set()  # a Process is equal to another by pid and start time
    also = [process for process in also if process.pid != root]

    def living(signum: int | None) -> list[psutil.Process]:
        """Take in the processes not seen before (sending them `signum`); return the known ones still running."""
        for process in [*snapshot(root), *filter(_running, also)]:
            if process not in known:
                known.add(process)
                if signum is not None:
                    _send(process, signum)
                    report.terminated.append(process.pid)
        return [process for process in known if _running(process)]

    deadline = time.monotonic() + timeout
    while (
        not all(_ignores(process.pid, signal.SIGTERM) for process in living(signal.SIGTERM))
        and time.monotonic() < deadline
    ):
        time.sleep(_POLL_SECONDS)
    deadline = time.monotonic() + kill_timeout
    while True:
        left = living(None)
        for process in left:
            if process.pid not in report.killed:
                _send(process, signal.SIGKILL)
                report.killed.append(process.pid)
        if not left or time.monotonic() >= deadline:
            report.left = [process.pid for process in left]
            return report
        time.sleep(_POLL_SECONDS)


def _exit_now(status: int) -> None:
    """Leave at once, without waiting for other threads (a Dagster run's worker would go on to its next step)."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
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
def stop_children_on_signal(
    on_stop: Callable[[int], None],
    before_stop: Callable[[int], None] | None = None,
    timeout: float = 10.0,
    signals: Iterable[int] = STOP_SIGNALS,
) -> Iterator[None]:
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

    streams = _OutputStreams()
    try:
        with _handlers(handler, signals):
            yield
    except StopRequested as stop:
        with _handlers(lambda signum, frame: None, signals):  # no second stop midway through this one
            streams.restore()
            try:
                # Each step is tried even if the one before failed; the exit happens whatever went wrong.
                for step in (before_stop, _stop_descendants(timeout), on_stop):
                    try:
                        if step:
                            step(stop.signum)
                    except Exception as error:  # noqa: BLE001 - whatever failed, the next step and the exit still come
                        print(f"steerpack: while stopping: {error!r}", file=sys.stderr)
            finally:
                _exit_now(128 + stop.signum)
    finally:
        streams.close()


class _OutputStreams:
    """This process's stdout and stderr as they were on entering the block.

    A Dagster step captures its output by pointing the process's file descriptors 1 and 2 at a pipe to a `tee`
    child, for as long as the step runs. A stop ends that child with the others while the step (in another
    thread) is still running, so anything written afterwards would go to a closed pipe: the stop's own message
    was lost. Stopping puts the entry streams back first, so what the stop says reaches the terminal or log."""

    def __init__(self) -> None:
        self._saved: dict[int, int] = {}
        for fd in (1, 2):
            with suppress(OSError):  # closed (`steerpack run >&-`): nothing to put back
                self._saved[fd] = os.dup(fd)

    def restore(self) -> None:
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        for fd, saved in self._saved.items():
            with suppress(OSError):
                os.dup2(saved, fd)

    def close(self) -> None:
        for saved in self._saved.values():
            with suppress(OSError):
                os.close(saved)


def _stop_descendants(timeout: float) -> Callable[[int], None]:
    def stop(signum: int) -> None:
        report = terminate_descendants(timeout)
        if report.left:
            print(f"steerpack: processes {report.left} were still there after SIGKILL", file=sys.stderr)

    return stop


def run_in_new_session(
    command: list[str],
    grace: float = 15.0,
    signals: Iterable[int] = STOP_SIGNALS,
    on_stop: Callable[[int], None] | None = None,
    **popen_kwargs,
) -> int:
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
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _group_members(pgid: int) -> list[psutil.Process]:
    """The running processes of group `pgid`, wherever they are in the tree (a straggler may be init's now)."""

    def in_group(process: psutil.Process) -> bool:
        try:
            return os.getpgid(process.pid) == pgid
        except OSError:
            return False

    return [process for process in psutil.process_iter() if in_group(process) and _running(process)]
