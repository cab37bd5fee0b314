"""Render the steering pack's HTML from PackData (jinja2, autoescaped: export text never becomes markup), and
print it to PDF bytes. Returns strings and bytes: pipelines/core/packs.py writes and publishes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from reports import TEMPLATES_DIR
from reports.charts import forecast_chart_svg, line_chart_svg, slip_chart_svg
from reports.data import PackData, ProjectPage
from reports.forecast import chance_text, date_text
from reports.scorecard import project_kpi_rows, scorecard_view
from reports.templating import ENVIRONMENT, GRADE_SHAPES, signed_days_text


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
    page_size: str = "A4",
    docs_base: str | None = None,
) -> str:
    """The pack; with `project_pages`, those pages follow the executive page in the same document. `for_pdf`
    gives the markup to print: PNG charts, and at scale only the projects that are not Green. `draft`
    ({"findings": [...], "computed": bool}) marks every page as a draft of a blocked month, findings first.
    `page_size` ("A4" or "Letter", printed landscape); `docs_base` is the metrics dictionary's index page the KPI
    names link to, by default the one `steerpack docs` builds beside the packs (docs_base_for(PACK_DEPTH))."""
    css = pack_css(page_size)
    docs_base = docs_base_for(PACK_DEPTH) if docs_base is None else docs_base
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
        captions=pack_chart_captions(data),
        project_captions=[project_chart_captions(page) for page in project_pages],
        previous_month_short=_months_back(data.month, 1).strftime("%b"),
        grade_change=lambda project: grade_change(data.grade_moves.get(project["project_id"]), project),
        signed_days=signed_days_text,
        data_line=data_line(data),
        **page_helpers(docs_base),
    )


def html_to_pdf(html: str, page_size: str | None = None) -> bytes:
    """The same HTML printed by WeasyPrint: page size (landscape), page numbers and no split rows come from
    pack.css as the render function set them; `page_size` ("A4" | "Letter") overrides the page size."""
    import weasyprint  # imported here: only rendering needs it, and it takes a moment to load

    stylesheets = [weasyprint.CSS(string=f"@page {{ size: {page_size_css(page_size)}; }}")] if page_size else []
    return weasyprint.HTML(string=html).write_pdf(stylesheets=stylesheets)


PAGE_SIZES = ("A4", "Letter")
# How many folders below output/ each document is: output/packs/YYYY-MM/ holds the pack, .../projects/ the
# project pages; `steerpack docs` builds the metrics dictionary in output/dbt-docs/.
PACK_DEPTH = 2
PROJECT_PAGE_DEPTH = 3


def page_size_css(page_size: str) -> str:
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    return f"{page_size} landscape"


def pack_css(page_size: str = "A4") -> str:
    """pack.css with its @page size set to `page_size`, landscape."""
    css = (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8")
    return css.replace("size: A4 landscape;", f"size: {page_size_css(page_size)};", 1)


def docs_base_for(depth: int) -> str:
    """The metrics dictionary (output/dbt-docs/index.html) as seen from a document `depth` folders below output/."""
    return "../" * depth + "dbt-docs/index.html"


def page_helpers(docs_base: str) -> dict:
    """What the pack's and the project pages' templates call: the KPI links, the TCPI rule, the status strip."""

    def kpi(label: str, mart: str) -> Markup:
        """A KPI's name linked to the model of the mart whose column defines it in the metrics dictionary."""
        href = f"{docs_base}#!/model/model.steerpack.{mart}"
        return Markup('<a class="kpi-link" href="{}">{}</a>').format(href, label)

    return {"kpi": kpi, "to_complete_shown": to_complete_shown, "status_strip": status_strip}


def to_complete_shown(project: dict) -> bool:
    """Whether a to-complete index means anything: not once the work is done (percent_complete >= 1 or EV >= BAC),
    where fct_project_month's TCPI divides no remaining work by the remaining money."""
    done = project.get("percent_complete")
    ev, bac = project.get("ev"), project.get("bac")
    return not ((done is not None and done >= 1) or (ev is not None and bac is not None and ev >= bac))


GRADE_ORDER = {"Green": 0, "Amber": 1, "Red": 2}  # worse is higher; Unknown is not on this scale


def grade_change(move: dict | None, project: dict) -> dict:
    """The executive table's "Δ vs <last month>" cell from fct_project_change_month's previous grade:
    "▲ was Amber" worse, "▼ was Red" better, "=" unchanged, "new" in the project's first graded month, "—" where
    the mart has no comparison. A move into or out of Unknown is not better or worse, only different:
    "→ was Green" (the Overall cell beside it says ◌ Unknown)."""
    if move is None:
        return {"text": "—", "direction": "none", "title": "no comparison with last month"}
    if not move.get("has_previous_month"):
        return {"text": "new", "direction": "new", "title": "no grade last month"}
    now, before = project.get("rag_overall"), move.get("previous_rag_overall")
    if now == before:
        return {"text": "=", "direction": "same", "title": f"unchanged: {before or 'no grade'}"}
    if now in GRADE_ORDER and before in GRADE_ORDER:
        worse = GRADE_ORDER[now] > GRADE_ORDER[before]
        return {
            "text": f"{'▲' if worse else '▼'} was {before}",
            "direction": "worse" if worse else "better",
            "title": f"{'worse' if worse else 'better'} than last month ({before} → {now})",
        }
    return {"text": f"→ was {before or '—'}", "direction": "moved", "title": f"{before or 'no grade'} → {now}"}


