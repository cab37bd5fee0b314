"""The portfolio register workbook as the PMO keeps it: projects, milestones, benefits, RAID, changes and the
pack's distribution list, and the optional sheets of DESIGN §3 (decisions, release readiness, UAT, cutovers,
surveys, compliance evidence), as they stand at the end of each month.

Every row is as the PMO knew it at the month's end: nothing decided, executed or cut over after it is in that
month's workbook. The KPI story the optional sheets tell (which projects miss which target) is in `portfolio`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.workbook import Workbook

from pipelines.sources import register as parser
from pipelines.sources.register import SHEETS
from pipelines.synthetic.demo import portfolio as story
from pipelines.synthetic.demo.portfolio import PROJECTS, D, DemoProject, month_end, slip_so_far

# The header of each sheet the demo writes, as DESIGN §3 names it, with the optional columns the demo fills.
COLUMNS: dict[str, list[str]] = {
    "Projects": [
        "project_id",
        "project_name",
        "tier",
        "sponsor",
        "project_manager",
        "reported_status",
        "phase",
        "bac",
        "currency",
        "baseline_start",
        "baseline_finish",
        "go_live_planned",
        "go_live_actual",
        "plan_source",
        "plan_key",
        "finance_codes",
        "services",
        "status_comment",
    ],
    "Milestones": ["project_id", "milestone", "baseline_date", "forecast_date", "actual_date", "vendor"],
    "Benefits": [
        "benefit_id",
        "project_id",
        "description",
        "owner",
        "metric",
        "baseline_value",
        "target_value",
        "target_date",
        "tracking_start",
    ],
    "RAID": [
        "raid_id",
        "project_id",
        "type",
        "title",
        "owner",
        "severity",
        "status",
        "raised_date",
        "last_updated",
        "due_date",
        "closed_date",
    ],
    "Changes": [
        "cr_id",
        "project_id",
        "title",
        "submitted_date",
        "decided_date",
        "decision",
        "cost_impact",
        "schedule_impact_days",
    ],
    "Distribution": ["email", "name", "role", "scope"],
    "Decisions": ["decision_id", "project_id", "title", "owner", "raised_date", "needed_by", "decided_date", "outcome"],
    "Readiness": ["project_id", "release", "area", "item", "status", "due_date"],
    "UAT": ["project_id", "release", "as_of_date", "cases_planned", "cases_executed", "cases_passed"],
    "Cutovers": ["project_id", "release", "planned_date", "actual_date", "outcome"],
    "Surveys": ["survey_date", "project_id", "group", "question", "score"],
    "Evidence": ["project_id", "control", "artifact", "required", "status", "due_date"],
}
OPTIONAL_SHEETS = ("Decisions", "Readiness", "UAT", "Cutovers", "Surveys", "Evidence")


def register_columns(sheet: str) -> list[str]:
    """The sheet's header as written: the parser's columns in its order (rows are indexed by them), then the
    demo's columns the parser does not read (yet): a register with extra columns or sheets reads as it did."""
    aliases = getattr(parser, "HEADERS", {}).get(sheet, {})  # a column headed otherwise than its name (`group`)
    spec = [aliases.get(column, (column,))[0] for column, _, _ in SHEETS[sheet][1]] if sheet in SHEETS else []
    return spec + [column for column in COLUMNS.get(sheet, []) if column not in spec]


def register_sheets() -> list[str]:
    return [*SHEETS, *(sheet for sheet in COLUMNS if sheet not in SHEETS)]


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
        vendor = story.VENDORS.get(project.project_id) if name in story.VENDOR_MILESTONES else None
        rows.append([project.project_id, name, baseline, forecast, actual, vendor])
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


# Elapsed days from raised to closed of the issues of a well-run project: inside DESIGN §5a's SLA per severity.
ISSUE_DAYS_TO_CLOSE = {"Critical": 1, "High": 7, "Medium": 15, "Low": 30}


