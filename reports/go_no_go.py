"""The Go/No-Go readiness pages (DESIGN §7): one page per release whose go-live is in its Go/No-Go window, the
page a Go/No-Go meeting decides on. Readiness by area with the open items, UAT completion and pass rate, benefits
readiness, the project's open high RAID items, the cutover's planned date and, once it happened, its outcome.

Every number and flag is read from the marts: which releases get a page is fct_release_month.is_in_go_no_go_window,
the counts and shares are the marts' columns. This module only selects, groups and orders them, and renders the
standalone document (the pack includes the same section: reports/templates/_go_no_go.html.j2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from reports import TEMPLATES_DIR
from reports.data import query_rows
from reports.templating import ENVIRONMENT

# The Readiness sheet's areas (DESIGN §3), in the order the page lists them. An area the release has no item in
# is still listed, as having none, so a meeting sees that nobody listed, say, Security's checks.
AREAS = ("Test", "Ops", "Security", "UAT", "Support", "Training")
HIGH_SEVERITIES = ("Critical", "High")  # the severities fct_release_month.open_high_raid counts


@dataclass
class GoNoGoPage:
    month: dt.date
    release: dict[str, Any]  # fct_release_month's row, with the project's name, tier, as_of, benefits_ready
    areas: list[dict[str, Any]] = field(default_factory=list)  # fct_release_readiness_month, one per area
    high_raid: list[dict[str, Any]] = field(default_factory=list)  # the project's open Critical and High items

    @property
    def project_id(self) -> str:
        return self.release["project_id"]

    @property
    def release_name(self) -> str:
        return self.release["release_name"]


def _ordered_areas(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The six areas in their order (an absent one as a row without counts), then any other area by name."""
    by_area = {row["readiness_area"]: row for row in rows}
    listed = [by_area.get(area, {"readiness_area": area, "items_applicable": None}) for area in AREAS]
    others = sorted(area for area in by_area if area not in AREAS)
    return listed + [by_area[area] for area in others]


def load_go_no_go_pages(
    conn: duckdb.DuckDBPyConnection, month: dt.date, project_ids: set[str] | frozenset[str] | None = None
) -> list[GoNoGoPage]:
    """The month's Go/No-Go pages, one per release in its window (fct_release_month.is_in_go_no_go_window), in
    go-live order; limited to `project_ids` (a reader's scope) when given."""
    releases = query_rows(
        conn,
        """
        select
            release_month.project_id,
            release_month.release_name,
            release_month.go_live_date,
            release_month.days_to_go_live,
            release_month.readiness_items,
            release_month.readiness_done,
            release_month.readiness_pct,
            release_month.readiness_open_overdue,
            release_month.uat_cases_planned,
            release_month.uat_cases_executed,
            release_month.uat_cases_passed,
            release_month.uat_completion_pct,
            release_month.uat_pass_rate,
            release_month.uat_as_of_date,
            release_month.cutover_planned_date,
            release_month.cutover_actual_date,
            release_month.cutover_outcome,
            release_month.open_high_raid,
            release_month.benefits_readiness_score,
            project_month.project_name,
            project_month.tier,
            project_month.as_of,
            project_month.benefits_ready
        from marts.fct_release_month as release_month
        left join marts.fct_project_month as project_month
            on project_month.month = release_month.month
            and project_month.project_id = release_month.project_id
        where release_month.month = ? and release_month.is_in_go_no_go_window
        order by release_month.go_live_date, release_month.project_id, release_month.release_name
    """,
        [month],
    )
    if project_ids is not None:
        releases = [release for release in releases if release["project_id"] in project_ids]
    if not releases:
        return []
    areas: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in query_rows(
        conn,
        """
        select project_id, release_name, readiness_area, items_applicable, items_done, items_open, readiness_pct,
            open_items
        from marts.fct_release_readiness_month
        where month = ?
        order by project_id, release_name, readiness_area
    """,
        [month],
    ):
        areas.setdefault((row["project_id"], row["release_name"]), []).append(row)
    high_raid: dict[str, list[dict[str, Any]]] = {}
    for row in query_rows(
        conn,
        """
        select project_id, raid_id, raid_type, raid_title, raid_owner, severity, due_date, is_overdue
        from marts.fct_raid_month
        where month = ? and is_open and severity in (?, ?)
        order by project_id, severity = 'Critical' desc, due_date, raid_id
    """,
        [month, *HIGH_SEVERITIES],
    ):
        high_raid.setdefault(row["project_id"], []).append(row)
    return [
        GoNoGoPage(
            month=month,
            release={**release, "project_name": release["project_name"] or release["project_id"]},
            areas=_ordered_areas(areas.get((release["project_id"], release["release_name"]), [])),
            high_raid=high_raid.get(release["project_id"], []),
        )
        for release in releases
    ]


def render_go_no_go_html(page: GoNoGoPage) -> str:
    """One release's Go/No-Go page as its own document, with the pack's CSS (printed by render.html_to_pdf)."""
    css = (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8")
    return ENVIRONMENT.get_template("go_no_go.html.j2").render(gng=page, gng_index=1, css=css, draft=None)
