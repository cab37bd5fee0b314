"""Where the libraries' output goes while a CLI command runs (DESIGN §10): the command prints its progress,
findings and results; dbt's own log, library warnings (Dagster's beta and preview notices, `warnings.warn`) and
the records libraries log go to the command's run log, and with `--verbose` to the terminal (stderr) too.

The run log is `<output>/logs/steerpack-<command>-<YYYYmmdd-HHMMSS>-<pid>.log`, made on its first line (a command
that stops on a config mistake leaves none). The CLI names it when a run fails, and always with --verbose.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pipelines.dbt import runner as dbt_runner

# dbt's console log, as `dbt_runner` forwards it when routed.
DBT_LOGGER = "steerpack.dbt"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True)
class LibraryOutput:
    """Where one command's library output goes: always `run_log`, and the terminal too when `on_terminal`, in
    colour only when `colours` (the terminal is one)."""

    run_log: Path
    on_terminal: bool
    colours: bool


def library_output(
    command: str, verbose: bool, output: Path, terminal: bool, now: dt.datetime, pid: int
) -> LibraryOutput:
    """Where library output goes for `command` (run, backfill, send, demo) with these flags: its run log in
    `output`/logs, named by command, time and process (two runs started in the same second keep a log each);
    on the terminal with `--verbose` only, and coloured only when that `terminal` (stderr) is one."""
    name = f"steerpack-{command}-{now:%Y%m%d-%H%M%S}-{pid}.log"
    return LibraryOutput(run_log=output / "logs" / name, on_terminal=verbose, colours=verbose and terminal)


class _PlainFormatter(logging.Formatter):
    """A log file's lines: no terminal colour codes."""

    def format(self, record: logging.LogRecord) -> str:
        return ANSI_ESCAPE.sub("", super().format(record))


class _TerminalHandler(logging.StreamHandler):
    """Records on the terminal above the progress bar, not through it."""

    def emit(self, record: logging.LogRecord) -> None:
        from tqdm import tqdm

        try:
            tqdm.write(self.format(record), file=self.stream)
            self.flush()
        except Exception:  # noqa: BLE001 - as logging.StreamHandler does
            self.handleError(record)


class _RunLogHandler(logging.FileHandler):
    """The run log, made (with its folder) on its first record."""

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


@contextlib.contextmanager
def routed(plan: LibraryOutput, terminal: TextIO | None = None) -> Iterator[LibraryOutput]:
    """Route the libraries' output as `plan` says while the block runs: Python warnings and every logger's
    records (WARNING and above, as Python shows them by default; dbt's console log from INFO) to the run log,
    and to `terminal` (default stderr) too when `plan.on_terminal`. Everything is as it was afterwards."""
    handler = _RunLogHandler(plan.run_log, encoding="utf-8", delay=True)
    handler.setFormatter(_PlainFormatter("%(asctime)s %(levelname)-7s %(name)s  %(message)s", "%H:%M:%S"))
    handlers: list[logging.Handler] = [handler]
    if plan.on_terminal:
        shown = _TerminalHandler(terminal or sys.stderr)
        formatter = logging.Formatter if plan.colours else _PlainFormatter
        shown.setFormatter(formatter("%(asctime)s  %(message)s", "%H:%M:%S"))
        handlers.append(shown)
    root, dbt_log = logging.getLogger(), logging.getLogger(DBT_LOGGER)
    level = dbt_log.level
    for each in handlers:
        each.setLevel(logging.INFO)  # not the DEBUG records of loggers set to DEBUG (Dagster's own)
        root.addHandler(each)
    dbt_log.setLevel(logging.INFO)
    logging.captureWarnings(True)
    dbt_runner.route_console_log(dbt_log, colours=plan.colours)
    try:
        yield plan
    finally:
        dbt_runner.route_console_log(None)
        logging.captureWarnings(False)
        dbt_log.setLevel(level)
        for each in handlers:
            root.removeHandler(each)
            each.close()
