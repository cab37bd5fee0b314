"""Read what a pack shows from the marts. Queries only select and filter: the marts hold every number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from reports.forecast import FORECAST_HISTORY_MONTHS

if TYPE_CHECKING:
    from reports.closure import ClosurePage
    from reports.go_no_go import GoNoGoPage
    from reports.scorecard import Scorecard

RAG_GRADES = ("Red", "Amber", "Unknown", "Green")  # the order the pack lists them in


@dataclass
class PackData:
    month: dt.date
    as_of: dt.date | None
    projects: list[dict[str, Any]] = field(default_factory=list)
    portfolio: dict[str, Any] | None = None  # fct_portfolio_month's row (portfolio recipients only)
    trend: list[dict[str, Any]] = field(default_factory=list)  # fct_portfolio_month up to the month
    freshness: list[dict[str, Any]] = field(default_factory=list)
    quality_findings: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)  # fct_project_change_month: moves and new reds
    overdue_raid: list[dict[str, Any]] = field(default_factory=list)
    pending_changes: list[dict[str, Any]] = field(default_factory=list)
    overdue_decisions: list[dict[str, Any]] = field(default_factory=list)  # fct_decision_month's needs_decision
    go_no_go: list[GoNoGoPage] = field(default_factory=list)  # one page per release in its Go/No-Go window
    closure: list[ClosurePage] = field(default_factory=list)  # one closure report per project closed by as_of
    incidents: list[dict[str, Any]] = field(default_factory=list)
    # projects per measured overall RAG, as the marts count them (load_pack_data reads them)
    status_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAG_GRADES, 0))
    # the project ids the pack is limited to (a reader's scope), None for the whole portfolio
    scope: frozenset[str] | None = None
    # the KPI scorecard (fct_kpi_scorecard_month): a scoped reader's holds their projects' rows only
    scorecard: Scorecard | None = None
    # fct_forecast_month's row per project of the pack (DESIGN §5b), by project_id
    forecasts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # fct_status_narrative_month (§5c): the portfolio's sentences (project_id null; portfolio readers only) and
    # each of the pack's projects' own
    narrative: list[dict[str, Any]] = field(default_factory=list)
    project_narratives: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # project_id -> the overall grade of the last STATUS_HISTORY_MONTHS months, oldest first, the pack's month last:
    # [{"month": date, "rag_overall": str | None}] (None: the project had no row that month)
    status_history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # project_id -> fct_project_change_month's comparison with the month before: previous_rag_overall,
    # has_previous_month (false in a project's first graded month); no entry when the mart has no row
    grade_moves: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def projects_with_data_gaps(self) -> int:
        """How many of the pack's projects have a data gap (fct_project_month.data_complete false)."""
        return sum(1 for project in self.projects if project.get("data_complete") is False)

    @property
    def watermelons(self) -> list[dict[str, Any]]:
        return [p for p in self.projects if p.get("watermelon")]

    @property
    def unverified_greens(self) -> list[dict[str, Any]]:
        """Reported Green while the data cannot measure the project (rag_overall Unknown)."""
        return [p for p in self.projects if p.get("unverified_green")]


def query_rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


FORECAST_COLUMNS = """
    project_id, month, as_of, method, work_unit, remaining_work, history_weeks, history_months, trials,
    p50_finish, p85_finish, p95_finish, prob_by_baseline_finish, prob_by_go_live, baseline_finish, go_live_date,
    ieac_t_finish, forecast_status, status_reason"""


