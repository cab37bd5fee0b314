"""ITSM incident exports: ServiceNow (list export and audit event log), PagerDuty and Jira Service Management.

Priorities are normalised to 1 (most urgent) .. 5 (DESIGN §5): ServiceNow `1 - Critical` → 1, PagerDuty `P1` → 1
(an account without priorities: high urgency → 2, low → 4), Jira `Highest` → 1 … `Lowest` → 5.
An event log has many rows per incident: every row is loaded with its `sys_mod_count` and `sys_updated_at`,
and staging keeps each incident's latest state, as it keeps the latest snapshot of any incident.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.sources import jira
from pipelines.sources.columns import DateDialect, parse_numbers, parse_tool_datetimes
from pipelines.sources.common import LoadBatch, add_problem, no_problems, require, split_rows
from pipelines.sources.delimited import RawTable, normalise_header, read_delimited
from pipelines.sources.detect import Format, no_format_matched, recognise
from pipelines.sources.schema import parser_columns

INCIDENT_SOURCES = ("servicenow", "pagerduty", "jira_service_management")
SERVICENOW_FORMAT = "servicenow_csv"
SERVICENOW_EVENT_LOG_FORMAT = "servicenow_event_log_csv"
PAGERDUTY_FORMAT = "pagerduty_csv"
JSM_FORMAT = "jira_service_management_csv"
# ServiceNow's list export writes the instance's format (ISO by default). Numeric dates, such as the UCI event
# log's day-first `29-02-2016 01:16` (re-saved by Excel) or `5/3/2016 12:00` (as published), are read by the
# shared reader, their order inferred from the file or taken from `incidents.date_order`.
SERVICENOW_DATETIMES = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
ISO_DATETIMES = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S")
SERVICENOW_DATES = DateDialect(own_formats=SERVICENOW_DATETIMES)
PAGERDUTY_DATES = DateDialect(own_formats=ISO_DATETIMES)
DATE_ORDER_SETTING = "incidents.date_order"
JIRA_PRIORITIES = {
    "highest": 1,
    "high": 2,
    "medium": 3,
    "low": 4,
    "lowest": 5,
    "blocker": 1,
    "critical": 1,
    "major": 2,
    "minor": 4,
    "trivial": 5,
}
PAGERDUTY_URGENCY = {"high": 2, "low": 4}


def _names(header: list[str]) -> set[str]:
    return {normalise_header(h) for h in header}


def is_servicenow(header: list[str]) -> bool:
    return {"number", "priority", "opened_at"} <= _names(header)


def is_servicenow_event_log(header: list[str]) -> bool:
    return is_servicenow(header) and {"incident_state", "sys_mod_count"} <= _names(header)


def is_pagerduty(header: list[str]) -> bool:
    return {"id", "incident_number", "urgency", "created_at", "last_status_change_at"} <= _names(header)


def priority_from_text(values: pd.Series) -> pd.Series:
    """`1 - Critical`, `P2`, `3`, `Highest` … → 1-5 (NaN when unknown)."""
    text = values.fillna("").astype("str").str.strip()
    # `[0-9]` and no `\b`: patterns Arrow's regex engine runs itself, not Python's row by row
    leading = r"^[Pp]?[0-9](?:[^0-9A-Za-z_].*)?$"
    digit = text.str.replace(r"^[Pp]?([0-9]).*$", r"\1", regex=True).where(text.str.contains(leading, regex=True), "")
    numbers = pd.to_numeric(digit.replace("", None), errors="coerce")
    named = text.str.lower().map(JIRA_PRIORITIES)
    return numbers.fillna(named)


def _missing_as_empty(table: RawTable) -> RawTable:
    """ServiceNow's `?` means no value."""
    frame = table.frame.replace("?", "")
    return dataclasses.replace(table, frame=frame)


def _text(table: RawTable, *names: str) -> pd.Series | None:
    column = table.column(*names)
    return column.replace("", None) if column is not None else None


