"""The executive page as DESIGN §7 draws it, its status strips, accessibility and print, on hand-made marts.

October 2026, four projects (grades chosen by hand):
  UP    Amber in September, Red in October: worse, "▲ was Amber"; not graded in July (no row): "·" in its strip
  DOWN  Red in September, Green in October: better, "▼ was Red"
  NEW   first graded in October: "new"
  DONE  Green both months, complete (percent complete 100 %, EV = BAC): its TCPI (-0.0001 in the mart) means nothing
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from reports.data import load_pack_data, load_project_pages
from reports.render import render_pack_html, render_project_html
from reports.templating import ratio_text
from tests.helpers import hand_made_marts, insert_mart_row

OCT = dt.date(2026, 10, 1)
SEP = dt.date(2026, 9, 1)
MONTHS = [dt.date(2026, m, 1) for m in range(5, 11)]  # May..October


def project_row(conn, month: dt.date, project_id: str, grade: str, **extra) -> None:
    if extra.get("slip_days") is not None:  # the finish chart draws baseline against forecast
        extra |= {
            "baseline_finish": dt.date(2026, 12, 1),
            "forecast_finish": dt.date(2026, 12, 1) + dt.timedelta(days=extra["slip_days"]),
        }
    insert_mart_row(
        conn,
        "fct_project_month",
        month=month,
        project_id=project_id,
        project_name=f"Project {project_id}",
        tier=1,
        reported_status="Green",
        as_of=dt.date(2026, 10, 31) if month == OCT else month,
        rag_schedule=grade,
        rag_cost=grade,
        rag_benefits="Green",
        rag_incidents="Unknown",
        rag_overall=grade,
        **extra,
    )


@pytest.fixture
def marts():
    conn = duckdb.connect()
    hand_made_marts(conn)
    up = {dt.date(2026, 5, 1): "Green", dt.date(2026, 6, 1): "Green", dt.date(2026, 8, 1): "Amber", SEP: "Amber"}
    for month, grade in up.items():
        project_row(conn, month, "UP", grade)
    project_row(conn, OCT, "UP", "Red", slip_days=3, cost_overrun_pct=0.14, bac=100.0, ev=40.0, ac=50.0)
    project_row(conn, SEP, "DOWN", "Red")
    project_row(conn, OCT, "DOWN", "Green", slip_days=-2)
    project_row(conn, OCT, "NEW", "Amber", slip_days=0)
    project_row(conn, SEP, "DONE", "Green")
    project_row(
        conn, OCT, "DONE", "Green", bac=100.0, ev=100.0, ac=110.0, percent_complete=1.0, tcpi=-0.0001, tcpi_eac=-0.0
    )
    for project_id, now, before in [("UP", "Red", "Amber"), ("DOWN", "Green", "Red"), ("NEW", "Amber", None)]:
        insert_mart_row(
            conn,
            "fct_project_change_month",
            month=OCT,
            project_id=project_id,
            rag_overall=now,
            previous_rag_overall=before,
            rag_moved=before is not None,
            is_new_red=now == "Red",
            changed_since_last_month=True,
        )
    insert_mart_row(
        conn, "fct_project_change_month", month=OCT, project_id="DONE", rag_overall="Green",
        previous_rag_overall="Green", rag_moved=False, is_new_red=False, changed_since_last_month=False,
    )  # fmt: skip
    for month, cpi, spi in [(SEP, 0.97, 0.95), (OCT, 0.94, 0.91)]:
        insert_mart_row(
            conn,
            "fct_portfolio_month",
            month=month,
            as_of=month,
            projects_total=4,
            projects_red=1,
            projects_amber=1,
            projects_green=2,
            projects_unknown=0,
            portfolio_cpi=cpi,
            portfolio_spi=spi,
            pv_total=1000.0,
            ev_total=900.0,
            ac_total=950.0,
            ev_cpi_total=900.0,
        )
    for source, used, missing, quarantined in [("finance", OCT, False, 4), ("servicenow", SEP, True, 0)]:
        insert_mart_row(
            conn, "fct_data_freshness", month=OCT, source=source, snapshot_month_used=used, is_missing=missing,
            rows_read=10, rows_loaded=10 - quarantined, rows_quarantined=quarantined, unreadable_files=0,
        )  # fmt: skip
    return conn


def row_of(html: str, project_id: str) -> str:
    return html.split(f'<tr data-project="{project_id}">', 1)[1].split("</tr>", 1)[0]


def cells(row: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_delta_column_says_worse_better_new_or_unchanged_against_last_months_grade(marts):
    html = render_pack_html(load_pack_data(marts, OCT))
    header = html.split('<table id="projects">', 1)[1].split("</thead>", 1)[0]
    assert ">Δ vs Sep</th>" in header
    delta = {pid: re.search(r'<td class="grade-change[^"]*"[^>]*>([^<]*)</td>', row_of(html, pid))[1] for pid in
             ("UP", "DOWN", "NEW", "DONE")}  # fmt: skip
    assert delta == {"UP": "▲ was Amber", "DOWN": "▼ was Red", "NEW": "new", "DONE": "="}


def test_every_grade_cell_has_its_word_and_shape_and_slips_are_signed_days(marts):
    html = render_pack_html(load_pack_data(marts, OCT))
    # Project, Name, Tier, then Reported, Schedule, Cost, Benefits, Incidents, Overall
    assert cells(row_of(html, "UP"))[3:9] == ["● Green", "■ Red", "■ Red", "● Green", "◌ Unknown", "■ Red"]
    assert cells(row_of(html, "NEW"))[3:9] == ["● Green", "▲ Amber", "▲ Amber", "● Green", "◌ Unknown", "▲ Amber"]
    slips = {pid: re.search(r'<td class="finish-slip">([^<]*)</td>', row_of(html, pid))[1] for pid in
             ("UP", "DOWN", "NEW", "DONE")}  # fmt: skip
    assert slips == {"UP": "+3 d", "DOWN": "−2 d", "NEW": "0 d", "DONE": "—"}
    assert "<td>+14.0%</td>" in row_of(html, "UP")
    # the counts from fct_portfolio_month, each with its shape
    summary = html.split('<div class="summary">', 1)[1].split("</div>", 1)[0]
    assert [" ".join(s.split()) for s in re.findall(r">([^<]+)</span>", summary)] == [
        "1 ■ Red", "1 ▲ Amber", "0 ◌ Unknown", "2 ● Green"
    ]  # fmt: skip
    # the data line under the decisions, from fct_data_freshness
    assert (
        '<p class="data-line" id="data-line">Data: finance as of October 2026 · servicenow served from September\'s'
        " extract (October's missing) · 4 rows quarantined</p>"
    ) in html.replace("&#39;", "'")


def test_the_status_strip_shows_six_months_oldest_first_a_missing_month_as_a_dot(marts):
    data = load_pack_data(marts, OCT)
    assert [row["month"] for row in data.status_history["UP"]] == MONTHS
    assert [row["rag_overall"] for row in data.status_history["UP"]] == [
        "Green", "Green", None, "Amber", "Amber", "Red"
    ]  # fmt: skip
    strip = row_of(render_pack_html(data), "UP").split('<td class="status-history">', 1)[1].split("</td>", 1)[0]
    assert 'aria-label="Overall grade, May–Oct 2026: Green, Green, not graded, Amber, Amber, Red"' in strip
    assert re.findall(r'title="([^"]*)">([^<]*)</span>', strip) == [
        ("May 2026: Green", "●"), ("Jun 2026: Green", "●"), ("Jul 2026: not graded", "·"),
        ("Aug 2026: Amber", "▲"), ("Sep 2026: Amber", "▲"), ("Oct 2026: Red", "■"),
    ]  # fmt: skip
    [page] = [p for p in load_project_pages(marts, OCT) if p.project["project_id"] == "UP"]
    assert page.status_history == data.status_history["UP"]
    assert strip in render_project_html(page)


def test_a_complete_projects_tcpi_prints_a_dash_and_ratios_never_print_nan_or_minus_zero(marts):
    [page] = [p for p in load_project_pages(marts, OCT) if p.project["project_id"] == "DONE"]
    html = render_project_html(page)
    indices = html.split('<table id="indices">', 1)[1].split("</table>", 1)[0]
    headers = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", indices)]
    values = dict(zip(headers, cells(indices)))
    assert (values["TCPI"], values["TCPI to EAC target"], values["TSPI"], values["SPI(t)"]) == ("—", "—", "—", "—")
    assert "-0.00" not in html and "nan" not in html.lower().replace("financ", "")
    assert [ratio_text(v) for v in (float("nan"), float("inf"), -0.001, None, 1.234)] == ["—", "—", "0.00", "—", "1.23"]


def test_every_header_cell_has_a_scope_and_every_chart_says_its_figures(marts):
    data = load_pack_data(marts, OCT)
    pages = load_project_pages(marts, OCT)
    html = render_pack_html(data, project_pages=pages)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert re.findall(r"<th(?![^>]*scope=)[ >]", html) == []
    caption = "CPI 0.94 and SPI 0.91 of the portfolio in October 2026, from 0.97 and 0.95 in September 2026."
    figure = html.split('<figure class="chart" id="chart-indices"', 1)[1].split("</figure>", 1)[0]
    assert f'role="img" aria-label="{caption}"' in figure and f"<figcaption>{caption}</figcaption>" in figure
    finish = html.split('id="chart-finish"', 1)[1].split("</figure>", 1)[0]
    assert (
        "<figcaption>Finish of 4 projects: 1 forecast after the baseline finish; the largest slip is Project UP,"
        " 3 days.</figcaption>" in finish
    )
    assert all("<figcaption>" in f for f in re.findall(r"<figure.*?</figure>", html, re.S))


def test_kpi_names_link_to_the_metrics_dictionary_at_each_documents_depth(marts):
    html = render_pack_html(load_pack_data(marts, OCT))
    header = html.split('<table id="projects">', 1)[1].split("</thead>", 1)[0]
    link = '<a class="kpi-link" href="../../dbt-docs/index.html#!/model/model.steerpack.fct_project_month">CPI</a>'
    assert link in header
    assert 'href="../../dbt-docs/index.html#!/model/model.steerpack.fct_forecast_month">P85 finish</a>' in header
    page = render_project_html(load_project_pages(marts, OCT)[0], docs_base="https://docs.example/index.html")
    assert 'href="https://docs.example/index.html#!/model/model.steerpack.fct_project_month">TCPI</a>' in page
    default = render_project_html(load_project_pages(marts, OCT)[0])
    assert 'href="../../../dbt-docs/index.html#!/model/model.steerpack.fct_project_month">SPI(t)</a>' in default


def test_the_page_size_is_a4_by_default_or_letter_landscape(marts):
    data = load_pack_data(marts, OCT)
    assert "size: A4 landscape;" in render_pack_html(data)
    letter = render_pack_html(data, page_size="Letter")
    assert "size: Letter landscape;" in letter and "size: A4" not in letter
    assert "size: Letter landscape;" in render_project_html(load_project_pages(marts, OCT)[0], page_size="Letter")
    with pytest.raises(ValueError, match="page_size"):
        render_pack_html(data, page_size="A3")
    assert "@media print" in letter and "table-header-group" in letter


def contrast(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio: (L1 + 0.05) / (L2 + 0.05) of the relative luminances."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_grade_colours_pass_wcag_aa_on_white():
    from reports import TEMPLATES_DIR

    css = (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--(red|amber|green|muted): (#[0-9a-f]{6})", css))
    assert set(colours) == {"red", "amber", "green", "muted"}
    assert round(contrast("#777777"), 2) == 4.48  # the formula, checked against WCAG's well-known #777 on white
    assert {name: contrast(colour) >= 4.5 for name, colour in colours.items()} == dict.fromkeys(colours, True)
    assert contrast(colours["muted"], "#eef0f2") >= 4.5  # Unknown is grey text on its grey background
