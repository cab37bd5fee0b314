"""Read what a pack shows from the marts. Queries only select and filter: the marts hold every number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb


@dataclass
class PackData:
    month: dt.date
    as_of: dt.date | None
    projects: list[dict[str, Any]] = field(default_factory=list)
    portfolio: dict[str, Any] | None = None  # fct_portfolio_month's row (portfolio recipients only)
    trend: list[dict[str, Any]] = field(default_factory=list)  # fct_portfolio_month up to the month
    freshness: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status_counts(self) -> dict[str, int]:
        """Projects per measured overall RAG: the portfolio mart's counts, or a scoped reader's own projects'."""
        if self.portfolio is not None:
            return {"Red": self.portfolio["projects_red"], "Amber": self.portfolio["projects_amber"],
                    "Green": self.portfolio["projects_green"]}
        counts = {"Red": 0, "Amber": 0, "Green": 0}
        for project in self.projects:
            if project.get("rag_overall") in counts:
                counts[project["rag_overall"]] += 1
        return counts

    @property
    def watermelons(self) -> list[dict[str, Any]]:
        return [p for p in self.projects if p.get("watermelon")]


def query_rows(conn: duckdb.DuckDBPyConnection, sql: str,
               params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def load_pack_data(conn: duckdb.DuckDBPyConnection, month: dt.date,
                   project_ids: set[str] | None = None) -> PackData:
    """The month's pack content, optionally limited to `project_ids` (a recipient's scope)."""
    projects = query_rows(conn, """
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
            project_month.as_of,
            project_month.bac,
            project_month.eac,
            project_month.cpi,
            project_month.spi,
            project_month.cost_overrun_pct,
            project_month.slip_days,
            project_month.forecast_finish,
            project_month.rag_schedule,
            project_month.rag_cost,
            project_month.rag_benefits,
            project_month.rag_incidents,
            project_month.rag_overall,
            project_month.watermelon,
            project.sponsor,
            project.project_manager
        from marts.fct_project_month as project_month
        left join marts.dim_project as project
            on project.project_id = project_month.project_id
        where project_month.month = ?
        order by project_month.tier, project_month.project_id
    """, [month])
    if project_ids is not None:
        projects = [p for p in projects if p["project_id"] in project_ids]
        return PackData(month=month, as_of=projects[0]["as_of"] if projects else None, projects=projects)
    trend = query_rows(conn, """
        select month, as_of, projects_total, projects_red, projects_amber, projects_green, watermelons, new_reds,
            bac_total, eac_total, pv_total, ev_total, ac_total, portfolio_cpi, portfolio_spi,
            milestone_on_time_rate, go_lives_this_month, go_lives_next_month
        from marts.fct_portfolio_month
        where month <= ?
        order by month
    """, [month])
    portfolio = trend[-1] if trend and trend[-1]["month"] == month else None
    freshness = query_rows(conn, """
        select source, snapshot_month_used, is_missing, rows_read, rows_loaded, rows_quarantined, unreadable_files
        from marts.fct_data_freshness
        where month = ?
        order by source
    """, [month])
    as_of = projects[0]["as_of"] if projects else None
    return PackData(month=month, as_of=as_of, projects=projects, portfolio=portfolio, trend=trend,
                    freshness=freshness)


def load_recipients(conn: duckdb.DuckDBPyConnection, month: dt.date) -> list[dict[str, Any]]:
    return query_rows(conn, """
        select recipient_email, recipient_name, recipient_role, recipient_scope
        from marts.fct_distribution_month
        where month = ?
        order by recipient_email
    """, [month])
