"""Render the steering pack's HTML from PackData (jinja2, autoescaped: export text never becomes markup), and
print it to PDF bytes. Returns strings and bytes: pipelines/core/packs.py writes and publishes them."""

from __future__ import annotations

from dataclasses import dataclass

from reports import TEMPLATES_DIR
from reports.charts import forecast_chart_svg, line_chart_svg, slip_chart_svg
from reports.data import PackData, ProjectPage
from reports.forecast import chance_text, date_text
from reports.scorecard import project_kpi_rows, scorecard_view
from reports.templating import ENVIRONMENT


def pack_charts(data: PackData, as_png: bool = False) -> dict[str, str]:
    """The portfolio's CPI/SPI trend and S-curve as inline SVG (numbers straight from fct_portfolio_month)."""
    months = [row["month"] for row in data.trend]

    def series(column: str) -> list:
        return list(zip(months, [row[column] for row in data.trend]))

    charts = {}
    if data.trend:  # portfolio readers only: the trend aggregates every project
        charts["indices"] = line_chart_svg(
            "CPI and SPI",
            "index (1.0 = on plan)",
            {"CPI": series("portfolio_cpi"), "SPI": series("portfolio_spi")},
            reference=1.0,
            as_png=as_png,
        )
        charts["s_curve"] = line_chart_svg(
            "Portfolio S-curve", "base currency", s_curve_series(data.trend), as_png=as_png
        )
    if data.projects:
        shown = data.projects
        title = "Finish: baseline vs forecast"
        if len(shown) > FINISH_CHART_ROWS:
            # A chart of thousands of rows reads as nothing: show the largest slips, the table has the rest.
            shown = sorted(shown, key=lambda p: (-(p["slip_days"] or 0), p["project_id"]))[:FINISH_CHART_ROWS]
            title = f"Finish: baseline vs forecast, the {FINISH_CHART_ROWS} largest slips"
        charts["finish"] = slip_chart_svg(
            title,
            # coloured by the project's schedule grade (rag_schedule), not by a slip rule of the chart's own
            [(p["project_name"], p["baseline_finish"], p["forecast_finish"], None, p["rag_schedule"]) for p in shown],
            as_png=as_png,
        )
    return charts


def s_curve_series(trend: list[dict]) -> dict[str, list]:
    """The portfolio S-curve as fct_portfolio_month totals it: PV and EV over portfolio_spi's projects, AC over
    portfolio_cpi's (DESIGN §5), so each pair of lines shows the headline ratio beside it. When the EV that AC is
    set against differs (a project with EV and only one of PV and AC), both EVs are drawn, each named by its set."""
    months = [row["month"] for row in trend]

    def series(column: str) -> list:
        return list(zip(months, [row[column] for row in trend]))

    if all(_same(row["ev_total"], row["ev_cpi_total"]) for row in trend):
        return {"PV": series("pv_total"), "EV": series("ev_total"), "AC": series("ac_total")}
    return {
        "PV": series("pv_total"),
        "EV (SPI's projects)": series("ev_total"),
        "EV (CPI's projects)": series("ev_cpi_total"),
        "AC": series("ac_total"),
    }


def _same(a: float | None, b: float | None) -> bool:
    return a == b or (a is not None and b is not None and abs(a - b) <= 0.005)


PORTFOLIO_TITLE = "Portfolio steering pack"
FINISH_CHART_ROWS = 30
PRINTED_PROJECTS_LIMIT = 200


@dataclass(frozen=True)
class PrintedRows:
    projects: list[dict]
    incidents: list[dict]
    omitted: int = 0


def printed_rows(data: PackData, for_pdf: bool) -> PrintedRows:
    """The per-project rows a pack lists. The HTML lists every project; a PDF of more than
    `PRINTED_PROJECTS_LIMIT` lists those not rated Green overall, because WeasyPrint lays out about 150 table rows
    a second, and 2,000 projects in five tables are 400 pages that nobody reads on paper."""
    if not for_pdf or len(data.projects) <= PRINTED_PROJECTS_LIMIT:
        return PrintedRows(data.projects, data.incidents)
    kept = [project for project in data.projects if project.get("rag_overall") != "Green"]
    ids = {project["project_id"] for project in kept}
    return PrintedRows(
        kept, [row for row in data.incidents if row.get("project_id") in ids], omitted=len(data.projects) - len(kept)
    )


