"""Each project's plan export as its team's tool writes it: MS Project and Smartsheet schedules, Jira and
Azure DevOps backlogs, with the layouts and quirks each team's setup has."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

from pipelines.synthetic.demo.portfolio import (
    DEMO_LAST_MONTH,
    PROJECTS,
    D,
    DemoProject,
    add_days,
    month_end,
    slip_so_far,
)
from pipelines.synthetic.exports import (
    Task,
    WorkItem,
    write_azure_devops_csv,
    write_jira_csv,
    write_mspdi,
    write_smartsheet_xlsx,
)

PHASE_SHARES = [("Initiate", 0.10), ("Design", 0.20), ("Build", 0.40), ("Test", 0.20), ("Deploy", 0.10)]
# Projects whose schedule export carries baseline costs (weights by cost); the others weigh tasks by duration.
COSTED_SCHEDULES = {"CRM", "NET", "WMS", "ERP"}
SIZE_COLUMNS = {"EDP": "Story Points", "SOC": "Effort", "IAM": "Size"}
# A month's drop where a plan export is missing (the pack serves the earlier one and says so).
MISSING_EXPORTS = {("DMS", D(2026, 9, 1))}
# critical_path_stability's story (DESIGN §5a): each MS Project plan is one chain (each phase's work packages in
# turn, then its gate), so Project flags every task Critical and the set holds month on month (Met). The Warehouse
# system is re-planned in the demo's last month: its work packages A now run alongside B with float, so five of its
# fifteen critical tasks leave the path: stability 10 / 15 = 0.67, Missed.
REPLANNED_CRITICAL_PATH = ("WMS", D(2026, 10, 1))


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
    slip = slip_so_far(project, as_of)
    costed = project.project_id in COSTED_SCHEDULES
    tasks: list[Task] = []
    uid, cursor = 1, 0.0
    for phase, share in PHASE_SHARES:
        phase_start = add_days(project.start, span * cursor)
        phase_finish = add_days(project.start, span * (cursor + share)) - dt.timedelta(
            days=1 if cursor + share < 1 else 0
        )
        shift_start, shift_finish = slip * cursor, slip * (cursor + share)
        children = []
        half = add_days(phase_start, (phase_finish - phase_start).days / 2)
        for index, (name, b_start, b_finish) in enumerate(
            [
                (f"{phase}: work package A", phase_start, half),
                (f"{phase}: work package B", half + dt.timedelta(days=1), phase_finish),
            ]
        ):
            start, finish = add_days(b_start, shift_start), add_days(b_finish, shift_finish)
            done = _fraction_done(start, finish, as_of, project.efficiency) * 100
            children.append(
                Task(
                    uid=uid + 1 + index,
                    name=name,
                    level=2,
                    is_summary=False,
                    is_milestone=False,
                    start=start,
                    finish=finish,
                    baseline_start=b_start,
                    baseline_finish=b_finish,
                    baseline_cost=round(project.bac * share / 2, 2) if costed else None,
                    percent_complete=round(done, 1),
                    actual_finish=finish if done >= 100 else None,
                    cost=round(project.bac * share / 2, 2),
                )
            )
        gate = add_days(phase_finish, shift_finish)
        children.append(
            Task(
                uid=uid + 3,
                name=f"{phase} complete",
                level=2,
                is_summary=False,
                is_milestone=True,
                start=gate,
                finish=gate,
                baseline_start=phase_finish,
                baseline_finish=phase_finish,
                baseline_cost=0.0 if costed else None,
                percent_complete=100.0 if gate <= as_of else 0.0,
                actual_finish=gate if gate <= as_of else None,
            )
        )
        summary_done = sum(c.percent_complete for c in children[:2]) / 2
        tasks.append(
            Task(
                uid=uid,
                name=phase,
                level=1,
                is_summary=True,
                is_milestone=False,
                start=children[0].start,
                finish=gate,
                baseline_start=phase_start,
                baseline_finish=phase_finish,
                baseline_cost=round(project.bac * share, 2) if costed else None,
                percent_complete=round(summary_done, 1),
                actual_finish=None,
                cost=round(project.bac * share, 2),
            )
        )
        tasks.extend(children)
        uid += 4
        cursor += share
    project_done = sum(t.percent_complete for t in tasks if not t.is_summary and not t.is_milestone) / 10
    tasks.insert(
        0,
        Task(
            uid=0,
            name=project.name,
            level=0,
            is_summary=True,
            is_milestone=False,
            start=project.start,
            finish=tasks[-1].finish,
            baseline_start=project.start,
            baseline_finish=project.finish,
            baseline_cost=project.bac if costed else None,
            percent_complete=round(project_done, 1),
            actual_finish=None,
            cost=project.bac,
        ),
    )
    return tasks


def critical_flags(project: DemoProject, month: dt.date, tasks: list[Task]) -> dict[int, bool]:
    """MS Project's Critical flag per task UID: the plan's longest path, which is every task of its single chain
    (a summary is critical when a task under it is, as Project flags it), but after the planted re-plan."""
    replanned = project.project_id == REPLANNED_CRITICAL_PATH[0] and month >= REPLANNED_CRITICAL_PATH[1]
    off_path = {t.uid for t in tasks if replanned and not t.is_summary and t.name.endswith("work package A")}
    return {t.uid: t.uid not in off_path for t in tasks}


def _backlog(project: DemoProject) -> list[dict]:
    """The items the team will ever create: most at kick-off, some added later (scope churn), a few dropped."""
    rng = random.Random(f"backlog-{project.project_id}")
    span = (project.finish - project.start).days
    items = []
    for number in range(1, 49):
        created = (
            project.start - dt.timedelta(days=rng.randint(1, 20))
            if number <= 40
            else add_days(project.start, span * rng.uniform(0.1, 0.7))
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
    forecast_finish = add_days(project.finish, project.slip_days)
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
                key=_item_key(project, 1000 + epic),
                item_type="Epic",
                summary=f"Epic {epic} of {project.name}",
                status="In Progress" if is_jira else "Active",
                status_category="In Progress",
                resolution=None,
                points=None,
                created=created,
                resolved=None,
                assignee="",
                labels=(),
                sprints=(),
                area_path=project.plan_key if not is_jira else "",
            )
        )
    for item in backlog:
        order = in_scope.index(item) if item in in_scope else None
        done_at = None
        if order is not None:
            done_at = add_days(project.start, span * (order + 1) / len(in_scope) / project.efficiency)
        dropped_at = add_days(item["created"], 40) if item["dropped"] else None
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
                key=_item_key(project, item["number"]),
                item_type="Story" if is_jira else "User Story",
                summary=item["summary"],
                status=status,
                status_category=category,
                resolution=resolution,
                points=float(item["points"]),
                created=created,
                resolved=dt.datetime.combine(resolved, dt.time(17, 45)) if resolved else None,
                assignee=people[item["number"] % len(people)],
                labels=("backend",) if item["number"] % 3 == 0 else ("ui", "mvp") if item["number"] % 5 == 0 else (),
                sprints=sprints,
                area_path=area,
                parent=_item_key(project, 1000 + item["epic"]),
            )
        )
    return out + _bugs(project, as_of)


# The Bug items an agile team logs (DESIGN §5 defect leakage: bugs raised after go-live over all the release's
# bugs). Six during the build, spread up to go-live, then the go-live's own: MOB's troubled go-live leaks 3 (3 of 9,
# Missed), HRP's 1 (1 of 7, Near), the others none (Met). Bugs carry no points, so they never move EV.
BUGS_BEFORE_GO_LIVE = 6
BUGS_AFTER_GO_LIVE = {"MOB": 3, "HRP": 1}


def _bugs(project: DemoProject, as_of: dt.date) -> list[WorkItem]:
    go_live = project.go_live + dt.timedelta(days=slip_so_far(project, month_end(DEMO_LAST_MONTH)))
    is_jira = project.plan_source == "jira"
    build = (go_live - project.start).days
    days = [add_days(project.start, build * (n + 1) / (BUGS_BEFORE_GO_LIVE + 1)) for n in range(BUGS_BEFORE_GO_LIVE)]
    days += [go_live + dt.timedelta(days=3 + 6 * n) for n in range(BUGS_AFTER_GO_LIVE.get(project.project_id, 0))]
    out = []
    for number, created in enumerate(days, start=2001):
        if created > as_of:
            continue
        fixed = created + dt.timedelta(days=6)
        done = fixed <= as_of
        status = ("Done" if is_jira else "Closed") if done else ("In Progress" if is_jira else "Active")
        out.append(
            WorkItem(
                key=_item_key(project, number),
                item_type="Bug",
                summary=f"Bug {number - 2000}: {('totals off by a cent', 'slow search', 'login loop')[number % 3]}",
                status=status,
                status_category="Done" if done else "In Progress",
                resolution=("Done" if is_jira else None) if done else None,
                points=None,
                created=dt.datetime.combine(created, dt.time(10, 15)),
                resolved=dt.datetime.combine(fixed, dt.time(16, 0)) if done else None,
                assignee="Ana Silva",
                labels=(),
                sprints=(),
                area_path="" if is_jira else project.plan_key,
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
            tasks = schedule_tasks(project, as_of)
            flags = critical_flags(project, month, tasks)
            written.append(
                write_mspdi(
                    folder / f"{project.plan_key}.xml",
                    project.name,
                    [dataclasses.replace(task, is_critical=flags[task.uid]) for task in tasks],
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
                        key="99001",
                        item_type="User Story",
                        summary="Legacy warehouse report",
                        status="Active",
                        status_category="In Progress",
                        resolution=None,
                        points=13.0,
                        created=dt.datetime(2025, 6, 2, 10, 0),
                        resolved=None,
                        assignee="Eve Ng",
                        labels=(),
                        sprints=(),
                        area_path="Contoso\\DataPlatformLegacy",
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