# RAID items planted on top of the moving log, for the KPI framework's stories (DESIGN §5a): ERP's risks pile up
# before its go-live (exposure 2 on 31 Jul, 8 on 31 Oct: burn-down 4.0×, Missed), and PAY waits on the bank with
# no one owning the dependency (dependency confirmation missed). (id, type, title, owner, severity, raised, due);
# an owner of None is the project manager. They stay open, updated 3 days before each month end.
PLANTED_RAID = {
    "ERP": [
        (
            "R-ERP-P1",
            "Risk",
            "Risk: key users unavailable for cutover weekend",
            None,
            "Medium",
            D(2026, 6, 20),
            D(2026, 12, 15),
        ),
        ("R-ERP-P2", "Risk", "Risk: data migration rehearsal overruns", None, "High", D(2026, 9, 10), D(2026, 11, 20)),
        ("R-ERP-P3", "Risk", "Risk: interface partner not ready", None, "High", D(2026, 10, 12), D(2026, 11, 25)),
    ],
    "PAY": [
        (
            "R-PAY-P1",
            "Dependency",
            "Dependency: bank certifies the payments gateway",
            "",
            "High",
            D(2026, 10, 5),
            D(2026, 11, 10),
        ),
    ],
}


def _planted_raid(project: DemoProject, as_of: dt.date) -> list[list]:
    return [
        [
            raid_id,
            project.project_id,
            kind,
            title,
            project.manager if owner is None else owner,
            severity,
            "Open",
            raised,
            max(raised, as_of - dt.timedelta(days=3)),
            due,
            None,
        ]
        for raid_id, kind, title, owner, severity, raised, due in PLANTED_RAID.get(project.project_id, [])
        if raised <= as_of
    ]


def _raid(project: DemoProject, as_of: dt.date) -> list[list]:
    """A RAID log that moves: an item raised every month, due 45 days later, closed a few weeks after that (issues
    within their severity's SLA); the troubled projects let updates go stale, deadlines and SLAs pass."""
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
        if kind == "Issue" and not troubled:
            closed_on = raised + dt.timedelta(days=ISSUE_DAYS_TO_CLOSE[severity])  # inside the severity's SLA
        else:
            closed_on = due + dt.timedelta(days=11 if not troubled else 41)
        closed = closed_on <= as_of
        stale = troubled and index % 2 == 0
        updated = as_of - dt.timedelta(days=20 + index % 15 if stale else index % 6)
        if closed:
            updated = max(updated, closed_on)  # closing an item updates it
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
                closed_on if closed else None,
            ]
        )
    return rows + _planted_raid(project, as_of)


# Change requests raised late in the demo, so October's CR cycle time has decisions to measure (DESIGN §5a
# cr_cycle_time, ≤ 5 business days; ≤ 10): SOC's decided in 3 business days (Met), ERP's in 6 (Near), WMS's in 25
# (Missed: it waited for a steering committee).
LATE_CHANGES = {
    "SOC": (D(2026, 9, 29), D(2026, 10, 2)),
    "ERP": (D(2026, 9, 28), D(2026, 10, 6)),
    "WMS": (D(2026, 9, 15), D(2026, 10, 20)),
}


def _changes(project: DemoProject, as_of: dt.date) -> list[list]:
    rows = []
    late = LATE_CHANGES.get(project.project_id)
    if late is not None and late[0] <= as_of:
        submitted, decided = late
        rows.append(
            [
                f"CR-{project.project_id}-L",
                project.project_id,
                f"Late change request for {project.name}",
                submitted,
                None if decided > as_of else decided,
                "Pending" if decided > as_of else "Approved",
                round(project.bac * 0.01),
                5,
            ]
        )
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


def _go_live_day(project: DemoProject) -> dt.date:
    """The day the project goes live: its forecast at the first month-end that forecast has passed (the day the
    Projects sheet first shows as go_live_actual)."""
    month = project.go_live.replace(day=1)
    while True:
        as_of = month_end(month)
        forecast = project.go_live + dt.timedelta(days=slip_so_far(project, as_of))
        if forecast <= as_of:
            return forecast
        month = as_of + dt.timedelta(days=1)


def _releases(project: DemoProject) -> list[tuple[str, dt.date, bool]]:
    """(release, the day it goes live, whether it is the project's go-live) for each of the project's releases."""
    early = [(name, day, False) for pid, name, day in story.EARLY_RELEASES if pid == project.project_id]
    return [*early, (story.MAIN_RELEASE.get(project.project_id, "R1"), _go_live_day(project), True)]


