"""Incident exports: a ServiceNow list (with the repeated rows of overlapping views), PagerDuty's REST fields
flattened, and a Jira Service Management CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from pipelines.synthetic.exports.jira import jira_datetime


@dataclass(frozen=True, kw_only=True)
class Incident:
    number: str
    title: str
    priority: int  # 1-5
    opened: dt.datetime
    resolved: dt.datetime | None
    service: str
    state: str


SERVICENOW_PRIORITY = {1: "1 - Critical", 2: "2 - High", 3: "3 - Moderate", 4: "4 - Low", 5: "5 - Planning"}


def write_servicenow_csv(path: Path, incidents: list[Incident], duplicate_every: int = 0) -> Path:
    """An incident list export; `duplicate_every` repeats some rows, as overlapping list views do."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "number",
            "short_description",
            "opened_at",
            "resolved_at",
            "closed_at",
            "priority",
            "state",
            "cmdb_ci",
            "business_service",
            "assignment_group",
            "caused_by",
        ]
    )
    fmt = "%Y-%m-%d %H:%M:%S"
    for index, incident in enumerate(incidents, start=1):
        closed = incident.resolved + dt.timedelta(days=3) if incident.resolved else None
        row = [
            incident.number,
            incident.title,
            incident.opened.strftime(fmt),
            incident.resolved.strftime(fmt) if incident.resolved else "",
            closed.strftime(fmt) if closed else "",
            SERVICENOW_PRIORITY[incident.priority],
            incident.state,
            "",
            incident.service,
            "Service Desk",
            "",
        ]
        writer.writerow(row)
        if duplicate_every and index % duplicate_every == 0:
            writer.writerow(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_pagerduty_csv(path: Path, incidents: list[Incident]) -> Path:
    """The REST API's incident fields flattened; this account has no priorities, so urgency carries them."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "incident_number",
            "title",
            "status",
            "urgency",
            "priority",
            "service",
            "created_at",
            "last_status_change_at",
        ]
    )
    for number, incident in enumerate(incidents, start=1):
        last_change = incident.resolved or incident.opened + dt.timedelta(minutes=7)
        writer.writerow(
            [
                f"P{incident.number}",
                number,
                incident.title,
                "resolved" if incident.resolved else "acknowledged",
                "high" if incident.priority <= 2 else "low",
                "",
                incident.service,
                incident.opened.strftime("%Y-%m-%dT%H:%M:%SZ"),
                last_change.strftime("%Y-%m-%dT%H:%M:%SZ"),
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


JIRA_PRIORITY_NAMES = {1: "Highest", 2: "High", 3: "Medium", 4: "Low", 5: "Lowest"}


def write_jsm_csv(path: Path, project_key: str, incidents: list[Incident]) -> Path:
    """A Jira Service Management export: Jira's CSV, issue type Incident, the service in Affected services."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "Summary",
            "Issue key",
            "Issue id",
            "Issue Type",
            "Status",
            "Project key",
            "Priority",
            "Created",
            "Resolved",
            "Custom field (Affected services)",
            "Status Category",
        ]
    )
    for number, incident in enumerate(incidents, start=1):
        writer.writerow(
            [
                incident.title,
                f"{project_key}-{incident.number}",
                20000 + number,
                "Incident",
                "Resolved" if incident.resolved else "In Progress",
                project_key,
                JIRA_PRIORITY_NAMES[incident.priority],
                jira_datetime(incident.opened),
                jira_datetime(incident.resolved),
                incident.service,
                "Done" if incident.resolved else "In Progress",
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path
