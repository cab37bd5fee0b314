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
from pipelines.sources.tabular import read_delimited
from pipelines.sources.xlsx import WorkbookLimits

PLAN_SOURCES = ("jira", "azure_devops", "ms_project", "smartsheet")
PLAN_TABLES = ("work_items", "schedule_tasks")
ZIP_MAGIC = b"PK\x03\x04"
EXPECTED = (
    "Jira CSV (Issue key or Key, Summary, Issue Type, Status ...), "
    "Azure DevOps CSV (ID, Work Item Type, Title ...), "
    'MS Project XML (<Project xmlns="http://schemas.microsoft.com/project">), '
    "Smartsheet Excel (Task Name, Start, Finish ...)"
)


@dataclass(frozen=True)
class AgileReadOptions:
    """What the config says of the agile tools' CSVs (steerpack.yaml `jira:` and `azure_devops:`), as plain values:
    the order of numeric dates when a column cannot tell (`dmy` / `mdy`, None: ask), and Azure DevOps' custom
    states onto Azure Boards' state categories."""

    jira_date_order: str | None = None
    azure_devops_date_order: str | None = None
    azure_devops_state_categories: Mapping[str, str] = field(default_factory=dict)
    resolved_counts_as_done: bool = True


def parse_plan_file(
    path: Path,
    display_name: str,
    story_points_fields: list[str],
    limits: WorkbookLimits = WorkbookLimits(),
    encoding: str | None = None,
    options: AgileReadOptions = AgileReadOptions(),
) -> LoadBatch:
    """A plan file of any of the four tools; `encoding` is the config's for a CSV (else it is detected)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise SourceFormatError(f"{display_name}: cannot be read ({error.strerror})") from None
    if head.startswith(ZIP_MAGIC):
        return smartsheet.parse_smartsheet(path, display_name, limits)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        if ms_project.matches_xml_head(head):
            return ms_project.parse_ms_project(path, display_name)
        raise SourceFormatError(f"{display_name}: an XML file that is not MS Project XML; expected {EXPECTED}")
    table = read_delimited(path, display_name, encoding=encoding)
    if jira.matches(table.header):
        return jira.parse_jira(table, display_name, story_points_fields, date_order=options.jira_date_order)
    if azure_devops.matches(table.header):
        return azure_devops.parse_azure_devops(
            table,
            display_name,
            date_order=options.azure_devops_date_order,
            state_categories=options.azure_devops_state_categories,
            resolved_counts_as_done=options.resolved_counts_as_done,
        )
    shown = ", ".join(table.header[:8]) + (" ..." if len(table.header) > 8 else "")
    raise SourceFormatError(f"{display_name}: header matches no known format (found: {shown}); expected {EXPECTED}")