def _decisions(project: DemoProject, as_of: dt.date) -> list[list]:
    """A decision raised every month, needed within two weeks and taken in about a week; the project of
    `story.OVERDUE_DECISIONS` takes six weeks from `OVERDUE_DECISIONS_FROM` on, so at every month-end one is overdue."""
    topics = ("scope of the next release", "vendor extension", "data retention rule", "test environment budget")
    outcomes = ("Approved", "Approved with conditions", "Approved", "Rejected")
    rows = []
    first = max(project.start, project.joins or project.start)
    for index in range(60):
        raised = first + dt.timedelta(days=30 * index + 3)
        if raised > as_of:
            break
        slow = project.project_id == story.OVERDUE_DECISIONS and raised >= story.OVERDUE_DECISIONS_FROM
        decided = raised + dt.timedelta(days=45 if slow else 5 + 2 * (index % 4))
        done = decided <= as_of
        rows.append(
            [
                f"D-{project.project_id}-{index + 1:02d}",
                project.project_id,
                f"Decide the {topics[index % len(topics)]}",
                project.sponsor,
                raised,
                raised + dt.timedelta(days=14),
                decided if done else None,
                outcomes[index % len(outcomes)] if done else None,
            ]
        )
    return rows


# (area, item, due this many days before the release goes live)
READINESS_ITEMS = (
    ("Test", "Regression suite passed", 30),
    ("Test", "Performance test signed off", 21),
    ("Ops", "Monitoring and alerts in place", 14),
    ("Ops", "Runbook handed over", 10),
    ("Security", "Penetration test findings closed", 45),
    ("Security", "Access roles reviewed", 28),
    ("UAT", "UAT exit report signed", 5),
    ("UAT", "Open defects triaged", 7),
    ("Support", "Service desk briefed", 14),
    ("Support", "Hypercare rota agreed", 10),
    ("Training", "Key users trained", 30),
    ("Training", "User guides published", 14),
)
CHECKLIST_OPENS_DAYS = 90  # a release's go-live checklist, UAT and cutover plan appear this long before it


def _readiness(project: DemoProject, as_of: dt.date) -> list[list]:
    """Each release's go-live checklist: every item done three days before it is due (all Done a week before
    go-live), except the planted ones (`story.NOT_READY` never closes its areas, `story.LATE_READINESS_ITEM` closes
    after go-live); a tier-3 project has no penetration test."""
    rows = []
    for release, live, _ in _releases(project):
        if as_of < live - dt.timedelta(days=CHECKLIST_OPENS_DAYS):
            continue
        for area, item, days_before in READINESS_ITEMS:
            due = live - dt.timedelta(days=days_before)
            done_on: dt.date | None = due - dt.timedelta(days=3)
            if project.project_id == story.NOT_READY[0] and area in story.NOT_READY[1]:
                done_on = None
            if (project.project_id, item) == story.LATE_READINESS_ITEM:
                done_on = live + dt.timedelta(days=10)
            if project.tier == 3 and item == "Penetration test findings closed":
                status = "N/A"
            else:
                status = "Done" if done_on is not None and done_on <= as_of else "Open"
            rows.append([project.project_id, release, area, item, status, due])
    return rows


UAT_CASES = {1: 240, 2: 160, 3: 80}


def _uat(project: DemoProject, as_of: dt.date) -> list[list]:
    """A UAT progress row at each month-end of the three months before a release goes live and at its sign-off
    three days before: all cases run and 97% passed by sign-off, except `story.LOW_UAT` (88% run, 80% passed)."""
    rows = []
    low = project.project_id == story.LOW_UAT
    for release, live, main in _releases(project):
        planned = UAT_CASES.get(project.tier, 120) if main else UAT_CASES.get(project.tier, 120) // 2
        begin, sign_off = live - dt.timedelta(days=CHECKLIST_OPENS_DAYS), live - dt.timedelta(days=3)
        days = [month_end(begin.replace(day=1))]
        while days[-1] < sign_off:
            days.append(month_end(days[-1] + dt.timedelta(days=1)))
        days = [day for day in days if begin < day < sign_off] + [sign_off]
        for day in days:
            if day > as_of:
                break
            share = (day - begin).days / (sign_off - begin).days
            executed = round(planned * (0.88 if low else 1.0) * share)
            pass_rate = (0.75 + 0.05 * share) if low else (0.90 + 0.07 * share)
            rows.append([project.project_id, release, day, planned, executed, int(executed * pass_rate)])
    return rows