def mart_exists(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether marts.<table> is built. The forecast and narrative marts came later than the others: a warehouse
    built before them (or a hand-made one) renders its pack without them rather than not at all."""
    return bool(
        conn.execute(
            """
            select count(*) from information_schema.tables
            where table_catalog = current_database() and table_schema = 'marts' and table_name = ?""",
            [table],
        ).fetchone()[0]
    )


def load_forecasts(conn: duckdb.DuckDBPyConnection, month: dt.date) -> dict[str, dict[str, Any]]:
    """fct_forecast_month's rows of the month, by project."""
    if not mart_exists(conn, "fct_forecast_month"):
        return {}
    rows = query_rows(conn, f"select {FORECAST_COLUMNS} from marts.fct_forecast_month where month = ?", [month])
    return {row["project_id"]: row for row in rows}


def load_narrative(conn: duckdb.DuckDBPyConnection, month: dt.date) -> list[dict[str, Any]]:
    """fct_status_narrative_month's sentences of the month (the portfolio's with project_id null), in order."""
    if not mart_exists(conn, "fct_status_narrative_month"):
        return []
    return query_rows(
        conn,
        """
        select project_id, section, sentence_no, sentence
        from marts.fct_status_narrative_month
        where month = ?
        order by project_id nulls first, section, sentence_no""",
        [month],
    )


STATUS_HISTORY_MONTHS = 6


def load_status_history(
    conn: duckdb.DuckDBPyConnection, month: dt.date, project_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Each project's rag_overall over the STATUS_HISTORY_MONTHS months up to `month`, one query for them all
    (the bench renders 2,000 projects), a month without a row as None."""
    months = [_months_before(month, back) for back in range(STATUS_HISTORY_MONTHS - 1, -1, -1)]
    grades: dict[tuple[str, dt.date], str | None] = {}
    if project_ids:
        for row in query_rows(
            conn,
            """
            select project_id, month, rag_overall from marts.fct_project_month
            where month between $first and $last and list_contains($project_ids, project_id)""",
            {"first": months[0], "last": month, "project_ids": sorted(project_ids)},
        ):
            grades[(row["project_id"], row["month"])] = row["rag_overall"]
    return {pid: [{"month": each, "rag_overall": grades.get((pid, each))} for each in months] for pid in project_ids}


def load_grade_moves(conn: duckdb.DuckDBPyConnection, month: dt.date) -> dict[str, dict[str, Any]]:
    """fct_project_change_month's previous grade per project of the month (every project has a row there)."""
    if not mart_exists(conn, "fct_project_change_month"):
        return {}
    rows = query_rows(conn, "select * from marts.fct_project_change_month where month = ?", [month])
    # a warehouse built before has_previous_month: a previous grade is the sign of a previous month
    return {
        row["project_id"]: {
            "previous_rag_overall": row["previous_rag_overall"],
            "has_previous_month": row.get("has_previous_month", row["previous_rag_overall"] is not None),
        }
        for row in rows
    }


def load_pack_data(conn: duckdb.DuckDBPyConnection, month: dt.date, project_ids: set[str] | None = None) -> PackData:
    """The month's pack content, optionally limited to `project_ids` (a recipient's scope)."""
    from reports.closure import load_closure_pages  # here: reports.closure reads the marts through this module
    from reports.go_no_go import load_go_no_go_pages  # here: reports.go_no_go reads the marts through this module

    projects = query_rows(
        conn,
        """
        select
            project_month.project_id,
            project_month.project_name,
            project_month.tier,
            project_month.phase,
            project_month.reported_status,
            project_month.baseline_start,
            project_month.baseline_finish,
            project_month.go_live_planned,
            project_month.go_live_actual,
            project_month.go_live_date,
            project_month.as_of,
            project_month.bac,
            project_month.ac,
            project_month.eac,
            project_month.vac,
            project_month.milestones_due,
            project_month.milestones_on_time,
            project_month.milestone_on_time_rate,
            project_month.readiness_score,
            project_month.benefits_ready,
            project_month.days_to_go_live,
            project_month.cpi,
            project_month.spi,
            project_month.cost_overrun_pct,
            project_month.schedule_slip_pct,
            project_month.slip_days,
            project_month.forecast_finish,
            project_month.rag_schedule,
            project_month.rag_cost,
            project_month.rag_benefits,
            project_month.rag_incidents,
            project_month.rag_overall,
            project_month.watermelon,
            project_month.unverified_green,
            project_month.data_complete,
            project_month.data_gaps,
            project_month.not_graded_reason,
            project.sponsor,
            project.project_manager
        from marts.fct_project_month as project_month
        left join marts.dim_project as project
            on project.project_id = project_month.project_id
        where project_month.month = ?
        order by project_month.tier, project_month.project_id
    """,
        [month],
    )
    if project_ids is not None:
        projects = [p for p in projects if p["project_id"] in project_ids]
        # The portfolio's totals and trend include other projects' money: a scoped reader never sees them.
        trend: list[dict[str, Any]] = []
    else:
        trend = query_rows(
            conn,
            """
            select month, as_of, projects_total, projects_red, projects_amber, projects_green, projects_unknown,
                watermelons, unverified_greens, new_reds, bac_total, eac_total, eac_bac_total, eac_projects,
                pv_total, ev_total, ac_total, ev_cpi_total,
                portfolio_cpi, portfolio_cpi_projects, portfolio_spi, portfolio_spi_projects,
                milestone_on_time_rate, go_lives_this_month, go_lives_next_month
            from marts.fct_portfolio_month
            where month <= ?
            order by month
        """,
            [month],
        )
    portfolio = trend[-1] if trend and trend[-1]["month"] == month else None
    if portfolio is not None:
        status_counts = {
            "Red": portfolio["projects_red"],
            "Amber": portfolio["projects_amber"],
            "Unknown": portfolio["projects_unknown"],
            "Green": portfolio["projects_green"],
        }
    else:
        # a scoped reader (or a month without a portfolio row): the same counts over the projects in the pack
        scope = "" if project_ids is None else "and list_contains($project_ids, project_id)"
        [status_counts] = query_rows(
            conn,
            f"""
            select
                count(*) filter (where rag_overall = 'Red') as "Red",
                count(*) filter (where rag_overall = 'Amber') as "Amber",
                count(*) filter (where rag_overall = 'Unknown') as "Unknown",
                count(*) filter (where rag_overall = 'Green') as "Green"
            from marts.fct_project_month
            where month = $month {scope}
        """,
            {"month": month, **({} if project_ids is None else {"project_ids": sorted(project_ids)})},
        )
    freshness = query_rows(
        conn,
        """
        select source, snapshot_month_used, is_missing, rows_read, rows_loaded, rows_quarantined, unreadable_files
        from marts.fct_data_freshness
        where month = ?
        order by source
    """,
        [month],
    )
    quality_findings = query_rows(
        conn,
        """
        select table_name, rule_name, severity, failed_rows, rule_description
        from marts.fct_quality_findings_month
        where month = ?
        order by severity, table_name, rule_name
    """,
        [month],
    )
    as_of = projects[0]["as_of"] if projects else None
    # Every project-keyed list below goes through `named`, which keeps only the projects loaded above.
    names = {p["project_id"]: p["project_name"] for p in projects}

    def named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows with their project's name; for a scoped reader, rows of the reader's projects only."""
        return [
            {**row, "project_name": names.get(row["project_id"], row["project_id"])}
            for row in rows
            if project_ids is None or row["project_id"] in names
        ]

    changes = named(
        query_rows(
            conn,
            """
        select project_id, rag_overall, previous_rag_overall, rag_moved, is_new_red, slip_days_change
        from marts.fct_project_change_month
        where month = ? and changed_since_last_month
        order by is_new_red desc, project_id
    """,
            [month],
        )
    )
    overdue_raid = named(
        query_rows(
            conn,
            """
        select project_id, raid_id, raid_type, raid_title, raid_owner, severity, due_date
        from marts.fct_raid_month
        where month = ? and needs_decision
        order by due_date, project_id
    """,
            [month],
        )
    )
    pending_changes = named(
        query_rows(
            conn,
            """
        select project_id, cr_id, cr_title, submitted_date, days_pending, cost_impact, schedule_impact_days
        from marts.fct_change_month
        where month = ? and needs_decision
        order by days_pending desc
    """,
            [month],
        )
    )
    overdue_decisions = named(
        query_rows(
            conn,
            """
        select project_id, decision_id, decision_title, decision_owner, raised_date, needed_by_date, days_overdue
        from marts.fct_decision_month
        where month = ? and needs_decision
        order by needed_by_date, project_id, decision_id
    """,
            [month],
        )
    )
    incidents = named(
        query_rows(
            conn,
            """
        select project_id, go_live_actual, incidents_total, p1_count, p2_count, open_count, mttr_hours,
            incidents_per_week, baseline_per_week, is_in_window
        from marts.fct_post_golive_incidents
        where month = ?
        order by go_live_actual desc
    """,
            [month],
        )
    )
    from reports.scorecard import load_scorecard  # scorecard.py reads with query_rows, so imported here

    forecasts = {pid: row for pid, row in load_forecasts(conn, month).items() if pid in names}
    narrative_rows = load_narrative(conn, month)
    project_narratives: dict[str, list[dict[str, Any]]] = {}
    for row in narrative_rows:
        if row["project_id"] is not None and row["project_id"] in names:
            project_narratives.setdefault(row["project_id"], []).append(row)
    # the portfolio's sentences speak of every project: a scoped reader never sees them
    portfolio_narrative = [row for row in narrative_rows if row["project_id"] is None] if project_ids is None else []

    return PackData(
        month=month,
        as_of=as_of,
        projects=projects,
        portfolio=portfolio,
        trend=trend,
        freshness=freshness,
        quality_findings=quality_findings,
        changes=changes,
        overdue_raid=overdue_raid,
        pending_changes=pending_changes,
        overdue_decisions=overdue_decisions,
        go_no_go=load_go_no_go_pages(conn, month, project_ids),
        closure=load_closure_pages(conn, month, project_ids),
        incidents=incidents,
        status_counts=status_counts,
        scope=None if project_ids is None else frozenset(project_ids),
        scorecard=load_scorecard(conn, month, project_ids, names),
        forecasts=forecasts,
        narrative=portfolio_narrative,
        project_narratives=project_narratives,
        status_history=load_status_history(conn, month, list(names)),
        grade_moves={pid: row for pid, row in load_grade_moves(conn, month).items() if pid in names},
    )


def load_recipients(conn: duckdb.DuckDBPyConnection, month: dt.date) -> list[dict[str, Any]]:
    return query_rows(
        conn,
        """
        select recipient_email, recipient_name, recipient_role, recipient_scope
        from marts.fct_distribution_month
        where month = ?
        order by recipient_email
    """,
        [month],
    )


@dataclass
class ProjectPage:
    month: dt.date
    project: dict[str, Any]
    history: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    raid: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    benefits: list[dict[str, Any]]
    incidents: dict[str, Any] | None
    kpis: list[dict[str, Any]] = field(default_factory=list)  # fct_kpi_scorecard_month's rows of the project
    forecast: dict[str, Any] | None = None  # fct_forecast_month's row of the project and month
    # fct_forecast_distribution_month's rows (finish_date, trials, trials_share), finish_date null last
    distribution: list[dict[str, Any]] = field(default_factory=list)
    # fct_forecast_month's rows of the last FORECAST_HISTORY_MONTHS months up to the month (month, p85_finish, ...)
    forecast_history: list[dict[str, Any]] = field(default_factory=list)
    narrative: list[dict[str, Any]] = field(default_factory=list)  # fct_status_narrative_month's project rows
    # once the project has closed (fct_project_closure_month): how early its P85 pointed at the real finish
    track_record: str | None = None
    # the overall grade of the last STATUS_HISTORY_MONTHS months, oldest first (as PackData.status_history)
    status_history: list[dict[str, Any]] = field(default_factory=list)


def load_project_pages(
    conn: duckdb.DuckDBPyConnection, month: dt.date, project_ids: set[str] | None = None
) -> list[ProjectPage]:
    """One page's content per project of the month (or of `project_ids`), every number read from the marts."""
    projects = query_rows(
        conn,
        """
        select project_month.*, project.sponsor, project.project_manager
        from marts.fct_project_month as project_month
        left join marts.dim_project as project on project.project_id = project_month.project_id
        where project_month.month = ?
        order by project_month.project_id
    """,
        [month],
    )

    def by_project(sql: str, params: list[Any]) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in query_rows(conn, sql, params):
            grouped.setdefault(row["project_id"], []).append(row)
        return grouped

    history = by_project(
        """
        select project_id, month, cpi, spi, pv, ev, ac from marts.fct_project_month
        where month <= ? order by project_id, month""",
        [month],
    )
    milestones = by_project(
        """
        select project_id, milestone_name, baseline_date, forecast_date, actual_date, slip_days, is_due, is_on_time
        from marts.fct_milestone_month where month = ? order by project_id, baseline_date""",
        [month],
    )
    raid = by_project(
        """
        select project_id, raid_id, raid_type, raid_title, raid_owner, severity, due_date, is_overdue,
            days_since_update
        from marts.fct_raid_month where month = ? and is_open order by project_id, due_date""",
        [month],
    )
    changes = by_project(
        """
        select project_id, cr_id, cr_title, submitted_date, decided_date, decision, is_pending, days_pending,
            cost_impact
        from marts.fct_change_month where month = ? order by project_id, submitted_date""",
        [month],
    )
    benefits = by_project(
        """
        select project_id, benefit_id, benefit_description, benefit_owner, metric, checks_met, readiness_score
        from marts.fct_benefit_readiness where month = ? order by project_id, benefit_id""",
        [month],
    )
    incidents = {
        row["project_id"]: row
        for row in query_rows(
            conn,
            """
        select * from marts.fct_post_golive_incidents where month = ?""",
            [month],
        )
    }
    from reports.scorecard import load_project_kpis  # scorecard.py reads with query_rows, so imported here

    kpis = load_project_kpis(conn, month)
    forecasts = load_forecasts(conn, month)
    distributions: dict[str, list[dict[str, Any]]] = {}
    forecast_history: dict[str, list[dict[str, Any]]] = {}
    if mart_exists(conn, "fct_forecast_distribution_month"):
        distributions = by_project(
            """
            select project_id, finish_date, trials, trials_share from marts.fct_forecast_distribution_month
            where month = ? order by project_id, finish_date nulls last""",
            [month],
        )
    if forecasts:
        first = _months_before(month, FORECAST_HISTORY_MONTHS - 1)
        forecast_history = by_project(
            """
            select project_id, month, p50_finish, p85_finish, p95_finish, forecast_status
            from marts.fct_forecast_month where month between ? and ? order by project_id, month""",
            [first, month],
        )
    narratives: dict[str, list[dict[str, Any]]] = {}
    for row in load_narrative(conn, month):
        if row["project_id"] is not None:
            narratives.setdefault(row["project_id"], []).append(row)
    from reports.closure import load_closure_pages  # here: reports.closure reads the marts through this module

    track_records = {page.closure["project_id"]: page.track_record for page in load_closure_pages(conn, month)}
    if project_ids is not None:
        projects = [project for project in projects if project["project_id"] in project_ids]
    status_history = load_status_history(conn, month, [project["project_id"] for project in projects])
    return [
        ProjectPage(
            month,
            project,
            history.get(pid, []),
            milestones.get(pid, []),
            raid.get(pid, []),
            changes.get(pid, []),
            benefits.get(pid, []),
            incidents.get(pid),
            kpis.get(pid, []),
            forecasts.get(pid),
            distributions.get(pid, []),
            forecast_history.get(pid, []),
            narratives.get(pid, []),
            track_records.get(pid),
            status_history[pid],
        )
        for project in projects
        for pid in [project["project_id"]]
    ]


def _months_before(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `month` (itself a first day)."""
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)
