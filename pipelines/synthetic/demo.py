"""A realistic demo portfolio: 13 projects over 18 monthly drops, written as a PMO's inbox.

The story it tells (so the packs have something to say): CRM Cloud overspends, HR Portal's go-live slips,
the Data Platform reports Green while its numbers are Red, the Mobile App goes live and then has incidents,
the Warehouse system approaches go-live without its benefits ready, Payments joins the portfolio mid-way,
and the Website replatform finishes. Everything is seeded, so two runs write the same data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.workbook import Workbook

from pipelines.partitions import months_between
from pipelines.sources.register import SHEETS
from pipelines.synthetic.exports import (
    Incident,
    SpendLine,
    Task,
    WorkItem,
    write_azure_devops_csv,
    write_fx_rates_csv,
    write_generic_spend_csv,
    write_jira_csv,
    write_jsm_csv,
    write_mspdi,
    write_pagerduty_csv,
    write_sap_cji3_csv,
    write_servicenow_csv,
    write_smartsheet_xlsx,
)

DEMO_FIRST_MONTH = dt.date(2025, 5, 1)
DEMO_LAST_MONTH = dt.date(2026, 10, 1)
DEMO_MARKER = ".steerpack-demo"


@dataclass(frozen=True)
class DemoProject:
    project_id: str
    name: str
    tier: int
    plan_source: str
    plan_key: str
    bac: float
    currency: str
    start: dt.date
    finish: dt.date
    go_live: dt.date
    sponsor: str
    manager: str
    services: str
    slip_days: int = 0  # how far the final forecast drifts past the baseline by the end of the demo
    reported: tuple[tuple[dt.date, str], ...] = ((dt.date(2000, 1, 1), "Green"),)
    benefits_ready: bool = True
    joins: dt.date | None = None  # first month the project appears in the register
    efficiency: float = 1.0  # how much of the planned progress the team actually earns
    cost_factor: float = 0.98  # actual spend over planned spend

    def status_in(self, month: dt.date) -> str:
        status = "Green"
        for since, value in self.reported:
            if month >= since:
                status = value
        return status

    def finance_code(self) -> str:
        return f"WBS-{self.project_id}"


D = dt.date
PROJECTS: list[DemoProject] = [
    DemoProject(
        "CRM",
        "CRM Cloud Migration",
        1,
        "ms_project",
        "crm_cloud",
        2_400_000,
        "USD",
        D(2025, 3, 3),
        D(2026, 9, 30),
        D(2026, 8, 17),
        "Dana Whitfield",
        "Marco Ruiz",
        "Salesforce CRM",
        slip_days=18,
        reported=((D(2000, 1, 1), "Green"), (D(2026, 2, 1), "Amber"), (D(2026, 6, 1), "Red")),
        efficiency=0.95,
        cost_factor=1.22,
    ),
    DemoProject(
        "HRP",
        "HR Self-Service Portal",
        2,
        "jira",
        "HRP",
        850_000,
        "USD",
        D(2025, 6, 2),
        D(2026, 7, 31),
        D(2026, 7, 1),
        "Priya Natarajan",
        "Tom Becker",
        "Workday HR",
        slip_days=21,
        reported=((D(2000, 1, 1), "Green"), (D(2026, 4, 1), "Amber")),
        efficiency=0.85,
    ),
    DemoProject(
        "ERP",
        "ERP Upgrade to S/4HANA",
        1,
        "smartsheet",
        "erp_s4_upgrade",
        3_100_000,
        "EUR",
        D(2025, 1, 6),
        D(2026, 12, 18),
        D(2026, 11, 30),
        "Klaus Meyer",
        "Ines Duarte",
        "SAP ERP",
        slip_days=9,
        reported=((D(2000, 1, 1), "Amber"),),
    ),
    DemoProject(
        "EDP",
        "Enterprise Data Platform",
        1,
        "azure_devops",
        "Contoso\\DataPlatform",
        1_900_000,
        "USD",
        D(2025, 4, 1),
        D(2026, 10, 30),
        D(2026, 10, 1),
        "Helen Park",
        "Sam Okafor",
        "Data Platform",
        slip_days=75,
        reported=((D(2000, 1, 1), "Green"),),
        efficiency=0.7,
        cost_factor=1.1,
    ),
    DemoProject(
        "MOB",
        "Customer Mobile App v3",
        2,
        "jira",
        "MOB",
        640_000,
        "USD",
        D(2025, 2, 3),
        D(2026, 6, 30),
        D(2026, 6, 1),
        "Dana Whitfield",
        "Lea Hoffmann",
        "Mobile App; Mobile API Gateway",
        slip_days=0,
    ),
    DemoProject(
        "NET",
        "Campus Network Refresh",
        3,
        "ms_project",
        "network_refresh",
        420_000,
        "USD",
        D(2025, 5, 5),
        D(2026, 5, 29),
        D(2026, 5, 29),
        "Robert Chen",
        "Aisha Bello",
        "Campus Network",
    ),
    DemoProject(
        "IAM",
        "Identity and Access Management",
        1,
        "azure_devops",
        "Contoso\\Security\\IAM",
        1_250_000,
        "USD",
        D(2025, 1, 13),
        D(2026, 3, 31),
        D(2026, 3, 2),
        "Helen Park",
        "Jonas Lind",
        "Okta SSO",
    ),
    DemoProject(
        "DMS",
        "Document Management",
        3,
        "smartsheet",
        "document_management",
        300_000,
        "GBP",
        D(2025, 7, 1),
        D(2026, 8, 28),
        D(2026, 8, 3),
        "Robert Chen",
        "Chloe Martin",
        "SharePoint DMS",
        slip_days=6,
    ),
    DemoProject(
        "BID",
        "Finance BI Dashboards",
        3,
        "jira",
        "BID",
        180_000,
        "USD",
        D(2025, 9, 1),
        D(2026, 4, 30),
        D(2026, 4, 30),
        "Klaus Meyer",
        "Nina Petrova",
        "Power BI Finance",
    ),
    DemoProject(
        "WMS",
        "Warehouse Management System",
        2,
        "ms_project",
        "wms_rollout",
        1_100_000,
        "USD",
        D(2025, 5, 12),
        D(2026, 12, 11),
        D(2026, 11, 16),
        "Priya Natarajan",
        "Owen Gallagher",
        "Manhattan WMS",
        slip_days=4,
        benefits_ready=False,
        reported=((D(2000, 1, 1), "Green"), (D(2026, 9, 1), "Amber")),
    ),
    DemoProject(
        "SOC",
        "Security Operations Centre",
        2,
        "azure_devops",
        "Contoso\\Security\\SOC",
        760_000,
        "USD",
        D(2025, 8, 4),
        D(2026, 11, 27),
        D(2026, 11, 2),
        "Helen Park",
        "Yusuf Demir",
        "Sentinel SIEM",
        slip_days=12,
        reported=((D(2000, 1, 1), "Green"), (D(2026, 7, 1), "Amber")),
        efficiency=0.9,
    ),
    DemoProject(
        "WEB",
        "Website CMS Replatform",
        3,
        "smartsheet",
        "website_cms",
        260_000,
        "USD",
        D(2025, 1, 20),
        D(2025, 12, 19),
        D(2025, 12, 1),
        "Robert Chen",
        "Chloe Martin",
        "Corporate Website",
    ),
    DemoProject(
        "PAY",
        "Payments Gateway Modernisation",
        1,
        "jira",
        "PAY",
        2_000_000,
        "USD",
        D(2026, 1, 12),
        D(2027, 6, 30),
        D(2027, 5, 3),
        "Dana Whitfield",
        "Marco Ruiz",
        "Payments Gateway",
        joins=D(2026, 1, 1),
        reported=((D(2000, 1, 1), "Green"),),
    ),
]

PHASES = ["Initiation", "Planning", "Execution", "Execution", "Testing", "Deployment", "Closed"]


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _phase(project: DemoProject, as_of: dt.date) -> str:
    if as_of >= project.finish:
        return "Closed"
    span = (project.finish - project.start).days or 1
    index = int(max(0, (as_of - project.start).days) / span * (len(PHASES) - 1))
    return PHASES[min(index, len(PHASES) - 2)]


def _slip_so_far(project: DemoProject, as_of: dt.date) -> int:
    """The slip grows as the project burns its schedule, reaching `slip_days` by the demo's last month."""
    span = (month_end(DEMO_LAST_MONTH) - project.start).days or 1
    progress = min(1.0, max(0.0, (as_of - project.start).days / span))
    return round(project.slip_days * progress)


