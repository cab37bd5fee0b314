"""Render the steering pack's HTML from PackData (jinja2, autoescaped: export text never becomes markup)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2

from pipelines.core.delivery.scope import scope_project_ids
from pipelines.core.files import (
    SAFE_NAME,
    STAGING_FOLDER,
    discard,
    inside,
    publish_folder,
    safe_name,
    staging_root,
    write_atomic,
)
from reports import TEMPLATES_DIR
from reports.charts import line_chart_svg, slip_chart_svg
from reports.data import PackData, ProjectPage, load_pack_data, load_project_pages, load_recipients
from reports.fingerprint import record_path, render_record
from reports.workbook import write_workbook


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # HTML templates escape everything; plain-text templates (*.txt.j2) must not turn & into &amp;.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = lambda value: value.strftime("%d %b %Y") if value else "—"
    env.filters["month_name"] = lambda value: value.strftime("%B %Y")
    env.filters["ratio"] = lambda value: "—" if value is None else f"{value:.2f}"
    # one decimal: the graded percentages (cost_overrun_pct, schedule_slip_pct) are graded on values rounded to
    # 0.01 %, so a Green +5.0% and an Amber +5.4% must not both read "+5%" (the pack says so beside them)
    env.filters["percent"] = lambda value: "—" if value is None else f"{value:+.1%}"
    env.filters["share"] = lambda value: "—" if value is None else f"{value:.0%}"
    env.filters["money"] = lambda value: "—" if value is None else f"{value:,.0f}"
    return env


ENVIRONMENT = _environment()


ATTACHED_KINDS = ("pdf", "xlsx", "html")  # what a delivered message carries, in this order


def _pack_files(folder: Path, month: dt.date) -> dict[str, Path]:
    stem = f"steering-pack-{month:%Y-%m}"
    return {"folder": folder, **{kind: folder / f"{stem}.{kind}" for kind in ("html", "xlsx", "pdf")}}


def pack_paths(output: Path, month: dt.date) -> dict[str, Path]:
    return _pack_files(output / "packs" / month.strftime("%Y-%m"), month)


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
PARALLEL_PAGES = 40
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
    )


def html_to_pdf(html: str) -> bytes:
    """The same HTML printed by WeasyPrint: A4 landscape, page numbers and no split rows come from pack.css."""
    import weasyprint  # imported here: only rendering needs it, and it takes a moment to load

    return weasyprint.HTML(string=html).write_pdf()


def write_pack(data: PackData, output: Path) -> Path:
    """The HTML pack and its PDF, each written atomically (a failed render leaves the previous files)."""
    paths = pack_paths(output, data.month)
    write_atomic(paths["pdf"], html_to_pdf(render_pack_html(data, for_pdf=True)), output)
    return write_atomic(paths["html"], render_pack_html(data), output)


def project_page_paths(output: Path, month: dt.date, project_id: str) -> dict[str, Path]:
    """A project's page files, named by its id when that is a safe file name (the register's rule), else by a
    digest of it: an id such as `../../x` or `A/B` never names a folder."""
    folder = pack_paths(output, month)["folder"] / "projects"
    stem = safe_name(project_id)
    return {"html": folder / f"{stem}.html", "pdf": folder / f"{stem}.pdf"}


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
    }


def render_project_html(page: ProjectPage, for_pdf: bool = False) -> str:
    css = (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8")
    return ENVIRONMENT.get_template("project.html.j2").render(page=page, css=css, charts=project_charts(page, for_pdf))


def write_project_page(page: ProjectPage, output: Path, with_pdf: bool = True) -> Path:
    """The page's HTML and, with `with_pdf`, its PDF from the very same HTML: the charts are drawn once, as PNG
    (which WeasyPrint prints several times faster than SVG); a page without PDF keeps its charts as SVG."""
    paths = project_page_paths(output, page.month, page.project["project_id"])
    html = render_project_html(page, for_pdf=with_pdf)
    if with_pdf:
        write_atomic(paths["pdf"], html_to_pdf(html), output)
    return write_atomic(paths["html"], html, output)


def write_project_pages(pages: list[ProjectPage], output: Path, with_pdf: bool = True) -> list[Path]:
    """Each project's page as HTML, and as PDF when `with_pdf`. Pages are independent and the charts and PDF
    are CPU-bound, so a large portfolio renders on every core (worker processes cost a second or two to start,
    which only pays off past a few dozen pages)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(pages) < PARALLEL_PAGES or workers < 2:
        return [write_project_page(page, output, with_pdf) for page in pages]
    # spawn, not fork: the caller may be a threaded Dagster run, and a forked child would inherit its locks
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(
            pool.map(
                functools.partial(write_project_page, output=output, with_pdf=with_pdf),
                pages,
                chunksize=max(1, len(pages) // (workers * 4)),
            )
        )


def scope_key(project_ids: frozenset[str]) -> str:
    """A folder name for a scope, one per scope: its project ids joined by `+`, or a digest when that would make
    a long or odd name. `+` is never part of a safe project id, so {CRM, EU} and {CRM_EU} never share a folder
    (a shared folder would send one reader's projects to the other)."""
    joined = "+".join(sorted(project_ids))
    if len(joined) <= 60 and all(SAFE_NAME.fullmatch(project_id) for project_id in project_ids) and project_ids:
        return joined
    return "scope-" + hashlib.sha256("\n".join(sorted(project_ids)).encode()).hexdigest()[:16]


def scoped_pack_paths(output: Path, month: dt.date, project_ids: frozenset[str]) -> dict[str, Path]:
    return _pack_files(pack_paths(output, month)["folder"] / "scoped" / scope_key(project_ids), month)


def write_scoped_pack(
    conn: duckdb.DuckDBPyConnection, month: dt.date, project_ids: frozenset[str], output: Path
) -> dict[str, Path]:
    """A reader's own pack: the executive page and the project pages of `project_ids` only, in one HTML
    document, its PDF and a workbook limited to the same projects. Nothing else is read from the marts."""
    data = load_pack_data(conn, month, set(project_ids))
    pages = load_project_pages(conn, month, set(project_ids))
    title = f"Steering pack for {', '.join(sorted(project_ids))}"
    paths = scoped_pack_paths(output, month, project_ids)
    write_atomic(paths["pdf"], html_to_pdf(render_pack_html(data, title, pages, for_pdf=True)), output)
    write_workbook(conn, month, paths["xlsx"], output, set(project_ids))
    write_atomic(paths["html"], render_pack_html(data, title, pages), output)
    return paths


def month_scopes(conn: duckdb.DuckDBPyConnection, month: dt.date) -> list[frozenset[str]]:
    """The distinct project scopes of the month's recipients (portfolio readers get the portfolio pack)."""

    scopes = {scope_project_ids(recipient["recipient_scope"]) for recipient in load_recipients(conn, month)}
    return sorted((scope for scope in scopes if scope), key=sorted)


def publish_month(conn: duckdb.DuckDBPyConnection, month: dt.date, output: Path, with_pdf: bool = True) -> Path:
    """Render the whole month — the pack, its workbook, the project pages (their PDFs with `with_pdf`) and every
    recipient's scoped pack — into a staging folder, then swap it in with one rename: a failure or a kill at
    any point leaves the previous month's folder whole, and a corrected re-run never keeps a stale page.
    The folder also records the fingerprint of the marts it was rendered from (reports/fingerprint.py), which
    delivery checks before sending it."""
    staged = staging_root(output)
    try:
        rendered_from = render_record(conn, month)  # before anything is read: the render holds the warehouse lock
        write_pack(load_pack_data(conn, month), staged)
        write_workbook(conn, month, pack_paths(staged, month)["xlsx"], staged)
        write_project_pages(load_project_pages(conn, month), staged, with_pdf=with_pdf)
        if with_pdf:
            for project_ids in month_scopes(conn, month):
                write_scoped_pack(conn, month, project_ids, staged)
        write_atomic(record_path(pack_paths(staged, month)["folder"]), rendered_from, staged)
        published = pack_paths(output, month)
        publish_folder(pack_paths(staged, month)["folder"], published["folder"], output)
        discard(inside(output, draft_folder(output, month)))  # a draft of this month is out of date now
        return published["html"]
    finally:
        discard(staged)


def draft_folder(output: Path, month: dt.date) -> Path:
    """Where a blocked month's draft goes (pipelines.run.drafts renders it)."""
    return output / "drafts" / f"{month:%Y-%m}"


def discard_abandoned_staging(output: Path) -> None:
    """Staging folders a killed run left behind (only one run renders at a time: it holds the warehouse lock)."""
    discard(output / STAGING_FOLDER)