def _cutovers(project: DemoProject, as_of: dt.date) -> list[list]:
    """Each release's cutover, planned on the go-live forecast of the month until it happens; `story.ROLLBACK` cuts
    over on its original date, rolls back, and succeeds on the day it goes live."""
    rows = []
    for release, live, main in _releases(project):
        if as_of < live - dt.timedelta(days=CHECKLIST_OPENS_DAYS):
            continue
        attempts = [(live, "Success")]
        if main and project.project_id == story.ROLLBACK and project.go_live < live:
            attempts = [(project.go_live, "Rollback"), *(attempts if as_of >= project.go_live else [])]
        for day, outcome in attempts:
            done = day <= as_of
            # until it happens, the go-live cutover is planned on the month's go-live forecast (a re-run, on its day)
            pending_go_live = main and not done and outcome == "Success" and len(attempts) == 1
            planned = _forecast(project, as_of) if pending_go_live else day
            rows.append([project.project_id, release, planned, day if done else None, outcome if done else None])
    return rows


def _forecast(project: DemoProject, as_of: dt.date) -> dt.date:
    return project.go_live + dt.timedelta(days=slip_so_far(project, as_of))


SURVEY_QUESTIONS = {
    "Stakeholder": ("Communication is clear and timely", "Confidence in delivery", "Value to the business"),
    "Team": ("Workload is sustainable", "Collaboration across teams", "Priorities are clear"),
}
STAKEHOLDER_SCORES = ((5, 4, 5), (4, 5, 4), (4, 4, 5))  # means 4.67, 4.33, 4.33: above the 4.2 target
TEAM_SCORES = ((4, 4, 4), (4, 5, 4), (5, 4, 4))  # steady quarter on quarter


def _survey_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """The quarterly pulse survey's days (15 February, May, August, November) from `first` to `last`."""
    days, year = [], first.year
    while dt.date(year, 2, 15) <= last:
        days += [day for m in (2, 5, 8, 11) if first <= (day := dt.date(year, m, 15)) <= last]
        year += 1
    return days


def _surveys(project: DemoProject, as_of: dt.date) -> list[list]:
    """Each quarter's pulse survey of the project's stakeholders and team, one score (1-5) per question: the sponsor
    of `story.LOW_CSAT` scores lower as its status turns Amber and Red, the team of `story.TEAM_STRAIN` drops."""
    rows = []
    pattern = sum(map(ord, project.project_id)) % 3
    first = max(project.start, project.joins or project.start) + dt.timedelta(days=30)
    for day in _survey_days(first, min(as_of, project.finish)):
        status = project.status_in(day.replace(day=1))
        scores = {"Stakeholder": STAKEHOLDER_SCORES[pattern], "Team": TEAM_SCORES[pattern]}
        if project.project_id == story.LOW_CSAT and status != "Green":
            scores["Stakeholder"] = (3, 3, 4) if status == "Red" else (4, 3, 4)
        if project.project_id == story.TEAM_STRAIN and day >= story.TEAM_STRAIN_FROM:
            scores["Team"] = (3, 4, 3)
        for group, questions in SURVEY_QUESTIONS.items():
            rows += [[day, project.project_id, group, q, s] for q, s in zip(questions, scores[group], strict=True)]
    return rows


def _portfolio_surveys(as_of: dt.date, first: dt.date) -> list[list]:
    """The PMO's own survey of the portfolio's stakeholders and project teams (project_id blank)."""
    scores = {"Stakeholder": (4, 5, 4), "Team": (4, 4, 4)}
    return [
        [day, None, group, question, score]
        for day in _survey_days(first, as_of)
        for group, questions in SURVEY_QUESTIONS.items()
        for question, score in zip(questions, scores[group], strict=True)
    ]