def _milestones(project: DemoProject, as_of: dt.date) -> list[list]:
    names = ["Requirements signed off", "Design approved", "Build complete", "UAT complete", "Go-live"]
    span = (project.go_live - project.start).days
    rows = []
    for index, name in enumerate(names, start=1):
        baseline = project.go_live if name == "Go-live" else project.start + dt.timedelta(days=span * index // 5)
        slip = round(_slip_so_far(project, as_of) * index / len(names))
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
        forecast_go_live = project.go_live + dt.timedelta(days=_slip_so_far(project, as_of))
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


# --- plans ------------------------------------------------------------------------------------------------------

PHASE_SHARES = [("Initiate", 0.10), ("Design", 0.20), ("Build", 0.40), ("Test", 0.20), ("Deploy", 0.10)]
# Projects whose schedule export carries baseline costs (weights by cost); the others weigh tasks by duration.
COSTED_SCHEDULES = {"CRM", "NET", "WMS", "ERP"}
SIZE_COLUMNS = {"EDP": "Story Points", "SOC": "Effort", "IAM": "Size"}
# A month's drop where a plan export is missing (the pack serves the earlier one and says so).
MISSING_EXPORTS = {("DMS", D(2026, 9, 1))}


def _shift(day: dt.date, days: float) -> dt.date:
    return day + dt.timedelta(days=round(days))


def _fraction_done(start: dt.date, finish: dt.date, as_of: dt.date, efficiency: float) -> float:
    if as_of < start:
        return 0.0
    if as_of >= finish + dt.timedelta(days=30):
        return 1.0  # late work does get finished
    elapsed = ((as_of - start).days + 1) / ((finish - start).days + 1)
    return max(0.0, min(1.0, elapsed * efficiency))


def schedule_tasks(project: DemoProject, as_of: dt.date) -> list[Task]:
    """The project's schedule as its plan file stands at `as_of`: phases, their tasks and a milestone each."""
    span = (project.finish - project.start).days
    slip = _slip_so_far(project, as_of)
    costed = project.project_id in COSTED_SCHEDULES
    tasks: list[Task] = []
    uid, cursor = 1, 0.0
    for phase, share in PHASE_SHARES:
        phase_start = _shift(project.start, span * cursor)
        phase_finish = _shift(project.start, span * (cursor + share)) - dt.timedelta(
            days=1 if cursor + share < 1 else 0
        )
        shift_start, shift_finish = slip * cursor, slip * (cursor + share)
        children = []
        half = _shift(phase_start, (phase_finish - phase_start).days / 2)
        for index, (name, b_start, b_finish) in enumerate(
            [
                (f"{phase}: work package A", phase_start, half),
                (f"{phase}: work package B", half + dt.timedelta(days=1), phase_finish),
            ]
        ):
            start, finish = _shift(b_start, shift_start), _shift(b_finish, shift_finish)
            done = _fraction_done(start, finish, as_of, project.efficiency) * 100
            children.append(
                Task(
                    uid + 1 + index,
                    name,
                    2,
                    False,
                    False,
                    start,
                    finish,
                    b_start,
                    b_finish,
                    round(project.bac * share / 2, 2) if costed else None,
                    round(done, 1),
                    finish if done >= 100 else None,
                    round(project.bac * share / 2, 2),
                )
            )
        gate = _shift(phase_finish, shift_finish)
        children.append(
            Task(
                uid + 3,
                f"{phase} complete",
                2,
                False,
                True,
                gate,
                gate,
                phase_finish,
                phase_finish,
                0.0 if costed else None,
                100.0 if gate <= as_of else 0.0,
                gate if gate <= as_of else None,
            )
        )
        summary_done = sum(c.percent_complete for c in children[:2]) / 2
        tasks.append(
            Task(
                uid,
                phase,
                1,
                True,
                False,
                children[0].start,
                gate,
                phase_start,
                phase_finish,
                round(project.bac * share, 2) if costed else None,
                round(summary_done, 1),
                None,
                round(project.bac * share, 2),
            )
        )
        tasks.extend(children)
        uid += 4
        cursor += share
    project_done = sum(t.percent_complete for t in tasks if not t.is_summary and not t.is_milestone) / 10
    tasks.insert(
        0,
        Task(
            0,
            project.name,
            0,
            True,
            False,
            project.start,
            tasks[-1].finish,
            project.start,
            project.finish,
            project.bac if costed else None,
            round(project_done, 1),
            None,
            project.bac,
        ),
    )
    return tasks


def _backlog(project: DemoProject) -> list[dict]:
    """The items the team will ever create: most at kick-off, some added later (scope churn), a few dropped."""
    rng = random.Random(f"backlog-{project.project_id}")
    span = (project.finish - project.start).days
    items = []
    for number in range(1, 49):
        created = (
            project.start - dt.timedelta(days=rng.randint(1, 20))
            if number <= 40
            else _shift(project.start, span * rng.uniform(0.1, 0.7))
        )
        items.append(
            {
                "number": number,
                "created": created,
                "points": rng.choice([1, 2, 3, 5, 8]),
                "epic": 1 + (number - 1) % 3,
                "dropped": number in (7, 23, 44),
                "summary": rng.choice(["Export", "Import", "Approve", "Search", "Notify", "Audit", "Report on"])
                + " "
                + rng.choice(["invoices", "orders", "users", "contracts", "assets", "tickets", "payments"]),
            }
        )
    return items


def work_items(project: DemoProject, as_of: dt.date) -> list[WorkItem]:
    """The agile backlog as an export at `as_of` shows it: created items only, each in its state of that day."""
    forecast_finish = _shift(project.finish, project.slip_days)
    span = (forecast_finish - project.start).days
    backlog = [item for item in _backlog(project) if item["created"] <= as_of]
    in_scope = [item for item in _backlog(project) if not item["dropped"]]
    people = ["Ana Silva", "Ben Carter", "Chen Wei", "Dara Walsh", ""]
    is_jira = project.plan_source == "jira"
    out: list[WorkItem] = []
    for epic in range(1, 4):
        created = dt.datetime.combine(project.start - dt.timedelta(days=25), dt.time(9, 30))
        out.append(
            WorkItem(
                _item_key(project, 1000 + epic),
                "Epic",
                f"Epic {epic} of {project.name}",
                "In Progress" if is_jira else "Active",
                "In Progress",
                None,
                None,
                created,
                None,
                "",
                (),
                (),
                project.plan_key if not is_jira else "",
            )
        )
    for item in backlog:
        order = in_scope.index(item) if item in in_scope else None
        done_at = None
        if order is not None:
            done_at = _shift(project.start, span * (order + 1) / len(in_scope) / project.efficiency)
        dropped_at = _shift(item["created"], 40) if item["dropped"] else None
        sprint_of = lambda day: f"{project.project_id} Sprint {max(1, (day - project.start).days // 14 + 1)}"  # noqa: E731
        if dropped_at and dropped_at <= as_of:
            status, category, resolution, resolved = (
                ("Won't Do", "Done", "Won't Do", dropped_at) if is_jira else ("Removed", "Done", None, dropped_at)
            )
        elif done_at and done_at <= as_of:
            status, category, resolution, resolved = (
                ("Done", "Done", "Done", done_at) if is_jira else ("Closed", "Done", None, done_at)
            )
        elif done_at and done_at - dt.timedelta(days=21) <= as_of:
            status, category, resolution, resolved = (
                ("In Progress", "In Progress", None, None) if is_jira else ("Active", "In Progress", None, None)
            )
        else:
            status, category, resolution, resolved = (
                ("To Do", "To Do", None, None) if is_jira else ("New", "To Do", None, None)
            )
        sprints: tuple[str, ...] = ()
        if category != "To Do" and done_at:
            first = sprint_of(max(project.start, done_at - dt.timedelta(days=21)))
            last = sprint_of(min(as_of, done_at))
            sprints = tuple(dict.fromkeys([first, last]))  # carried-over items sit in two sprints
        area = "" if is_jira else project.plan_key + ("\\Backend" if item["number"] % 3 == 0 else "")
        created = dt.datetime.combine(item["created"], dt.time(9 + item["number"] % 8, 5 * (item["number"] % 12)))
        out.append(
            WorkItem(
                _item_key(project, item["number"]),
                "Story" if is_jira else "User Story",
                item["summary"],
                status,
                category,
                resolution,
                float(item["points"]),
                created,
                dt.datetime.combine(resolved, dt.time(17, 45)) if resolved else None,
                people[item["number"] % len(people)],
                ("backend",) if item["number"] % 3 == 0 else ("ui", "mvp") if item["number"] % 5 == 0 else (),
                sprints,
                area,
                _item_key(project, 1000 + item["epic"]),
            )
        )
    return out


def jira_first_issue_id(project: DemoProject) -> int:
    """The demo's Jira projects live on one Jira site, which numbers issues across the site: each project's ids
    start 10,000 after the previous one's (its keys number up to ~1,003)."""
    jira_projects = [p.project_id for p in PROJECTS if p.plan_source == "jira"]
    return 10_000 * (jira_projects.index(project.project_id) + 1)


def _item_key(project: DemoProject, number: int) -> str:
    if project.plan_source == "jira":
        return f"{project.plan_key}-{number}"
    return str(10_000 * (PROJECTS.index(project) + 1) + number)  # Azure DevOps ids are numbers


def write_plans(inbox: Path, month: dt.date) -> list[Path]:
    """Each project's plan export in this month's drop, in the tool and layout its team uses."""
    as_of = month_end(month)
    written = []
    for project in PROJECTS:
        if (project.joins and month < project.joins) or (project.project_id, month) in MISSING_EXPORTS:
            continue
        folder = inbox / f"{month:%Y-%m}" / project.plan_source
        if project.plan_source == "ms_project":
            # some months the file comes from an older Project that writes one long line, no declaration
            compact = month.month % 4 == 0
            written.append(
                write_mspdi(
                    folder / f"{project.plan_key}.xml",
                    project.name,
                    schedule_tasks(project, as_of),
                    indent=not compact,
                    declaration=not compact,
                )
            )
        elif project.plan_source == "smartsheet":
            european = project.currency != "USD"
            written.append(
                write_smartsheet_xlsx(
                    folder / f"{project.plan_key}.xlsx",
                    project.name,
                    schedule_tasks(project, as_of),
                    date_format="dd.mm.yyyy" if european else "mm/dd/yy",
                    end_header="End Date" if project.project_id == "WEB" else "Finish",
                    with_cost=project.project_id in COSTED_SCHEDULES,
                )
            )
        elif project.plan_source == "jira":
            items = work_items(project, as_of)
            if project.project_id == "BID":
                written.append(
                    write_jira_csv(
                        folder / f"{project.plan_key}.csv",
                        project.plan_key,
                        items,
                        server_layout=True,
                        first_issue_id=jira_first_issue_id(project),
                    )
                )
            else:
                points_field = (
                    "Custom field (Story point estimate)"
                    if project.project_id == "MOB"
                    else "Custom field (Story Points)"
                )
                written.append(
                    write_jira_csv(
                        folder / f"{project.plan_key}.csv",
                        project.plan_key,
                        items,
                        points_field=points_field,
                        first_issue_id=jira_first_issue_id(project),
                    )
                )
        else:
            items = work_items(project, as_of)
            if project.project_id == "EDP":
                # a neighbouring team's area whose name merely starts the same must not map to this project
                items.append(
                    WorkItem(
                        "99001",
                        "User Story",
                        "Legacy warehouse report",
                        "Active",
                        "In Progress",
                        None,
                        13.0,
                        dt.datetime(2025, 6, 2, 10, 0),
                        None,
                        "Eve Ng",
                        (),
                        (),
                        "Contoso\\DataPlatformLegacy",
                    )
                )
            name = project.plan_key.split("\\")[-1]
            written.append(
                write_azure_devops_csv(
                    folder / f"{name}.csv",
                    items,
                    SIZE_COLUMNS[project.project_id],
                    quote_all=project.project_id != "IAM",
                )
            )
    return written


# --- finance ----------------------------------------------------------------------------------------------------

SUPPLIERS = ["Accenture", "Capgemini", "AWS EMEA", "Contractor payroll", "Microsoft Ireland", "Deloitte"]
FX_TO_USD = {"EUR": 1.08, "GBP": 1.27}
UNMAPPED_CODE = "WBS-LEGACY-42"  # a code finance still books to, that no register project owns


def spend_lines(project: DemoProject, month: dt.date) -> list[SpendLine]:
    """The project's postings in `month`: its budget spread over its forecast duration, at its cost factor."""
    finish = _shift(project.finish, project.slip_days)
    first, last = project.start.replace(day=1), finish.replace(day=1)
    if not first <= month <= last:
        return []
    months = len(months_between(first, last))
    rng = random.Random(f"spend-{project.project_id}-{month:%Y-%m}")
    monthly = project.bac * project.cost_factor / months * rng.uniform(0.85, 1.15)
    lines = []
    for number in range(1, 4):
        day = min(month_end(month), month + dt.timedelta(days=7 * number))
        lines.append(
            SpendLine(
                f"{project.project_id}{month:%y%m}{number:02d}",
                1,
                day,
                project.finance_code(),
                round(monthly * (0.5, 0.3, 0.2)[number - 1], 2),
                project.currency,
                SUPPLIERS[(number + len(project.project_id)) % len(SUPPLIERS)],
                f"{project.name}: {('services', 'cloud', 'licences')[number - 1]} {month:%b %Y}",
                ("External services", "Cloud", "Licences")[number - 1],
            )
        )
    if project.project_id == "CRM" and month == D(2026, 3, 1):
        # a supplier credit note for an invoice billed twice
        lines.append(
            SpendLine(
                f"CRM{month:%y%m}CN",
                1,
                month + dt.timedelta(days=20),
                project.finance_code(),
                -round(monthly * 0.2, 2),
                project.currency,
                "Capgemini",
                "Credit note: duplicate invoice",
                "External services",
            )
        )
    return lines


def write_finance(inbox: Path, month: dt.date) -> list[Path]:
    """The month's finance drop. The first extract carries all history; later ones overlap the previous month."""
    if month == DEMO_FIRST_MONTH:
        covered = months_between(D(2025, 1, 1), month)
    else:
        covered = [previous_month(month), month]
    generic, sap = [], []
    for project in PROJECTS:
        for posting_month in covered:
            lines = spend_lines(project, posting_month)
            (sap if project.currency == "EUR" else generic).extend(lines)
    for posting_month in covered:
        generic.append(
            SpendLine(
                f"LEG{posting_month:%y%m}",
                1,
                month_end(posting_month),
                UNMAPPED_CODE,
                4_250.0,
                "USD",
                "Legacy hosting Ltd",
                "Legacy data centre rack",
                "Hosting",
            )
        )
    folder = inbox / f"{month:%Y-%m}" / "finance"
    rates = [
        (m, currency, rate * (1 + 0.004 * ((m.month % 5) - 2)))
        for m in months_between(D(2025, 1, 1), month)
        for currency, rate in FX_TO_USD.items()
    ]
    return [
        write_generic_spend_csv(folder / "ap_line_items.csv", generic),
        write_sap_cji3_csv(folder / "sap_cji3_export.csv", sap),
        write_fx_rates_csv(folder / "fx_rates.csv", rates),
    ]


# --- incidents ---------------------------------------------------------------------------------------------------

# Which tool each live service's operations team uses, and how noisy the service is after go-live.
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
    return project.go_live + dt.timedelta(days=_slip_so_far(project, month_end(DEMO_LAST_MONTH)))


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
                    f"{project.project_id}{number:05d}",
                    f"{services[number % len(services)]}: "
                    f"{rng.choice(['login fails', 'slow response', 'sync error', 'timeout', 'crash'])}",
                    priority,
                    opened,
                    opened + dt.timedelta(hours=round(hours, 1)),
                    services[number % len(services)],
                    "Resolved",
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


def demo_months() -> list[dt.date]:
    return months_between(DEMO_FIRST_MONTH, DEMO_LAST_MONTH)


def write_demo_inbox(inbox: Path) -> list[dt.date]:
    """Write every demo month's drop into `inbox` (replacing an earlier demo inbox, never a real one)."""
    if inbox.exists() and any(inbox.iterdir()) and not (inbox / DEMO_MARKER).exists():
        raise FileExistsError(f"{inbox} holds files that the demo did not write; point 'inbox' elsewhere for the demo")
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    (inbox / DEMO_MARKER).write_text("written by `steerpack demo`; safe to delete\n", encoding="utf-8")
    months = demo_months()
    for month in months:
        write_register(inbox / f"{month:%Y-%m}" / "register" / "portfolio.xlsx", register_rows(month))
        write_plans(inbox, month)
        write_finance(inbox, month)
        write_incidents(inbox, month)
    return months