def status_strip(history: list[dict]) -> Markup:
    """The overall grade of the last months as shapes, oldest first, each month in a title; "·" where the project
    was not graded. Its words (aria-label, for a screen reader) say the same."""
    if not history:
        return Markup("")
    first, last = history[0]["month"], history[-1]["month"]
    span = f"{first:%b}–{last:%b %Y}" if first.year == last.year else f"{first:%b %Y}–{last:%b %Y}"
    words = ", ".join(row["rag_overall"] or "not graded" for row in history)
    marks = Markup("").join(
        Markup('<span class="rag rag-{}" title="{}">{}</span>').format(
            row["rag_overall"] or "none",
            f"{row['month']:%b %Y}: {row['rag_overall'] or 'not graded'}",
            GRADE_SHAPES.get(row["rag_overall"] or "", "·"),
        )
        for row in history
    )
    label = f"Overall grade, {span}: {words}"
    return Markup('<span class="status-strip" role="img" aria-label="{}" title="{}">{}</span>').format(
        label, label, marks
    )


def data_line(data: PackData) -> str | None:
    """The executive page's line on the data behind it (DESIGN §7), from fct_data_freshness: the finance
    snapshot, each source served from an older extract, the rows quarantined."""
    if not data.freshness:
        return None
    parts = []
    finance = next((row for row in data.freshness if row["source"] == "finance"), None)
    if finance is not None and finance.get("snapshot_month_used"):
        parts.append(f"finance as of {finance['snapshot_month_used']:%B %Y}")
    for row in data.freshness:
        if row.get("is_missing") and row.get("snapshot_month_used"):
            parts.append(
                f"{row['source']} served from {row['snapshot_month_used']:%B}'s extract ({data.month:%B}'s missing)"
            )
    quarantined = sum(row.get("rows_quarantined") or 0 for row in data.freshness)
    parts.append(f"{quarantined} row{'s' if quarantined != 1 else ''} quarantined")
    return "Data: " + " · ".join(parts)


def _months_back(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _ratio_words(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _money_words(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def indices_caption(history: list[dict], cpi: str, spi: str, who: str = "") -> str:
    """The CPI/SPI chart in words, from the same rows it draws: the last month's and the first month's values."""
    rows = [row for row in history if row.get(cpi) is not None or row.get(spi) is not None]
    if not rows:
        return f"CPI and SPI{who}: no values to draw."
    last, first = rows[-1], rows[0]
    text = f"CPI {_ratio_words(last[cpi])} and SPI {_ratio_words(last[spi])}{who} in {last['month']:%B %Y}"
    if first is not last:
        text += f", from {_ratio_words(first[cpi])} and {_ratio_words(first[spi])} in {first['month']:%B %Y}"
    return text + "."


def s_curve_caption(history: list[dict], columns: dict[str, str], who: str = "") -> str:
    """The S-curve in words: each line's last value."""
    if not history:
        return f"S-curve{who}: no values to draw."
    last = history[-1]
    values = ", ".join(f"{name} {_money_words(last.get(column))}" for name, column in columns.items())
    return f"S-curve{who} in {last['month']:%B %Y}: {values} (base currency)."


def finish_caption(projects: list[dict]) -> str:
    """The finish chart in words: how many projects slip, and the largest slip."""
    slipping = [p for p in projects if (p.get("slip_days") or 0) > 0]
    if not slipping:
        return f"Finish of {len(projects)} projects: none forecast to finish after its baseline."
    largest = max(slipping, key=lambda p: (p["slip_days"], p["project_id"]))
    return (
        f"Finish of {len(projects)} projects: {len(slipping)} forecast after the baseline finish; the largest slip "
        f"is {largest['project_name']}, {largest['slip_days']} days."
    )


def pack_chart_captions(data: PackData) -> dict[str, str]:
    """Each of pack_charts' charts in words (figcaption and aria-label), from the numbers the chart draws."""
    captions = {}
    if data.trend:
        captions["indices"] = indices_caption(data.trend, "portfolio_cpi", "portfolio_spi", " of the portfolio")
        columns = {"PV": "pv_total", "EV": "ev_total", "AC": "ac_total"}
        captions["s_curve"] = s_curve_caption(data.trend, columns, " of the portfolio")
    if data.projects:
        captions["finish"] = finish_caption(data.projects)
    return captions


def project_chart_captions(page: ProjectPage) -> dict[str, str]:
    """Each of project_charts' charts in words."""
    milestones = page.milestones
    on_time = sum(1 for m in milestones if m["is_on_time"])
    late = sum(1 for m in milestones if not m["is_on_time"] and m["is_due"])
    return {
        "indices": indices_caption(page.history, "cpi", "spi"),
        "s_curve": s_curve_caption(page.history, {"PV": "pv", "EV": "ev", "AC": "ac"}),
        "milestones": f"{len(milestones)} milestones: {on_time} on time, {late} late, "
        f"{len(milestones) - on_time - late} not yet due.",
        "forecast": forecast_description(page) if page.forecast is not None and page.distribution else "",
    }


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


def render_project_html(
    page: ProjectPage,
    for_pdf: bool = False,
    page_size: str = "A4",
    docs_base: str | None = None,
    depth: int = PROJECT_PAGE_DEPTH,
) -> str:
    """One project's page (packs/YYYY-MM/projects/<id>.html). `docs_base` as render_pack_html's; by default the
    metrics dictionary `depth` folders up (PROJECT_PAGE_DEPTH: output/packs/YYYY-MM/projects/)."""
    docs_base = docs_base_for(depth) if docs_base is None else docs_base
    return ENVIRONMENT.get_template("project.html.j2").render(
        page=page,
        css=pack_css(page_size),
        charts=project_charts(page, for_pdf),
        captions=project_chart_captions(page),
        kpi_rows=project_kpi_rows,
        **page_helpers(docs_base),
    )
