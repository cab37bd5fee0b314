"""The portfolio register workbook as the PMO keeps it: projects, milestones, benefits, RAID, changes and the
pack's distribution list, as they stand at the end of each month."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.workbook import Workbook

from pipelines.sources.register import SHEETS
from pipelines.synthetic.demo.portfolio import PROJECTS, DemoProject, month_end, slip_so_far

PHASES = ["Initiation", "Planning", "Execution", "Execution", "Testing", "Deployment", "Closed"]


def _phase(project: DemoProject, as_of: dt.date) -> str:
    if as_of >= project.finish:
        return "Closed"
    span = (project.finish - project.start).days or 1
    index = int(max(0, (as_of - project.start).days) / span * (len(PHASES) - 1))
    return PHASES[min(index, len(PHASES) - 2)]


def _milestones(project: DemoProject, as_of: dt.date) -> list[list]:
    names = ["Requirements signed off", "Design approved", "Build complete", "UAT complete", "Go-live"]
    span = (project.go_live - project.start).days
    rows = []
    for index, name in enumerate(names, start=1):
        baseline = project.go_live if name == "Go-live" else project.start + dt.timedelta(days=span * index // 5)
        slip = round(slip_so_far(project, as_of) * index / len(names))
        forecast = baseline + dt.timedelta(days=slip)
        actual = forecast if forecast <= as_of else None
        rows.append([project.project_id, name, baseline, forecast, actual])
    return rows


def _benefits(project: DemoProject) -> list[list]:
    tracking = project.go_live - dt.timedelta(days=30)
    first = [
        f"B-{project.project_id}-1",
        project.project_id,
        f"{project.name}: lower run cost",
        project.sponsor,
        "Annual run cost (USD)",
        round(project.bac * 0.3),
        round(project.bac * 0.22),
        project.go_live + dt.timedelta(days=365),
        tracking,
    ]
    second = [
        f"B-{project.project_id}-2",
        project.project_id,
        "Faster service for staff",
        project.manager,
        "Median handling time (minutes)",
        42,
        30,
        project.go_live + dt.timedelta(days=180),
        tracking,
    ]
    if not project.benefits_ready:
        # The classic gap: a benefit nobody owns, with no tracking start ahead of go-live.
        second[3] = None
        second[8] = None
    return [first, second]


def _raid(project: DemoProject, as_of: dt.date) -> list[list]:
    """A RAID log that moves: an item raised every month, due 45 days later, closed a few weeks after that;
    the troubled projects let updates go stale and deadlines pass."""
    rows = []
    months_running = max(0, (as_of.year - project.start.year) * 12 + as_of.month - project.start.month)
    troubled = project.project_id in {"EDP", "CRM", "WMS"}
    for index in range(max(1, months_running - 5), months_running + 1):
        raised = project.start + dt.timedelta(days=30 * index)
        if raised > as_of:
            break
        kind = ["Risk", "Issue", "Dependency", "Assumption"][index % 4]
        severity = "High" if (index + len(project.project_id)) % 3 == 0 else ("Medium", "Low")[index % 2]
        due = raised + dt.timedelta(days=45)
        closed = due < as_of - dt.timedelta(days=10 if not troubled else 40)
        stale = troubled and index % 2 == 0
        updated = as_of - dt.timedelta(days=20 + index % 15 if stale else index % 6)
        topic = ("vendor capacity", "data quality", "key-person dependency", "licence renewal", "integration testing")[
            index % 5
        ]
        rows.append(
            [
                f"R-{project.project_id}-{index:02d}",
                project.project_id,
                kind,
                f"{kind} {index}: {topic}",
                project.manager,
                severity,
                "Closed" if closed else "Open",
                raised,
                max(raised, updated),
                due,
            ]
        )
    return rows


def _changes(project: DemoProject, as_of: dt.date) -> list[list]:
    rows = []
    for index in range(1, 4):
        submitted = project.start + dt.timedelta(days=95 * index)
        if submitted > as_of:
            break
        decided = submitted + dt.timedelta(days=8 + 6 * index)
        pending = decided > as_of
        rows.append(
            [
                f"CR-{project.project_id}-{index}",
                project.project_id,
                f"Change request {index} for {project.name}",
                submitted,
                None if pending else decided,
                "Pending" if pending else "Approved",
                round(project.bac * 0.02 * index),
                7 * index,
            ]
        )
    return rows


DISTRIBUTION = [
    ["pmo.head@example.com", "Grace Liu", "Head of PMO", "portfolio"],
    ["cfo@example.com", "Victor Hale", "CFO", "portfolio"],
    ["dana.whitfield@example.com", "Dana Whitfield", "Sponsor", "CRM;MOB;PAY"],
    ["helen.park@example.com", "Helen Park", "Sponsor", "EDP;IAM;SOC"],
    ["marco.ruiz@example.com", "Marco Ruiz", "Project manager", "CRM;PAY"],
    ["owen.gallagher@example.com", "Owen Gallagher", "Project manager", "WMS"],
]


def register_rows(
    month: dt.date, projects: list[DemoProject] | None = None, distribution: list[list[str]] | None = None
) -> dict[str, list[list]]:
    """The register's sheets as they stand at the end of `month` (the demo's portfolio unless given another)."""
    as_of = month_end(month)
    sheets: dict[str, list[list]] = {name: [] for name in SHEETS}
    for project in PROJECTS if projects is None else projects:
        if project.joins and month < project.joins:
            continue
        forecast_go_live = project.go_live + dt.timedelta(days=slip_so_far(project, as_of))
        go_live_actual = forecast_go_live if forecast_go_live <= as_of else None
        sheets["Projects"].append(
            [
                project.project_id,
                project.name,
                project.tier,
                project.sponsor,
                project.manager,
                project.status_in(month),
                _phase(project, as_of),
                project.bac,
                project.currency,
                project.start,
                project.finish,
                project.go_live,
                go_live_actual,
                project.plan_source,
                project.plan_key,
                project.finance_code(),
                project.services,
            ]
        )
        sheets["Milestones"].extend(_milestones(project, as_of))
        sheets["Benefits"].extend(_benefits(project))
        sheets["RAID"].extend(_raid(project, as_of))
        sheets["Changes"].extend(_changes(project, as_of))
    present = {row[0] for row in sheets["Projects"]}
    sheets["Distribution"] = [
        [email, name, role, scope if scope == "portfolio" else ";".join(p for p in scope.split(";") if p in present)]
        for email, name, role, scope in (DISTRIBUTION if distribution is None else distribution)
    ]
    return sheets


def write_register(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_name, (_, spec) in SHEETS.items():
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([column for column, _, _ in spec])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheets.get(sheet_name, []):
            sheet.append(row)
        for column_cells in sheet.iter_cols(min_row=2):
            for cell in column_cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
