"""The steering pack as an Excel workbook (openpyxl): a sheet per section, native charts, the marts' rows.

Every sheet has a frozen header row and a filter, number formats for money, ratios, fractions and dates, and
RAG cells coloured by conditional formatting (so an analyst who edits a grade sees the colour follow). Text
from exports is always written as text: a summary starting with `=`, `+`, `-` or `@` never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.data import mart_exists, query_rows
from reports.forecast import history_text

MONEY, RATIO, FRACTION, DATE, WHOLE = "#,##0", "0.00", "0.0%", "yyyy-mm-dd", "0"
RAG_FILLS = {"Red": "F4B6B0", "Amber": "FAD7A0", "Green": "ABEBC6", "Unknown": "D5D8DC"}
# A KPI's status takes its RAG colour (Met as Green ... Not tracked as Unknown), and its value the format of its
# kpi_unit (fct_kpi_scorecard_month): a share is a percentage, days, ratios and scores say their unit.
KPI_STATUS_FILLS = {
    "Met": RAG_FILLS["Green"],
    "Near": RAG_FILLS["Amber"],
    "Missed": RAG_FILLS["Red"],
    "Not tracked": RAG_FILLS["Unknown"],
}
KPI_UNIT_FORMATS = {
    "share": FRACTION,
    "days": '0.0" d"',
    "ratio": '0.00"×"',
    "score": '0.0" / 5"',
    "score_change": "+0.0;-0.0;0.0",
}
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    number_format: str | None = None
    is_rag: bool = False
    fills: dict[str, str] | None = None  # conditional fills by value (is_rag: RAG_FILLS)
    format_from: str | None = None  # a row column whose value picks the number format from KPI_UNIT_FORMATS


@dataclass(frozen=True)
class Section:
    sheet: str
    sql: str
    columns: list[Column]
    # words the pack prints beside the mart's values (reports/forecast.py), added to each row read
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    mart: str | None = None  # a mart a warehouse may not have built yet (reports.data.mart_exists): no rows then


def _c(name: str, header: str | None = None, fmt: str | None = None, rag: bool = False) -> Column:
    return Column(name, header or name, fmt, rag)


PROJECT_COLUMNS = [
    _c("project_id", "Project"),
    _c("project_name", "Name"),
    _c("tier", "Tier", WHOLE),
    _c("reported_status", "Reported", rag=True),
    _c("rag_schedule", "Schedule", rag=True),
    _c("rag_cost", "Cost", rag=True),
    _c("rag_benefits", "Benefits", rag=True),
    _c("rag_incidents", "Incidents", rag=True),
    _c("rag_overall", "Overall", rag=True),
    _c("watermelon", "Watermelon"),
    _c("unverified_green", "Unverified green"),
    _c("bac", "BAC", MONEY),
    _c("pv", "PV", MONEY),
    _c("ev", "EV", MONEY),
    _c("ac", "AC", MONEY),
    _c("ac_historical_base", "AC at historical FX", MONEY),
    _c("eac", "EAC", MONEY),
    _c("vac", "VAC", MONEY),
    _c("cpi", "CPI", RATIO),
    _c("cpi_month", "CPI this month", RATIO),
    _c("spi", "SPI", RATIO),
    _c("spi_month", "SPI this month", RATIO),
    _c("spi_t", "SPI(t)", RATIO),
    _c("tcpi", "TCPI", RATIO),
    _c("tcpi_eac", "TCPI to EAC target", RATIO),
    _c("tspi", "TSPI", RATIO),
    _c("percent_complete", "% complete", FRACTION),
    _c("percent_spent", "% spent", FRACTION),
    _c("cost_overrun_pct", "EAC vs BAC", FRACTION),
    _c("baseline_finish", "Baseline finish", DATE),
    _c("forecast_finish", "Forecast finish", DATE),
    _c("ieac_t_finish", "IEAC(t) finish", DATE),
    _c("slip_days", "Slip (days)", WHOLE),
    _c("schedule_slip_pct", "Slip", FRACTION),
    _c("milestone_on_time_rate", "Milestones on time", FRACTION),
    _c("readiness_score", "Benefits readiness", FRACTION),
    _c("raid_fresh_pct", "RAID fresh", FRACTION),
]


SCOPE_FILTER = "and list_contains($project_ids, project_id)"
FORECAST_COLUMNS = [
    _c("project_id", "Project"),
    _c("project_name", "Name"),
    _c("method", "Method"),
    _c("history", "History"),
    _c("remaining_work", "Remaining work", RATIO),
    _c("work_unit", "Unit"),
    _c("p50_finish", "P50 finish", DATE),
    _c("p85_finish", "P85 finish", DATE),
    _c("p95_finish", "P95 finish", DATE),
    _c("prob_by_baseline_finish", "Chance by baseline finish", FRACTION),
    _c("prob_by_go_live", "Chance by go-live", FRACTION),
    _c("ieac_t_finish", "IEAC(t) finish", DATE),
    _c("forecast_status", "Status"),
    _c("status_reason", "Reason"),
]


def _with_history(row: dict[str, Any]) -> dict[str, Any]:
    """A forecast row with its history in the project page's words ("12 weeks of throughput")."""
    return {**row, "history": None if history_text(row) == "—" else history_text(row)}


