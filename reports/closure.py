"""The closure report (DESIGN §7): one page per project closed as of the month (its go-live has passed and its
plan is complete), in the pack's appendix and as its own PDF. Scope delivered, the final schedule and cost against
the baseline with the EAC's drift month by month, the forecast's track record (how early the P85 pointed at the
real finish), benefits readiness at go-live, the post-go-live incidents against their baseline, and the RAID items
still open at close.

Every number is read from the marts: which projects get a page, and their facts, is fct_project_closure_month; the
EAC series is fct_project_month's, the P85 series fct_forecast_month's, the open items fct_raid_month's. This
module only selects, orders and words them, and renders the standalone document (the pack includes the same
section: reports/templates/_closure.html.j2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from reports import TEMPLATES_DIR
from reports.data import mart_exists, query_rows
from reports.templating import ENVIRONMENT

# the months the page's track table lists, the last ones up to the finish (the mart's drift is over all of them)
TRACK_MONTHS = 12
SEVERITY_ORDER = ("Critical", "High", "Medium", "Low")


@dataclass
class ClosurePage:
    month: dt.date
    closure: dict[str, Any]  # fct_project_closure_month's row, with the project's tier and as_of
    # the months up to the finish (at most TRACK_MONTHS): month, as_of, bac, eac, eac_drift_pct, and the month's
    # forecast (forecast_status, p85_finish; None without a forecast row), oldest first
    track: list[dict[str, Any]] = field(default_factory=list)
    open_raid: list[dict[str, Any]] = field(default_factory=list)  # the RAID items open at close, worst first

    @property
    def project_id(self) -> str:
        return self.closure["project_id"]

    @property
    def p85_tolerance_days(self) -> int:
        """The mart's tolerance: a P85 at most this many days either side of the finish pointed at it."""
        return self.closure["p85_tolerance_days"]

    def p85_days_off(self, p85_finish: dt.date | None) -> int | None:
        """A P85's distance from the real finish in days (positive: it pointed later); None without either."""
        finish = self.closure.get("actual_finish")
        return None if p85_finish is None or finish is None else (p85_finish - finish).days

    @property
    def track_record(self) -> str:
        """The forecast's track record in one sentence, from the mart's p85_lead_days and forecast_months."""
        lead = self.closure.get("p85_lead_days")
        months = self.closure.get("forecast_months") or 0
        if lead is not None:
            days = f"{lead} day{'s' if lead != 1 else ''}"
            return (
                f"The P85 pointed at the real finish {days} before it (from the forecast as of "
                f"{self.closure['p85_settled_as_of']:%d %b %Y}, within {self.p85_tolerance_days} days of it "
                "ever after)."
            )
        if months == 0:
            return "No P85 forecast was made before the finish."
        return (
            f"The P85 never settled within {self.p85_tolerance_days} days of the finish "
            f"({months} forecast{'s' if months != 1 else ''} judged)."
        )


def _severity_rank(severity: str | None) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def load_closure_pages(
    conn: duckdb.DuckDBPyConnection, month: dt.date, project_ids: set[str] | frozenset[str] | None = None
) -> list[ClosurePage]:
    """The month's closure pages, one per project in fct_project_closure_month, by finish date; limited to
    `project_ids` (a reader's scope) when given. None from a warehouse built before the mart."""
    if not mart_exists(conn, "fct_project_closure_month"):
        return []
    rows = query_rows(
        conn,
        """
        select closure.*, project_month.tier, project_month.as_of
        from marts.fct_project_closure_month as closure
        left join marts.fct_project_month as project_month
            on project_month.month = closure.month
            and project_month.project_id = closure.project_id
        where closure.month = ?
        order by closure.actual_finish, closure.project_id
    """,
        [month],
    )
    if project_ids is not None:
        rows = [row for row in rows if row["project_id"] in project_ids]
    if not rows:
        return []
    wanted = [row["project_id"] for row in rows]
    placeholders = ", ".join("?" for _ in wanted)
    eac: dict[str, list[dict[str, Any]]] = {}
    for row in query_rows(
        conn,
        f"""
        select project_id, month, as_of, bac, eac, eac_drift_pct
        from marts.fct_project_month
        where month <= ? and project_id in ({placeholders})
        order by project_id, month
    """,
        [month, *wanted],
    ):
        eac.setdefault(row["project_id"], []).append(row)
    forecasts: dict[tuple[str, dt.date], dict[str, Any]] = {}
    if mart_exists(conn, "fct_forecast_month"):
        for row in query_rows(
            conn,
            f"""
            select project_id, month, forecast_status, p85_finish
            from marts.fct_forecast_month
            where month <= ? and project_id in ({placeholders})
        """,
            [month, *wanted],
        ):
            forecasts[(row["project_id"], row["month"])] = row
    open_raid: dict[str, list[dict[str, Any]]] = {}
    for row in query_rows(
        conn,
        f"""
        select project_id, raid_id, raid_type, raid_title, raid_owner, severity, due_date, is_overdue
        from marts.fct_raid_month
        where month = ? and is_open and project_id in ({placeholders})
        order by project_id, due_date, raid_id
    """,
        [month, *wanted],
    ):
        open_raid.setdefault(row["project_id"], []).append(row)
    pages = []
    for row in rows:
        finish = row["actual_finish"]
        months = [
            {**series, "forecast": forecasts.get((row["project_id"], series["month"]))}
            for series in eac.get(row["project_id"], [])
            if finish is None or series["month"] <= finish.replace(day=1)
        ]
        pages.append(
            ClosurePage(
                month=month,
                closure={**row, "project_name": row["project_name"] or row["project_id"]},
                track=months[-TRACK_MONTHS:],
                open_raid=sorted(
                    open_raid.get(row["project_id"], []), key=lambda item: _severity_rank(item["severity"])
                ),
            )
        )
    return pages


def render_closure_html(page: ClosurePage) -> str:
    """One project's closure report as its own document, with the pack's CSS (printed by render.html_to_pdf)."""
    css = (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8")
    return ENVIRONMENT.get_template("closure.html.j2").render(clos=page, clos_index=1, css=css, draft=None)
