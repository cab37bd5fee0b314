"""The operations tools' incident exports for the projects' live services: ServiceNow, PagerDuty and Jira
Service Management, a 90-day window as it stood at each month end."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

from pipelines.synthetic.demo.portfolio import DEMO_LAST_MONTH, PROJECTS, D, DemoProject, month_end, slip_so_far
from pipelines.synthetic.exports import Incident, write_jsm_csv, write_pagerduty_csv, write_servicenow_csv

INCIDENT_TOOLS = {
    "MOB": "servicenow",
    "IAM": "pagerduty",
    "HRP": "jira_service_management",
    "NET": "servicenow",
    "WEB": "servicenow",
    "BID": "jira_service_management",
}
TROUBLED_GO_LIVES = {"MOB": 3.0}  # incidents per week in the first month after go-live, vs a baseline of ~0.5


def _go_live_actual(project: DemoProject) -> dt.date:
    return project.go_live + dt.timedelta(days=slip_so_far(project, month_end(DEMO_LAST_MONTH)))


def incidents_for(project: DemoProject) -> list[Incident]:
    """Every incident the project's services will ever have in the demo period, seeded."""
    rng = random.Random(f"incidents-{project.project_id}")
    go_live = _go_live_actual(project)
    services = [s.strip() for s in project.services.split(";")]
    out = []
    day = D(2025, 1, 1)
    number = 1
    while day <= month_end(DEMO_LAST_MONTH):
        after = 0 <= (day - go_live).days < 30
        weekly = TROUBLED_GO_LIVES.get(project.project_id, 1.0) if after else 0.5
        if rng.random() < weekly / 7:
            if after and project.project_id in TROUBLED_GO_LIVES:
                priority = rng.choices([1, 2, 3, 4], weights=[1, 3, 4, 2])[0]
            else:
                priority = rng.choices([2, 3, 4, 5], weights=[1, 4, 4, 1])[0]
            opened = dt.datetime.combine(day, dt.time(rng.randint(0, 23), rng.randint(0, 59)))
            hours = {1: 3, 2: 8, 3: 30, 4: 72, 5: 120}[priority] * rng.uniform(0.5, 1.5)
            out.append(
                Incident(
                    number=f"{project.project_id}{number:05d}",
                    title=f"{services[number % len(services)]}: "
                    f"{rng.choice(['login fails', 'slow response', 'sync error', 'timeout', 'crash'])}",
                    priority=priority,
                    opened=opened,
                    resolved=opened + dt.timedelta(hours=round(hours, 1)),
                    service=services[number % len(services)],
                    state="Resolved",
                )
            )
            number += 1
        day += dt.timedelta(days=1)
    return out


def write_incidents(inbox: Path, month: dt.date) -> list[Path]:
    """Each operations tool's export: incidents opened in the last 90 days, as they stood at month end."""
    as_of = month_end(month)
    window_start = as_of - dt.timedelta(days=90)
    by_tool: dict[str, list[tuple[DemoProject, Incident]]] = {}
    for project in PROJECTS:
        tool = INCIDENT_TOOLS.get(project.project_id)
        if tool is None:
            continue
        for incident in incidents_for(project):
            if window_start <= incident.opened.date() <= as_of:
                still_open = incident.resolved and incident.resolved.date() > as_of
                shown = dataclasses.replace(incident, resolved=None, state="In Progress") if still_open else incident
                by_tool.setdefault(tool, []).append((project, shown))
    folder = inbox / f"{month:%Y-%m}" / "incidents"
    written = []
    for tool, rows in sorted(by_tool.items()):
        incidents = [incident for _, incident in rows]
        if tool == "servicenow":
            numbered = [dataclasses.replace(i, number=f"INC{i.number}") for i in incidents]
            written.append(write_servicenow_csv(folder / "servicenow_incidents.csv", numbered, duplicate_every=9))
        elif tool == "pagerduty":
            written.append(write_pagerduty_csv(folder / "pagerduty_incidents.csv", incidents))
        else:
            written.append(write_jsm_csv(folder / "jsm_incidents.csv", "ITSD", incidents))
    return written