SCORECARD_PORTFOLIO = "(portfolio)"  # the Project cell of the scorecard's portfolio row
SCORECARD_COLUMNS = [
    _c("month", "Month", DATE),
    _c("project_label", "Project"),
    _c("tier", "Tier", WHOLE),
    _c("kpi_label", "KPI"),
    Column("value", "Value", format_from="kpi_unit"),
    Column("target_met", "Target met", format_from="kpi_unit"),
    Column("target_near", "Target near", format_from="kpi_unit"),
    Column("status", "Status", fills=KPI_STATUS_FILLS),
    Column("previous_value", "Previous value", format_from="kpi_unit"),
    _c("not_tracked_reason", "Not tracked reason"),
]


def sections(scoped: bool = False) -> list[Section]:
    """The workbook's sheets, each a select from one mart for the month (no arithmetic: the marts hold it).

    A scoped workbook keeps only its projects' rows and leaves out the portfolio trend, which aggregates
    every project; it gets each of its projects' own trend instead.
    """
    scope = SCOPE_FILTER if scoped else ""
    all_sections = [
        Section(
            "Projects",
            f"""
            select {", ".join(c.name for c in PROJECT_COLUMNS)}
            from marts.fct_project_month
            where month = $month {scope}
            order by tier, project_id""",
            PROJECT_COLUMNS,
        ),
        Section(
            "Trend",
            """
            select month, portfolio_cpi as cpi, portfolio_spi as spi, pv_total as pv, ev_total as ev,
                   ac_total as ac, ev_cpi_total as ev_cpi
            from marts.fct_portfolio_month
            where month <= $month
            order by month""",
            [
                _c("month", "Month", DATE),
                _c("cpi", "CPI", RATIO),
                _c("spi", "SPI", RATIO),
                _c("pv", "PV", MONEY),
                _c("ev", "EV", MONEY),
                _c("ac", "AC", MONEY),
                # the S-curve's sets are the headline ratios' (fct_portfolio_month): EV / PV over SPI's projects,
                # this EV / AC over CPI's
                _c("ev_cpi", "EV (CPI's projects)", MONEY),
            ],
        ),
        Section(
            "Milestones",
            f"""
            select project_id, milestone_name, baseline_date, forecast_date, actual_date, slip_days, is_due,
                   is_on_time
            from marts.fct_milestone_month
            where month = $month {scope}
            order by project_id, baseline_date""",
            [
                _c("project_id", "Project"),
                _c("milestone_name", "Milestone"),
                _c("baseline_date", "Baseline", DATE),
                _c("forecast_date", "Forecast", DATE),
                _c("actual_date", "Actual", DATE),
                _c("slip_days", "Slip (days)", WHOLE),
                _c("is_due", "Due"),
                _c("is_on_time", "On time"),
            ],
        ),
        Section(
            "Benefits",
            f"""
            select project_id, benefit_id, benefit_description, benefit_owner, metric, checks_met, readiness_score
            from marts.fct_benefit_readiness
            where month = $month {scope}
            order by project_id, benefit_id""",
            [
                _c("project_id", "Project"),
                _c("benefit_id", "Benefit"),
                _c("benefit_description", "Description"),
                _c("benefit_owner", "Owner"),
                _c("metric", "Metric"),
                _c("checks_met", "Checks met", WHOLE),
                _c("readiness_score", "Readiness", FRACTION),
            ],
        ),
        Section(
            "Incidents",
            f"""
            select project_id, go_live_actual, incidents_total, p1_count, p2_count, open_count, mttr_hours,
                   incidents_per_week, baseline_per_week
            from marts.fct_post_golive_incidents
            where month = $month {scope}
            order by project_id""",
            [
                _c("project_id", "Project"),
                _c("go_live_actual", "Go-live", DATE),
                _c("incidents_total", "Incidents", WHOLE),
                _c("p1_count", "P1", WHOLE),
                _c("p2_count", "P2", WHOLE),
                _c("open_count", "Open", WHOLE),
                _c("mttr_hours", "MTTR (h)", RATIO),
                _c("incidents_per_week", "Per week", RATIO),
                _c("baseline_per_week", "Before go-live per week", RATIO),
            ],
        ),
        Section(
            "Data quality",
            """
            select source, snapshot_month_used, is_missing, rows_read, rows_loaded, rows_quarantined,
                   unreadable_files
            from marts.fct_data_freshness
            where month = $month
            order by source""",
            [
                _c("source", "Source"),
                _c("snapshot_month_used", "Snapshot used", DATE),
                _c("is_missing", "Missing this month"),
                _c("rows_read", "Rows read", WHOLE),
                _c("rows_loaded", "Loaded", WHOLE),
                _c("rows_quarantined", "Quarantined", WHOLE),
                _c("unreadable_files", "Unreadable files", WHOLE),
            ],
        ),
        Section(
            "Scorecard",
            # the portfolio row (pooling every project) first, then the projects; a scoped reader gets no
            # portfolio row
            f"""
            select month, coalesce(project_id, '{SCORECARD_PORTFOLIO}') as project_label, tier, kpi_label, kpi_unit,
                   value, target_met, target_near, status, previous_value, not_tracked_reason
            from marts.fct_kpi_scorecard_month
            where month = $month {"and project_id is not null " + scope if scoped else ""}
            order by kpi_order, kpi, project_id nulls first""",
            SCORECARD_COLUMNS,
        ),
        Section(
            "Forecast",
            f"""
            select forecast.project_id, project_month.project_name, forecast.method, forecast.history_weeks,
                   forecast.history_months, forecast.remaining_work, forecast.work_unit, forecast.p50_finish,
                   forecast.p85_finish, forecast.p95_finish, forecast.prob_by_baseline_finish,
                   forecast.prob_by_go_live, forecast.ieac_t_finish, forecast.forecast_status,
                   forecast.status_reason
            from marts.fct_forecast_month as forecast
            left join marts.fct_project_month as project_month
                on project_month.month = forecast.month and project_month.project_id = forecast.project_id
            where forecast.month = $month
                {"and list_contains($project_ids, forecast.project_id)" if scoped else ""}
            order by forecast.project_id""",
            FORECAST_COLUMNS,
            derive=_with_history,
            mart="fct_forecast_month",
        ),
        Section(
            "Project trend",
            f"""
            select project_id, month, cpi, spi, pv, ev, ac
            from marts.fct_project_month
            where month <= $month {scope}
            order by project_id, month""",
            [
                _c("project_id", "Project"),
                _c("month", "Month", DATE),
                _c("cpi", "CPI", RATIO),
                _c("spi", "SPI", RATIO),
                _c("pv", "PV", MONEY),
                _c("ev", "EV", MONEY),
                _c("ac", "AC", MONEY),
            ],
        ),
    ]
    portfolio_only, scoped_only = {"Trend"}, {"Project trend"}
    return [s for s in all_sections if s.sheet not in (portfolio_only if scoped else scoped_only)]


