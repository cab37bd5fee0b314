"""The plain rows the plan writers take: a schedule tool's `Task` (MS Project, Smartsheet) and an agile tool's
`WorkItem` (Jira, Azure DevOps)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Task:
    uid: int
    name: str
    level: int
    is_summary: bool
    is_milestone: bool
    start: dt.date
    finish: dt.date
    baseline_start: dt.date
    baseline_finish: dt.date
    baseline_cost: float | None
    percent_complete: float  # 0-100
    actual_finish: dt.date | None
    cost: float = 0.0
    actual_cost: float = 0.0
    is_critical: bool | None = None  # MS Project's Critical flag; None writes no element


@dataclass(frozen=True, kw_only=True)
class WorkItem:
    key: str
    item_type: str
    summary: str
    status: str
    status_category: str  # To Do / In Progress / Done
    resolution: str | None
    points: float | None
    created: dt.datetime
    resolved: dt.datetime | None
    assignee: str
    labels: tuple[str, ...]
    sprints: tuple[str, ...]
    area_path: str = ""
    parent: str = ""