def _finish(batch: LoadBatch, table: RawTable, frame: pd.DataFrame, problems: pd.Series) -> LoadBatch:
    bad_priority = frame["priority"].isna() | ~frame["priority"].between(1, 5)
    problems = problems.where(~bad_priority, problems + "priority: no priority 1-5 could be read; ")
    problems = require(problems, frame["incident_id"], "incident id")
    # an incident without an opened date cannot be placed in any window: a row defect, not a null for later
    no_opened = frame["opened_at"].isna() & (problems == "")
    problems = problems.where(~no_opened, problems + "opened date: required value is empty or unreadable; ")
    frame["priority"] = frame["priority"].astype("Int64")
    for column in parser_columns("incidents"):
        if column not in frame:
            frame[column] = None
    split_rows(batch, table, frame[parser_columns("incidents")], problems, "incidents")
    return batch


def _datetimes(
    batch: LoadBatch,
    frame: pd.DataFrame,
    problems: pd.Series,
    table: RawTable,
    dialect: DateDialect,
    targets: list[tuple[str, tuple[str, ...]]],
    date_order: str | None,
) -> pd.Series:
    """All the file's date columns read together (one column's order can settle another's); notes to the batch."""
    columns = {names[0]: table.column(*names) for _, names in targets}
    dates = parse_tool_datetimes(columns, dialect, date_order, DATE_ORDER_SETTING, batch.source_file)
    for target, names in targets:
        frame[target] = dates.values(names[0], frame.index)
    batch.notes.extend(dates.notes)
    return dates.add_problems(problems, "is not a date-time")


def parse_servicenow(table: RawTable, display_name: str, date_order: str | None = None) -> LoadBatch:
    """An incident list export, or the audit event log (latest state per `number` kept)."""
    event_log = is_servicenow_event_log(table.header)
    batch = LoadBatch(
        source_file=display_name,
        source="servicenow",
        file_format=SERVICENOW_EVENT_LOG_FORMAT if event_log else SERVICENOW_FORMAT,
    )
    table = _missing_as_empty(table)
    frame = pd.DataFrame(index=table.frame.index)
    frame["source_row"] = table.source_row
    problems = no_problems(table.frame.index)
    frame["incident_id"] = table.column("number")
    frame["title"] = _text(table, "short_description", "description")
    frame["priority"] = priority_from_text(table.column("priority"))
    frame["state"] = _text(table, "incident_state", "state")
    frame["service"] = _text(table, "business_service", "u_business_service")
    frame["cmdb_ci"] = _text(table, "cmdb_ci")
    frame["assignment_group"] = _text(table, "assignment_group")
    frame["caused_by"] = _text(table, "caused_by")
    targets = [
        ("opened_at", ("opened_at",)),
        ("resolved_at", ("resolved_at",)),
        ("closed_at", ("closed_at",)),
    ]
    if event_log:
        targets.append(("updated_at", ("sys_updated_at",)))
    problems = _datetimes(batch, frame, problems, table, SERVICENOW_DATES, targets, date_order)
    if event_log:
        raw_count = table.column("sys_mod_count")
        counts, bad = parse_numbers(raw_count)
        frame["modification_count"] = counts.astype("Int64")
        problems = add_problem(problems, bad, "sys_mod_count", raw_count, "is not a number")
    return _finish(batch, table, frame, problems)


