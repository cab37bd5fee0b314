"""What a month's drop holds and how each part of it is parsed: shared by the ingest assets and `steerpack validate`.

Knows nothing of Dagster: a `DropPart` names the inbox folders it reads, the raw tables it fills, the source
labels its files may load as, and the parser to use.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from pipelines.config import Settings
from pipelines.core.inbox import display_name, drop_problem, source_entries
from pipelines.core.text import printable
from pipelines.sources import register
from pipelines.sources.common import LoadBatch, SourceFormatError, refuse_oversized
from pipelines.sources.finance import parse_finance_file
from pipelines.sources.incidents import INCIDENT_SOURCES, parse_incident_file
from pipelines.sources.plans import PLAN_SOURCES, PLAN_TABLES, AgileReadOptions, parse_plan_file
from pipelines.sources.plausible import ValueBounds, quarantine_implausible

LOGGER = logging.getLogger(__name__)
UNRECOGNISED = "unrecognised"
REFUSED = "refused"  # an inbox entry refused unread (a link, a hard link, a name that is not UTF-8 ...)
NO_DROP = "no drop"  # the month has no drop at all: one load_log row, its `error` saying so
Parser = Callable[[Path, str], LoadBatch]


@dataclass(frozen=True)
class DropPart:
    name: str
    folders: tuple[str, ...]
    tables: tuple[str, ...]
    extra_sources: tuple[str, ...]  # labels the files may load as, besides their folder's name
    parser: Callable[[Settings], Parser]  # the settings' parser of the part's files
    # the part that records a month with no drop at all (one NO_DROP batch; projects' month_has_a_drop rule blocks)
    reports_missing_drop: bool = False

    @property
    def sources(self) -> tuple[str, ...]:
        return self.extra_sources + self.folders


def _register_parser(settings: Settings) -> Parser:
    return functools.partial(register.parse_register, limits=settings.limits.workbook())


def _plan_parser(settings: Settings) -> Parser:
    return functools.partial(_parse_plan, settings=settings)


def _parse_plan(path: Path, name: str, settings: Settings) -> LoadBatch:
    return parse_plan_file(
        path,
        name,
        list(settings.jira.story_points_fields),
        settings.limits.workbook(),
        settings.encoding_for(path.parent.name),  # each plan tool's folder has its own `encoding:`
        agile_read_options(settings),
    )


def _finance_parser(settings: Settings) -> Parser:
    return functools.partial(
        parse_finance_file,
        layouts=settings.finance.spend_layouts(),
        limits=settings.limits.workbook(),
        encoding=settings.finance.encoding,
    )


def _incident_parser(settings: Settings) -> Parser:
    return functools.partial(
        parse_incident_file, encoding=settings.incidents.encoding, date_order=settings.incidents.date_order
    )


# An unreadable file is recorded, never raised: the month's gate blocks it (the register's by projects'
# register_readable rule), and in a range the other months still publish.
DROP_PARTS = {
    "register": DropPart(
        "register", ("register",), tuple(register.TABLES), (), _register_parser, reports_missing_drop=True
    ),
    "plans": DropPart("plans", PLAN_SOURCES, PLAN_TABLES, (), _plan_parser),
    "finance": DropPart("finance", ("finance",), ("spend", "fx_rates"), (), _finance_parser),
    "incidents": DropPart("incidents", ("incidents",), ("incidents",), INCIDENT_SOURCES, _incident_parser),
}


# Every source folder a drop may hold: a month none of which has an entry has no drop (DESIGN §4a).
DROP_FOLDERS = tuple(folder for part in DROP_PARTS.values() for folder in part.folders)


def value_bounds(settings: Settings) -> ValueBounds:
    """What no parsed row may hold (limits.max_amount, quality.plausible_date_years), as plain values."""
    return ValueBounds(max_amount=settings.limits.max_amount, plausible_years=settings.quality.plausible_date_years)


def agile_read_options(settings: Settings) -> AgileReadOptions:
    return AgileReadOptions(
        jira_date_order=settings.jira.date_order,
        azure_devops_date_order=settings.azure_devops.date_order,
        azure_devops_state_categories=dict(settings.azure_devops.state_categories),
        resolved_counts_as_done=settings.azure_devops.resolved_counts_as_done,
    )


# Below this many bytes a part's files are parsed in this process: starting workers would cost more than it saves.
PARALLEL_MIN_BYTES = 32 * 1024 * 1024


def parse_drop_part(part: DropPart, settings: Settings, month: dt.date) -> list[LoadBatch]:
    """Every file of the part's folders in the month's drop, parsed (see `iter_drop_part`)."""
    return list(iter_drop_part(part, settings, month))


def iter_drop_part(
    part: DropPart,
    settings: Settings,
    month: dt.date,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
) -> Iterator[LoadBatch]:
    """Parse the files of the part's folders in the month's drop, yielded in folder and file order.

    An unreadable file becomes a batch with no rows and its error, so the load log names it and the month's
    other files still load.

    An inbox entry refused unread (a link, a hard link, a name that is not UTF-8 or holds `..`: DESIGN §4a)
    is never opened: like an unreadable file it is a batch with no rows and the refusal as its error, yielded
    before the files read. A month with no drop at all is one NO_DROP batch of the part that reports it.

    A drop of at least `parallel_min_bytes` is parsed by one worker process per core while the caller
    writes what is already parsed; at most two files per worker are parsed ahead, so memory stays bounded.
    """
    if part.reports_missing_drop:
        problem = drop_problem(settings.inbox, month, DROP_FOLDERS)
        if problem:
            yield LoadBatch(source_file=f"{month:%Y-%m}", file_format=NO_DROP, source=part.folders[0], error=problem)
            return
    files = []
    for folder in part.folders:
        for entry in source_entries(settings.inbox, month, folder):
            if entry.refused is None:
                files.append((folder, entry.path))
            else:
                yield LoadBatch(source_file=entry.name, file_format=REFUSED, source=folder, error=entry.refused)
    workers = min(os.cpu_count() or 1, len(files))
    # one big file gains nothing from workers, and would cost a copy of its rows from the worker
    if (
        workers > 1
        and len(files) >= 2 * workers
        and sum(path.stat().st_size for _, path in files) >= parallel_min_bytes
    ):
        yield from _parse_in_workers(part, settings, month, files, workers)
        return
    parse = part.parser(settings)
    for folder, path in files:
        yield _parse_one(parse, settings, month, folder, path)


def _parse_one(parse: Parser, settings: Settings, month: dt.date, folder: str, path: Path) -> LoadBatch:
    """One file parsed: refused unread when over limits.file_bytes; its implausible rows (non-finite or huge
    amounts, dates far from the month, integers too large) quarantined (pipelines.sources.plausible)."""
    name = display_name(settings.inbox, path)
    try:
        try:
            refuse_oversized(path, name, settings.limits.file_bytes)
            return quarantine_implausible(parse(path, name), month, value_bounds(settings))
        except (SourceFormatError, MemoryError, RecursionError):
            raise
        except Exception as error:  # noqa: BLE001 - a file no parser rule foresaw is still only an unreadable file
            # The file is what is wrong for the user (one line, naming it); the traceback is for the developers.
            LOGGER.exception("parsing %s failed", name)
            raise SourceFormatError(
                f"{name}: could not be read ({type(error).__name__}: {printable(str(error)[:200])}); "
                "check the file, or report it with the file attached"
            ) from None
    except SourceFormatError as error:
        return LoadBatch(source_file=name, file_format=UNRECOGNISED, source=folder, error=str(error))


def _parse_in_worker(part_name: str, settings: Settings, month: dt.date, folder: str, path: Path) -> LoadBatch:
    return _parse_one(DROP_PARTS[part_name].parser(settings), settings, month, folder, path)


def _parse_in_workers(
    part: DropPart, settings: Settings, month: dt.date, files: list[tuple[str, Path]], workers: int
) -> Iterator[LoadBatch]:
    # spawn, not fork: the caller holds DuckDB and Dagster threads, which a forked child would inherit mid-flight
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        pending: deque[Future] = deque()
        queued = iter(files)
        for folder, path in islice(queued, 2 * workers):
            pending.append(pool.submit(_parse_in_worker, part.name, settings, month, folder, path))
        while pending:
            batch = pending.popleft().result()
            for folder, path in islice(queued, 1):
                pending.append(pool.submit(_parse_in_worker, part.name, settings, month, folder, path))
            yield batch
    finally:
        # a failed file or a failed write stops the load: the files still queued are not parsed for nothing
        pool.shutdown(wait=True, cancel_futures=True)