def _evidence(project: DemoProject, as_of: dt.date) -> list[list]:
    """The project's compliance evidence: every control listed from the start, submitted 20 days before it is due
    and approved 4 days before; `story.MISSING_EVIDENCE` is never submitted. A tier-3 project needs no
    architecture review or DPIA (unless it is the planted one)."""
    live = _go_live_day(project)
    controls = (
        ("Architecture review", "Solution architecture document", project.start + dt.timedelta(days=60)),
        ("Security assessment", "Security assessment report", live - dt.timedelta(days=60)),
        ("Data protection impact assessment", "DPIA record", live - dt.timedelta(days=75)),
        ("Test sign-off", "Test completion report", live - dt.timedelta(days=5)),
        ("Operational acceptance", "Operational acceptance certificate", live - dt.timedelta(days=7)),
        ("Change approval", "CAB approval record", live - dt.timedelta(days=3)),
    )
    rows = []
    for control, artifact, due in controls:
        planted = (project.project_id, control) == story.MISSING_EVIDENCE
        optional = project.tier == 3 and control in ("Architecture review", "Data protection impact assessment")
        if planted:
            status = "Missing"
        elif due - dt.timedelta(days=4) <= as_of:
            status = "Approved"
        elif due - dt.timedelta(days=20) <= as_of:
            status = "Submitted"
        else:
            status = "Missing"
        rows.append([project.project_id, control, artifact, "No" if optional and not planted else "Yes", status, due])
    return rows


def _status_comment(project: DemoProject, month: dt.date, go_live_actual: dt.date | None, phase: str) -> str:
    comment = story.STATUS_COMMENTS.get((project.project_id, project.status_in(month)))
    if comment:
        return comment
    if phase == "Closed":
        return "Closed; lessons learned filed."
    if go_live_actual is not None:
        return f"Live since {go_live_actual:%d %b %Y}; in hypercare."
    return "On track."


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
    """The register's sheets as they stand at the end of `month` (the demo's portfolio unless given another), each
    row in the order of `register_columns(sheet)`."""
    as_of = month_end(month)
    sheets: dict[str, list[list]] = {name: [] for name in COLUMNS}
    for project in PROJECTS if projects is None else projects:
        if project.joins and month < project.joins:
            continue
        forecast_go_live = project.go_live + dt.timedelta(days=slip_so_far(project, as_of))
        go_live_actual = forecast_go_live if forecast_go_live <= as_of else None
        phase = _phase(project, as_of)
        sheets["Projects"].append(
            [
                project.project_id,
                project.name,
                project.tier,
                project.sponsor,
                project.manager,
                project.status_in(month),
                phase,
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
                _status_comment(project, month, go_live_actual, phase),
            ]
        )
        sheets["Milestones"].extend(_milestones(project, as_of))
        sheets["Benefits"].extend(_benefits(project))
        sheets["RAID"].extend(_raid(project, as_of))
        sheets["Changes"].extend(_changes(project, as_of))
        sheets["Decisions"].extend(_decisions(project, as_of))
        sheets["Readiness"].extend(_readiness(project, as_of))
        sheets["UAT"].extend(_uat(project, as_of))
        sheets["Cutovers"].extend(_cutovers(project, as_of))
        sheets["Surveys"].extend(_surveys(project, as_of))
        sheets["Evidence"].extend(_evidence(project, as_of))
    first_start = min((p.start for p in (PROJECTS if projects is None else projects)), default=as_of)
    sheets["Surveys"] = _portfolio_surveys(as_of, first_start + dt.timedelta(days=30)) + sheets["Surveys"]
    present = {row[0] for row in sheets["Projects"]}
    sheets["Distribution"] = [
        [email, name, role, scope if scope == "portfolio" else ";".join(p for p in scope.split(";") if p in present)]
        for email, name, role, scope in (DISTRIBUTION if distribution is None else distribution)
    ]
    return {sheet: _in_header_order(sheet, rows) for sheet, rows in sheets.items()}


def _in_header_order(sheet: str, rows: list[list]) -> list[list]:
    """Rows built in DESIGN's column order (COLUMNS), laid out in the written header's order."""
    where = {column: index for index, column in enumerate(COLUMNS[sheet])}
    header = register_columns(sheet)
    return [[row[where[column]] if column in where else None for column in header] for row in rows]


def write_register(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_name in register_sheets():
        sheet = workbook.create_sheet(sheet_name)
        sheet.append(register_columns(sheet_name))
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
