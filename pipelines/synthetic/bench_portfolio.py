"""The bench's synthetic enterprise portfolio at a chosen scale, written as an inbox of monthly drops.

The drops are written with the demo's export writers (Jira and Azure DevOps CSV, MSPDI XML, Smartsheet XLSX,
the generic finance CSV, ServiceNow CSV) and the demo's register workbook, one file per plan as the tools
export them. Everything is seeded: one scale always writes the same data. `bench.py` measures a run over it.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipelines.partitions import months_between
from pipelines.synthetic.demo.plans import schedule_tasks
from pipelines.synthetic.demo.portfolio import DemoProject, month_end
from pipelines.synthetic.demo.register import register_rows, write_register
from pipelines.synthetic.exports import (
    Incident,
    SpendLine,
    WorkItem,
    write_azure_devops_csv,
    write_fx_rates_csv,
    write_generic_spend_csv,
    write_jira_csv,
    write_mspdi,
    write_servicenow_csv,
    write_smartsheet_xlsx,
)

BENCH_MONTHS = months_between(dt.date(2026, 8, 1), dt.date(2026, 10, 1))


# Which tool each project plans in, in turn: most portfolios are mostly Jira, then Azure DevOps, then schedules.
PLAN_SOURCES = ("jira",) * 11 + ("azure_devops",) * 5 + ("ms_project",) * 2 + ("smartsheet",) * 2
# Ten projects taking PLAN_SOURCES in turn would all plan in Jira: the tiny scale's own cycle has every tool twice.
TINY_PLAN_SOURCES = ("jira",) * 4 + ("azure_devops",) * 2 + ("ms_project",) * 2 + ("smartsheet",) * 2


@dataclass(frozen=True, kw_only=True)
class Scale:
    projects: int
    work_items: int  # in each month's plan exports, across all agile projects
    spend_lines: int  # in each month's finance extract
    incidents: int  # in each month's incident export
    plan_sources: tuple[str, ...] = PLAN_SOURCES  # project n plans in plan_sources[n % len(plan_sources)]
    sponsors: int = 5  # recipients scoped to three projects each, besides the head of PMO (at most projects // 3)


SCALES = {
    # The test suite's smoke test of the harness: every plan tool and currency, a tenth of small's rows, and two
    # scoped sponsors (each scoped pack is a PDF of its own: five cost the smoke test ten seconds of rendering).
    "tiny": Scale(
        projects=10, work_items=2_000, spend_lines=1_000, incidents=200, plan_sources=TINY_PLAN_SOURCES, sponsors=2
    ),
    "small": Scale(projects=50, work_items=20_000, spend_lines=10_000, incidents=2_000),
    "medium": Scale(projects=500, work_items=1_000_000, spend_lines=500_000, incidents=100_000),
    "large": Scale(projects=2_000, work_items=5_000_000, spend_lines=2_000_000, incidents=500_000),
}


def bench_projects(scale: Scale) -> list[DemoProject]:
    rng = random.Random(f"bench-{scale.projects}")
    projects = []
    for index in range(scale.projects):
        source = scale.plan_sources[index % len(scale.plan_sources)]
        start = dt.date(2025, 1, 6) + dt.timedelta(days=rng.randint(0, 400))
        finish = start + dt.timedelta(days=rng.randint(240, 720))
        project_id = f"P{index + 1:05d}"
        projects.append(
            DemoProject(
                project_id=project_id,
                name=f"Programme {index + 1:05d}",
                tier=1 + index % 3,
                plan_source=source,
                plan_key=f"K{index + 1:05d}"
                if source == "jira"
                else (f"Contoso\\Bench\\{project_id}" if source == "azure_devops" else f"plan_{project_id.lower()}"),
                bac=float(rng.randint(100, 5000) * 1000),
                currency=("USD", "USD", "USD", "EUR", "GBP")[index % 5],
                start=start,
                finish=finish,
                go_live=finish - dt.timedelta(days=rng.randint(10, 40)),
                sponsor=f"Sponsor {index % 97}",
                manager=f"Manager {index % 211}",
                services=f"Service {project_id}",
                slip_days=rng.choice([0, 0, 5, 12, 30, 60]),
                efficiency=rng.uniform(0.7, 1.05),
                cost_factor=rng.uniform(0.9, 1.2),
            )
        )
    return projects


def _distribution(projects: list[DemoProject], sponsors: int) -> list[list[str]]:
    """The head of PMO, and `sponsors` sponsors with three projects each (P1-P3, P4-P6, ...)."""
    ids = [p.project_id for p in projects]
    return [["pmo.head@example.com", "Head of PMO", "PMO", "portfolio"]] + [
        [f"sponsor{n}@example.com", f"Sponsor {n}", "Sponsor", ";".join(ids[n * 3 : n * 3 + 3])]
        for n in range(sponsors)
    ]


def _work_items(project: DemoProject, count: int, as_of: dt.date, rng: random.Random) -> list[WorkItem]:
    is_jira = project.plan_source == "jira"
    span = max(1, (project.finish - project.start).days)
    items = []
    for number in range(1, count + 1):
        created = project.start + dt.timedelta(days=rng.randint(-20, span // 2))
        done_at = project.start + dt.timedelta(days=int(span * number / count / project.efficiency))
        if created > as_of:
            created = as_of
        if done_at <= as_of:
            status, category, resolved = ("Done" if is_jira else "Closed"), "Done", done_at
        elif done_at - dt.timedelta(days=21) <= as_of:
            status, category, resolved = ("In Progress" if is_jira else "Active"), "In Progress", None
        else:
            status, category, resolved = ("To Do" if is_jira else "New"), "To Do", None
        items.append(
            WorkItem(
                key=(
                    f"{project.plan_key}-{number}" if is_jira else str(number + 1_000_000 * int(project.project_id[1:]))
                ),
                item_type="Story" if is_jira else "User Story",
                summary=f"Story {number} of {project.project_id}",
                status=status,
                status_category=category,
                resolution="Done" if resolved and is_jira else None,
                points=float(rng.choice((1, 2, 3, 5, 8))),
                created=dt.datetime.combine(created, dt.time(9, 30)),
                resolved=dt.datetime.combine(resolved, dt.time(17, 0)) if resolved else None,
                assignee="Ana Silva",
                labels=(),
                sprints=(),
                area_path="" if is_jira else project.plan_key,
            )
        )
    return items


def _write_plans(folder: Path, projects: list[DemoProject], scale: Scale, month: dt.date) -> None:
    as_of = month_end(month)
    agile = [p for p in projects if p.plan_source in ("jira", "azure_devops")]
    per_project = max(1, scale.work_items // max(1, len(agile)))
    for project in projects:
        rng = random.Random(f"{project.project_id}-{month:%Y-%m}")
        if project.plan_source == "jira":
            write_jira_csv(
                folder / "jira" / f"{project.plan_key}.csv",
                project.plan_key,
                _work_items(project, per_project, as_of, rng),
                # one Jira site: each project's issue ids a range of their own
                first_issue_id=1_000_000 * (projects.index(project) + 1),
            )
        elif project.plan_source == "azure_devops":
            write_azure_devops_csv(
                folder / "azure_devops" / f"{project.project_id}.csv", _work_items(project, per_project, as_of, rng)
            )
        elif project.plan_source == "ms_project":
            write_mspdi(folder / "ms_project" / f"{project.plan_key}.xml", project.name, schedule_tasks(project, as_of))
        else:
            write_smartsheet_xlsx(
                folder / "smartsheet" / f"{project.plan_key}.xlsx", project.name, schedule_tasks(project, as_of)
            )


def _write_finance(folder: Path, projects: list[DemoProject], scale: Scale, month: dt.date) -> None:
    per_project = max(1, scale.spend_lines // len(projects))
    lines = []
    for project in projects:
        rng = random.Random(f"spend-{project.project_id}-{month:%Y-%m}")
        monthly = project.bac * project.cost_factor / 18
        for number in range(1, per_project + 1):
            day = month + dt.timedelta(days=rng.randint(0, month_end(month).day - 1))
            lines.append(
                SpendLine(
                    document_id=f"{project.project_id}-{month:%y%m}-{number}",
                    line_no=1,
                    posting_date=day,
                    project_code=project.finance_code(),
                    amount=round(monthly / per_project * rng.uniform(0.5, 1.5), 2),
                    currency=project.currency,
                    supplier="Accenture",
                    description=f"Services {month:%b %Y}",
                    cost_type="External services",
                )
            )
    write_generic_spend_csv(folder / "finance" / "ap_line_items.csv", lines)
    rates = [
        (m, currency, rate)
        for m in months_between(dt.date(2024, 1, 1), month)
        for currency, rate in (("EUR", 1.08), ("GBP", 1.27))
    ]
    write_fx_rates_csv(folder / "finance" / "fx_rates.csv", rates)


def _write_incidents(folder: Path, projects: list[DemoProject], scale: Scale, month: dt.date) -> None:
    rng = random.Random(f"incidents-{month:%Y-%m}")
    as_of = month_end(month)
    incidents = []
    for number in range(1, scale.incidents + 1):
        project = projects[number % len(projects)]
        opened = dt.datetime.combine(as_of - dt.timedelta(days=rng.randint(0, 89)), dt.time(rng.randint(0, 23), 5))
        resolved = opened + dt.timedelta(hours=rng.randint(1, 96))
        incidents.append(
            Incident(
                number=f"INC{month:%y%m}{number:07d}",
                title="login fails",
                priority=rng.choice((1, 2, 3, 3, 4)),
                opened=opened,
                resolved=resolved if resolved.date() <= as_of else None,
                service=project.services,
                state="Resolved" if resolved.date() <= as_of else "In Progress",
            )
        )
    write_servicenow_csv(folder / "incidents" / "servicenow_incidents.csv", incidents)


def write_bench_inbox(inbox: Path, scale: Scale, months: list[dt.date] = BENCH_MONTHS) -> list[DemoProject]:
    """Each month's drop at this scale: the register, every project's plan export, finance and incidents."""
    projects = bench_projects(scale)
    if inbox.exists():
        shutil.rmtree(inbox)
    for month in months:
        folder = inbox / f"{month:%Y-%m}"
        write_register(
            folder / "register" / "portfolio.xlsx",
            register_rows(month, projects, _distribution(projects, scale.sponsors)),
        )
        _write_plans(folder, projects, scale, month)
        _write_finance(folder, projects, scale, month)
        _write_incidents(folder, projects, scale, month)
    return projects
