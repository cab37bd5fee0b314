"""Plans from the four PM tools: recognise each file's format by its content, then parse it.

A file is never trusted by its name or folder: an XML document in Project's namespace is MSPDI, a workbook
whose first row is a Smartsheet header is Smartsheet, and a CSV is Jira or Azure DevOps by its header.
A file that is none of these raises SourceFormatError naming the file and the headers expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.sources import azure_devops, jira, ms_project, smartsheet
from pipelines.sources.common import LoadBatch, SourceFormatError
from pipelines.sources.delimited import RawTable, read_delimited
from pipelines.sources.detect import Format, is_workbook, is_xml, no_format_matched, read_head, recognise
from pipelines.sources.xlsx import WorkbookLimits

PLAN_SOURCES = ("jira", "azure_devops", "ms_project", "smartsheet")
PLAN_TABLES = ("work_items", "schedule_tasks")


@dataclass(frozen=True)
class AgileReadOptions:
    """What the config says of the agile tools' CSVs (steerpack.yaml `jira:` and `azure_devops:`), as plain values:
    the order of numeric dates when a column cannot tell (`dmy` / `mdy`, None: ask), and Azure DevOps' custom
    states onto Azure Boards' state categories."""

    jira_date_order: str | None = None
    azure_devops_date_order: str | None = None
    azure_devops_state_categories: Mapping[str, str] = field(default_factory=dict)
    resolved_counts_as_done: bool = True


@dataclass(frozen=True)
class PlanReading:
    """What a plan parser is given besides the file: the config's story points fields, workbook limits and
    agile read options."""

    story_points_fields: list[str]
    limits: WorkbookLimits
    options: AgileReadOptions


def _is_ms_project_xml(head: bytes) -> bool:
    return is_xml(head) and ms_project.matches_xml_head(head)


def _smartsheet(path: Path, display_name: str, reading: PlanReading) -> LoadBatch:
    return smartsheet.parse_smartsheet(path, display_name, reading.limits)


def _ms_project(path: Path, display_name: str, reading: PlanReading) -> LoadBatch:
    return ms_project.parse_ms_project(path, display_name)


def _jira(table: RawTable, display_name: str, reading: PlanReading) -> LoadBatch:
    return jira.parse_jira(table, display_name, reading.story_points_fields, date_order=reading.options.jira_date_order)


def _azure_devops(table: RawTable, display_name: str, reading: PlanReading) -> LoadBatch:
    return azure_devops.parse_azure_devops(
        table,
        display_name,
        date_order=reading.options.azure_devops_date_order,
        state_categories=reading.options.azure_devops_state_categories,
        resolved_counts_as_done=reading.options.resolved_counts_as_done,
    )


# Recognised by their first bytes (parsed from the path), then by the header of the CSV they are otherwise.
PLAN_HEAD_FORMATS: tuple[Format[bytes], ...] = (
    Format(
        'MS Project XML (<Project xmlns="http://schemas.microsoft.com/project">)',
        _is_ms_project_xml,
        _ms_project,
    ),
    Format("Smartsheet Excel (Task Name, Start, Finish ...)", is_workbook, _smartsheet),
)
PLAN_HEADER_FORMATS: tuple[Format[list[str]], ...] = (
    Format("Jira CSV (Issue key or Key, Summary, Issue Type, Status ...)", jira.matches, _jira),
    Format("Azure DevOps CSV (ID, Work Item Type, Title ...)", azure_devops.matches, _azure_devops),
)
EXPECTED = ", ".join(known.expected for known in PLAN_HEADER_FORMATS + PLAN_HEAD_FORMATS)


def parse_plan_file(
    path: Path,
    display_name: str,
    story_points_fields: list[str],
    limits: WorkbookLimits = WorkbookLimits(),
    encoding: str | None = None,
    options: AgileReadOptions = AgileReadOptions(),
) -> LoadBatch:
    """A plan file of any of the four tools; `encoding` is the config's for a CSV (else it is detected)."""
    reading = PlanReading(story_points_fields, limits, options)
    head = read_head(path, display_name)
    by_head = recognise(PLAN_HEAD_FORMATS, head)
    if by_head is not None:
        return by_head.parse(path, display_name, reading)
    if is_xml(head):
        raise SourceFormatError(f"{display_name}: an XML file that is not MS Project XML; expected {EXPECTED}")
    table = read_delimited(path, display_name, encoding=encoding)
    by_header = recognise(PLAN_HEADER_FORMATS, table.header)
    if by_header is not None:
        return by_header.parse(table, display_name, reading)
    raise no_format_matched(display_name, table.header, "known format", EXPECTED)