def safe_value(value: Any) -> Any:
    """Dates stay dates and numbers numbers; text is text, whatever it starts with."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


def _write_section(workbook: Workbook, section: Section, rows: list[dict[str, Any]]) -> None:
    sheet = workbook.create_sheet(section.sheet)
    sheet.append([column.header for column in section.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column_number, column in enumerate(section.columns, start=1):
            value = safe_value(row[column.name])
            cell = sheet.cell(row_number, column_number, value)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
            number_format = KPI_UNIT_FORMATS.get(row[column.format_from]) if column.format_from else None
            number_format = number_format or column.number_format
            if number_format and not isinstance(value, str):
                cell.number_format = number_format
    last_row = max(len(rows) + 1, 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(section.columns))}{last_row}"
    for index, column in enumerate(section.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(40, len(column.header) + 4))
        fills = RAG_FILLS if column.is_rag else column.fills
        if fills:
            cells = f"{letter}2:{letter}{last_row}"
            for grade, colour in fills.items():
                sheet.conditional_formatting.add(
                    cells,
                    CellIsRule(operator="equal", formula=[f'"{grade}"'], fill=PatternFill("solid", bgColor=colour)),
                )


def _trend_charts(workbook: Workbook, months: int) -> None:
    """Native line charts on the Trend sheet: CPI and SPI, and the PV / EV / AC S-curve."""
    sheet = workbook["Trend"]
    if months == 0:
        return
    categories = Reference(sheet, min_col=1, min_row=2, max_row=months + 1)
    indices = LineChart()
    indices.title, indices.y_axis.title, indices.x_axis.title = "CPI and SPI", "index (1.0 = on plan)", "month"
    indices.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=months + 1), titles_from_data=True)
    indices.set_categories(categories)
    indices.x_axis.number_format = "mmm yy"
    sheet.add_chart(indices, "H2")
    s_curve = LineChart()
    s_curve.title, s_curve.y_axis.title, s_curve.x_axis.title = "S-curve: PV, EV, AC", "base currency", "month"
    s_curve.add_data(Reference(sheet, min_col=4, max_col=7, min_row=1, max_row=months + 1), titles_from_data=True)
    s_curve.set_categories(categories)
    s_curve.x_axis.number_format = "mmm yy"
    sheet.add_chart(s_curve, "H20")


def build_workbook(conn: duckdb.DuckDBPyConnection, month: dt.date, project_ids: set[str] | None = None) -> bytes:
    """The month's portfolio workbook, or a reader's workbook limited to `project_ids`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    trend_rows = 0
    scoped = project_ids is not None
    for section in sections(scoped):
        params = {"month": month}
        if "$project_ids" in section.sql:
            params["project_ids"] = sorted(project_ids)
        rows = [] if section.mart and not mart_exists(conn, section.mart) else query_rows(conn, section.sql, params)
        if section.derive is not None:
            rows = [section.derive(row) for row in rows]
        _write_section(workbook, section, rows)
        if section.sheet == "Trend":
            trend_rows = len(rows)
    if not scoped:
        _trend_charts(workbook, trend_rows)
    workbook.properties.title = f"Steering pack {month:%Y-%m}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