def parse_pagerduty(table: RawTable, display_name: str, date_order: str | None = None) -> LoadBatch:
    """The REST API's incident fields flattened; a resolved incident's resolve time is its last status change."""
    batch = LoadBatch(source_file=display_name, file_format=PAGERDUTY_FORMAT, source="pagerduty")
    frame = pd.DataFrame(index=table.frame.index)
    frame["source_row"] = table.source_row
    problems = no_problems(table.frame.index)
    frame["incident_id"] = table.column("id")
    frame["title"] = _text(table, "title")
    status = table.column("status").str.lower()
    frame["state"] = status.replace("", None)
    priority = (
        priority_from_text(table.column("priority"))
        if table.column("priority") is not None
        else pd.Series(np.nan, index=frame.index)
    )
    urgency = table.column("urgency").str.lower().map(PAGERDUTY_URGENCY)
    frame["priority"] = priority.fillna(urgency)
    frame["service"] = _text(table, "service", "service.summary")
    problems = _datetimes(
        batch,
        frame,
        problems,
        table,
        PAGERDUTY_DATES,
        [
            ("opened_at", ("created_at",)),
            ("last_change", ("last_status_change_at",)),
        ],
        date_order,
    )
    frame["opened_at"] = _naive_utc(frame["opened_at"])
    last_change = _naive_utc(frame.pop("last_change"))
    frame["resolved_at"] = last_change.where(status == "resolved")
    return _finish(batch, table, frame, problems)


def _naive_utc(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values


def parse_jira_service_management(table: RawTable, display_name: str, date_order: str | None = None) -> LoadBatch:
    """A Jira CSV export of a service project: rows of issue type Incident are incidents; others are refused."""
    english = dataclasses.replace(table, header=[jira.english_header(h) for h in table.header])
    batch = LoadBatch(source_file=display_name, file_format=JSM_FORMAT, source="jira_service_management")
    frame = pd.DataFrame(index=english.frame.index)
    frame["source_row"] = english.source_row
    problems = no_problems(english.frame.index)
    frame["incident_id"] = english.column("Issue key")
    frame["title"] = _text(english, "Summary")
    frame["state"] = _text(english, "Status")
    frame["priority"] = priority_from_text(english.column("Priority"))
    empty = pd.Series("", index=frame.index, dtype="str")
    services = english.joined("Custom field (Affected services)")
    components = english.joined("Component/s")
    services = services if services is not None else empty
    components = components if components is not None else empty
    frame["service"] = services.where(services != "", components).replace("", None)
    dates = jira.parse_jira_datetimes(english, ("Created", "Resolved"), display_name, date_order, DATE_ORDER_SETTING)
    for target, name in (("opened_at", "Created"), ("resolved_at", "Resolved")):
        frame[target] = dates.values(name, frame.index)
    problems = dates.add_problems(problems, "is not a date-time")
    batch.notes.extend(dates.notes)
    issue_type = english.column("Issue Type")
    if issue_type is not None:
        not_incident = ~issue_type.str.lower().isin(["incident", "incidente", "vorfall"])
        problems = problems.where(~not_incident, problems + "Issue Type: '" + issue_type + "' is not an incident; ")
    return _finish(batch, english, frame, problems)


# Recognised by the header, tried in this order.
INCIDENT_FORMATS: tuple[Format[list[str]], ...] = (
    Format("ServiceNow (number, opened_at, priority ...)", is_servicenow, parse_servicenow),
    Format(
        "PagerDuty (id, incident_number, urgency, created_at, last_status_change_at ...)", is_pagerduty, parse_pagerduty
    ),
    Format("Jira Service Management (Issue key, Summary, Priority ...)", jira.matches, parse_jira_service_management),
)
EXPECTED = ", ".join(known.expected for known in INCIDENT_FORMATS[:-1]) + " or " + INCIDENT_FORMATS[-1].expected


def parse_incident_file(
    path: Path, display_name: str, encoding: str | None = None, date_order: str | None = None
) -> LoadBatch:
    """An incidents drop file, recognised by its header; `encoding` as declared in the config (else detected);
    `date_order` (`dmy` / `mdy`) reads numeric dates a column cannot tell the order of."""
    table = read_delimited(path, display_name, encoding=encoding)
    known = recognise(INCIDENT_FORMATS, table.header)
    if known is None:
        raise no_format_matched(display_name, table.header, "incident export", EXPECTED)
    return known.parse(table, display_name, date_order)