def render_pack_html(
    data: PackData,
    title: str = PORTFOLIO_TITLE,
    project_pages: list[ProjectPage] = (),
    for_pdf: bool = False,
    draft: dict | None = None,
) -> str:
    """The pack; with `project_pages`, those pages follow the executive page in the same document. `for_pdf`
    gives the markup to print: PNG charts, and at scale only the projects that are not Green. `draft`
    ({"findings": [...], "computed": bool}) marks every page as a draft of a blocked month, findings first."""
    css = (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8")
    return ENVIRONMENT.get_template("pack.html.j2").render(
        data=data,
        printed=printed_rows(data, for_pdf),
        css=css,
        charts=pack_charts(data, as_png=for_pdf),
        title=title,
        draft=draft,
        project_pages=list(project_pages),
        project_charts=[project_charts(page, for_pdf) for page in project_pages],
        scorecard=scorecard_view(data.scorecard),
        kpi_rows=project_kpi_rows,
    )


def html_to_pdf(html: str) -> bytes:
    """The same HTML printed by WeasyPrint: A4 landscape, page numbers and no split rows come from pack.css."""
    import weasyprint  # imported here: only rendering needs it, and it takes a moment to load

    return weasyprint.HTML(string=html).write_pdf()


def project_charts(page: ProjectPage, for_pdf: bool = False) -> dict[str, str]:
    months = [row["month"] for row in page.history]

    def series(column: str) -> list:
        return list(zip(months, [row[column] for row in page.history]))

    return {
        "indices": line_chart_svg(
            "CPI and SPI",
            "index (1.0 = on plan)",
            {"CPI": series("cpi"), "SPI": series("spi")},
            reference=1.0,
            as_png=for_pdf,
        ),
        "s_curve": line_chart_svg(
            "S-curve", "base currency", {"PV": series("pv"), "EV": series("ev"), "AC": series("ac")}, as_png=for_pdf
        ),
        "milestones": slip_chart_svg(
            "Milestones: baseline, forecast, actual",
            # coloured by the mart's verdict (fct_milestone_month.is_on_time: on time, late); not yet due: neutral
            [
                (
                    m["milestone_name"],
                    m["baseline_date"],
                    m["forecast_date"],
                    m["actual_date"],
                    "Green" if m["is_on_time"] else ("Red" if m["is_due"] else None),
                )
                for m in page.milestones
            ],
            as_png=for_pdf,
        ),
        "forecast": forecast_chart(page, for_pdf),
    }


def forecast_chart(page: ProjectPage, for_pdf: bool = False) -> str:
    """The project's finish distribution (fct_forecast_distribution_month) with its percentiles, baseline finish
    and go-live (fct_forecast_month), and its P85 over the last months; empty without a distribution."""
    forecast = page.forecast
    if forecast is None or not page.distribution:
        return ""
    percentiles = {name: forecast.get(f"{name.lower()}_finish") for name in ("P50", "P85", "P95")}
    markers = {"baseline finish": forecast.get("baseline_finish"), "go-live": forecast.get("go_live_date")}
    history = [(row["month"], row["p85_finish"]) for row in page.forecast_history]
    return forecast_chart_svg(
        "Finish forecast: share of trials by finish date",
        [(row["finish_date"], row["trials_share"]) for row in page.distribution],
        percentiles,
        markers,
        history,
        forecast_description(page),
        as_png=for_pdf,
    )


def forecast_description(page: ProjectPage) -> str:
    """The forecast chart's figures in words (its alt text and title)."""
    forecast = page.forecast or {}
    # the mart's one row without a finish date: the trials that never finish within its 10-year horizon
    never = next((row["trials_share"] for row in page.distribution if row["finish_date"] is None), None)
    words = [
        f"Finish forecast of {page.project.get('project_name') or page.project.get('project_id')}: "
        f"P50 {date_text(forecast.get('p50_finish'))}, P85 {date_text(forecast.get('p85_finish'))}, "
        f"P95 {date_text(forecast.get('p95_finish'))}.",
        f"Baseline finish {date_text(forecast.get('baseline_finish'))} "
        f"(chance {chance_text(forecast.get('prob_by_baseline_finish'))}); "
        f"go-live {date_text(forecast.get('go_live_date'))} (chance {chance_text(forecast.get('prob_by_go_live'))}).",
    ]
    if never:
        words.append(f"{chance_text(never)} of the trials do not finish within 10 years.")
    moved = [f"{row['month']:%b %Y} {date_text(row['p85_finish'])}" for row in page.forecast_history]
    if moved:
        words.append("P85 finish by month: " + "; ".join(moved) + ".")
    return " ".join(words)


def render_project_html(page: ProjectPage, for_pdf: bool = False) -> str:
    css = (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8")
    return ENVIRONMENT.get_template("project.html.j2").render(
        page=page, css=css, charts=project_charts(page, for_pdf), kpi_rows=project_kpi_rows
    )
