"""What a month's drop holds and how each part of it is parsed: shared by the ingest assets and `steerpack validate`.

Knows nothing of Dagster: a `DropPart` names the inbox folders it reads, the raw tables it fills, the source
labels its files may load as, and the parser to use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.inbox import display_name, source_files
from pipelines.resources.settings import Settings
from pipelines.sources import register
from pipelines.sources.common import LoadBatch, SourceFormatError
from pipelines.sources.finance import parse_finance_file
from pipelines.sources.incidents import INCIDENT_SOURCES, parse_incident_file
from pipelines.sources.plans import PLAN_SOURCES, PLAN_TABLES, parse_plan_file

UNRECOGNISED = "unrecognised"
Parser = Callable[[Path, str], LoadBatch]


@dataclass(frozen=True)
class DropPart:
    name: str
    folders: tuple[str, ...]
    tables: tuple[str, ...]
    extra_sources: tuple[str, ...]  # labels the files may load as, besides their folder's name
    parser: Callable[[Settings], Parser]
    unreadable_is_fatal: bool  # the register: without it nothing of the month makes sense

    @property
    def sources(self) -> tuple[str, ...]:
        return self.extra_sources + self.folders


DROP_PARTS = {
    "register": DropPart("register", ("register",), tuple(register.TABLES), (),
                         lambda settings: register.parse_register, unreadable_is_fatal=True),
    "plans": DropPart("plans", PLAN_SOURCES, PLAN_TABLES, (),
                      lambda settings: lambda path, name: parse_plan_file(
                          path, name, list(settings.jira.story_points_fields)),
                      unreadable_is_fatal=False),
    "finance": DropPart("finance", ("finance",), ("spend", "fx_rates"), (),
                        lambda settings: lambda path, name: parse_finance_file(
                            path, name, settings.finance.spend_layouts()),
                        unreadable_is_fatal=False),
    "incidents": DropPart("incidents", ("incidents",), ("incidents",), INCIDENT_SOURCES,
                          lambda settings: parse_incident_file, unreadable_is_fatal=False),
}


def parse_drop_part(part: DropPart, settings: Settings, month: dt.date,
                    unreadable_is_fatal: bool | None = None) -> list[LoadBatch]:
    """Every file of the part's folders in the month's drop, parsed (see `iter_drop_part`)."""
    return list(iter_drop_part(part, settings, month, unreadable_is_fatal))


def iter_drop_part(part: DropPart, settings: Settings, month: dt.date,
                   unreadable_is_fatal: bool | None = None) -> Iterator[LoadBatch]:
    """Parse the files of the part's folders in the month's drop, one at a time.

    An unreadable file raises when the part says so (or `unreadable_is_fatal`, for a report that must list
    everything); otherwise it becomes a batch with no rows and its error, so the load log names it and the
    month's other files still load.
    """
    fatal = part.unreadable_is_fatal if unreadable_is_fatal is None else unreadable_is_fatal
    parse = part.parser(settings)
    for folder in part.folders:
        for path in source_files(settings.inbox, month, folder):
            name = display_name(settings.inbox, path)
            try:
                batch = parse(path, name)
            except SourceFormatError as error:
                if fatal:
                    raise
                batch = LoadBatch(source_file=name, file_format=UNRECOGNISED, source=folder, error=str(error))
            yield batch
