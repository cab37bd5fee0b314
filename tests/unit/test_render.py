"""Rendering writes atomically: a failed render leaves the previous files exactly as they were."""

import datetime as dt
import re

import pytest

import reports.render as render
from pipelines.core import packs
from reports.data import PackData

PROJECT = {
    "project_id": "P1",
    "project_name": "Payroll",
    "tier": 1,
    "reported_status": "Green",
    "rag_schedule": "Green",
    "rag_cost": "Red",
    "rag_benefits": "Green",
    "rag_incidents": None,
    "rag_overall": "Red",
    "watermelon": True,
    "cpi": 0.8,
    "spi": 1.0,
    "cost_overrun_pct": 0.25,
    "schedule_slip_pct": 0.0,
    "slip_days": 0,
    "go_live_actual": None,
    "go_live_planned": dt.date(2026, 12, 1),
    "go_live_date": dt.date(2026, 12, 1),
    "sponsor": "S",
    "bac": 100.0,
    "ac": 50.0,
    "eac": 125.0,
    "vac": -25.0,
    "baseline_finish": dt.date(2026, 12, 31),
    "forecast_finish": dt.date(2026, 12, 31),
    "milestones_due": 1,
    "milestones_on_time": 1,
    "readiness_score": 1.0,
    "benefits_ready": True,
}


def data(name: str) -> PackData:
    return PackData(
        month=dt.date(2026, 10, 1), as_of=dt.date(2026, 10, 31), projects=[{**PROJECT, "project_name": name}]
    )


def test_the_same_data_renders_the_same_bytes():
    assert render.render_pack_html(data("Payroll")) == render.render_pack_html(data("Payroll"))


def test_a_failed_render_leaves_the_previous_pack_untouched(tmp_path, monkeypatch):
    packs.write_pack(data("Payroll"), tmp_path)
    paths = packs.pack_paths(tmp_path, dt.date(2026, 10, 1))
    html, pdf = paths["html"].read_bytes(), paths["pdf"].read_bytes()

    def broken_printer(html_text):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(packs, "html_to_pdf", broken_printer)
    with pytest.raises(RuntimeError, match="printer on fire"):
        packs.write_pack(data("Payroll v2"), tmp_path)
    assert paths["html"].read_bytes() == html and paths["pdf"].read_bytes() == pdf
    assert b"Payroll v2" not in paths["html"].read_bytes()
    assert sorted(p.name for p in paths["folder"].iterdir()) == [
        "steering-pack-2026-10.html",
        "steering-pack-2026-10.pdf",
    ]  # no temp files


def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    from pipelines.core import files

    target = files.write_atomic(tmp_path / "packs" / "pack.html", "old", tmp_path)

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        files.write_atomic(target, "new", tmp_path)
    assert target.read_text() == "old"
    assert [p.name for p in target.parent.iterdir()] == ["pack.html"]


def test_a_large_portfolio_prints_the_projects_that_are_not_green_and_says_where_the_others_are():
    grades = ["Green", "Amber", "Red", "Green", "Green"]
    projects = [
        {
            **PROJECT,
            "project_id": f"P{n:03}",
            "project_name": f"Project {n:03}",
            "watermelon": False,
            "rag_overall": grades[n % 5],
        }
        for n in range(render.PRINTED_PROJECTS_LIMIT + 5)
    ]  # 205: 123 Green
    incidents = [
        {
            "project_id": "P001",
            "project_name": "Project 001",
            "go_live_actual": dt.date(2026, 9, 1),
            "incidents_total": 4,
            "p1_count": 1,
            "p2_count": 0,
            "open_count": 1,
            "mttr_hours": 2.0,
            "incidents_per_week": 1.0,
            "baseline_per_week": 0.5,
            "is_in_window": True,
        },
        {
            **PROJECT,
            "project_id": "P000",
            "project_name": "Project 000",
            "go_live_actual": dt.date(2026, 9, 1),
            "incidents_total": 9,
            "p1_count": 0,
            "p2_count": 0,
            "open_count": 0,
            "mttr_hours": 1.0,
            "incidents_per_week": 2.0,
            "baseline_per_week": 2.0,
            "is_in_window": True,
        },
    ]
    pack = PackData(month=dt.date(2026, 10, 1), as_of=dt.date(2026, 10, 31), projects=projects, incidents=incidents)
    printed = render.render_pack_html(pack, for_pdf=True)
    on_screen = render.render_pack_html(pack)
    # four per-project tables (projects, cost, schedule, benefits): 82 rows each on paper, 205 on screen
    assert printed.count('<tr data-project="P001"') == 1 and printed.count('<tr data-project="P000"') == 0
    assert printed.count("<td>Project 002</td>") == 4 and "<td>Project 003</td>" not in printed
    assert on_screen.count("<td>Project 003</td>") == 4
    assert "lists the 82 projects not rated Green overall. The other 123, all Green" in printed
    assert "not rated Green overall" not in on_screen
    assert (
        "Project 001" in printed.split('id="incidents"')[1] and "Project 000" not in printed.split('id="incidents"')[1]
    )
    assert "Project 000" in on_screen.split('id="incidents"')[1]


def test_unknown_is_grey_with_its_reason_and_an_unverified_green_is_named():
    """No data is not Green: the project page says which dimension cannot be measured and why, the executive page
    counts Unknown apart and names the project reported Green that the data cannot confirm."""
    from reports.data import ProjectPage

    unmeasured = {
        **PROJECT,
        "project_id": "P2",
        "project_name": "Data Lake",
        "rag_schedule": "Unknown",
        "rag_cost": "Unknown",
        "rag_overall": "Unknown",
        "watermelon": False,
        "unverified_green": True,
        "cpi": None,
        "eac": None,
        "data_complete": False,
        "data_gaps": "no plan rows for plan key DL; no spend although 4 month(s) past baseline start",
        **dict.fromkeys(
            [
                "phase",
                "project_manager",
                "as_of",
                "pv",
                "ev",
                "at_days",
                "cpi_month",
                "eac_cpi_spi",
                "es_days",
                "ieac_t_finish",
                "percent_complete",
                "percent_spent",
                "spi_month",
                "spi_t",
                "tcpi",
                "tcpi_eac",
                "tspi",
                "ac_historical_base",
            ]
        ),
    }
    pack = PackData(
        month=dt.date(2026, 10, 1),
        as_of=dt.date(2026, 10, 31),
        projects=[PROJECT, unmeasured],
        status_counts={"Red": 1, "Amber": 0, "Unknown": 1, "Green": 0},
    )
    page = ProjectPage(
        month=dt.date(2026, 10, 1),
        project=unmeasured,
        history=[],
        milestones=[],
        raid=[],
        changes=[],
        benefits=[],
        incidents=None,
    )
    html = render.render_pack_html(pack, project_pages=[page])
    executive, project_page = html.split('id="project-P2"', 1)
    assert '<span class="rag rag-Red">1 ■ Red</span>' in executive
    assert '<span class="rag rag-Unknown">1 ◌ Unknown</span>' in executive
    assert '<span class="rag rag-Green">0 ● Green</span>' in executive
    assert 'id="unverified-greens"' in executive and "Data Lake</p>" in executive
    assert '<td class="rag rag-Unknown">◌ Unknown</td>' in project_page
    assert (
        "schedule and cost\ncannot be measured from this month's data: no plan rows for plan key DL; no spend "
        "although 4 month(s) past baseline start. The project reports Green, which the data cannot confirm."
    ) in project_page
    assert ".rag-Unknown { color: var(--muted)" in html


def test_graded_percentages_show_one_decimal_so_a_green_and_an_amber_differ():
    """Tier 1, amber above 5 %: an overrun of 5.00 % is Green and one of 5.4 % Amber; shown to no decimal both read
    "+5%". The schedule table shows the graded slip percentage the same way, in its grade's colour."""
    green = {**PROJECT, "project_id": "G", "project_name": "Green one", "rag_cost": "Green", "cost_overrun_pct": 0.05}
    amber = {
        **PROJECT,
        "project_id": "A",
        "project_name": "Amber one",
        "rag_cost": "Amber",
        "cost_overrun_pct": 0.054,
        "rag_schedule": "Amber",
        "schedule_slip_pct": 0.054,
    }
    html = render.render_pack_html(
        PackData(month=dt.date(2026, 10, 1), as_of=dt.date(2026, 10, 31), projects=[green, amber])
    )
    cost = html.split('<table id="cost">')[1].split("</table>")[0]
    assert '<td class="rag rag-Green">+5.0%</td>' in cost and '<td class="rag rag-Amber">+5.4%</td>' in cost
    schedule = html.split('<table id="schedule">')[1].split("</table>")[0]
    assert '<td class="rag rag-Amber">+5.4%</td>' in schedule and '<td class="rag rag-Green">0.0%</td>' in schedule
    assert "rounded to 0.01 %" in html.split('id="grading-note"')[1]


def test_the_quality_findings_table_is_shown_once_after_the_freshness_table():
    """Three sources and one failed check: one findings table, after the freshness table, not one in each row."""
    freshness = [
        {
            "source": name,
            "snapshot_month_used": dt.date(2026, 10, 1),
            "is_missing": False,
            "rows_read": 10,
            "rows_loaded": 10,
            "rows_quarantined": 0,
            "unreadable_files": 0,
        }
        for name in ("finance", "jira", "register")
    ]
    finding = {"table_name": "spend", "rule_name": "amount_finite", "severity": "warn", "failed_rows": 2}
    pack = PackData(
        month=dt.date(2026, 10, 1),
        as_of=dt.date(2026, 10, 31),
        projects=[PROJECT],
        freshness=freshness,
        quality_findings=[{**finding, "rule_description": "amounts are finite"}],
    )
    html = render.render_pack_html(pack)
    assert html.count('<table id="quality-findings">') == 1
    freshness_table = html.split('<table id="freshness">')[1].split("</table>")[0]
    assert "quality-findings" not in freshness_table and freshness_table.count("<tr>") == 4  # header and 3 sources
    assert html.index('<table id="quality-findings">') > html.index('<table id="freshness">')


def test_the_s_curve_draws_the_marts_matched_totals_as_they_are(monkeypatch):
    """fct_portfolio_month totals PV and EV over portfolio_spi's projects and AC over portfolio_cpi's. When the EV
    that AC is set against differs (October: a project with EV and PV but no spend yet), the chart draws both EVs,
    each named by its set, so EV / AC reads 1.25 = CPI and EV / PV 0.94 = SPI; otherwise the three lines."""
    drawn = {}
    monkeypatch.setattr(render, "line_chart_svg", lambda title, y_label, series, **_: drawn.setdefault(title, series))
    sep, oct_ = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
    trend = [
        {
            "month": sep,
            "portfolio_cpi": 1.0,
            "portfolio_spi": 1.0,
            "pv_total": 50.0,
            "ev_total": 50.0,
            "ac_total": 50.0,
            "ev_cpi_total": 50.0,
        },
        {
            "month": oct_,
            "portfolio_cpi": 1.25,
            "portfolio_spi": 160 / 170,
            "pv_total": 170.0,
            "ev_total": 160.0,
            "ac_total": 80.0,
            "ev_cpi_total": 100.0,
        },
    ]
    render.pack_charts(PackData(month=oct_, as_of=dt.date(2026, 10, 31), trend=trend))
    assert drawn["Portfolio S-curve"] == {
        "PV": [(sep, 50.0), (oct_, 170.0)],
        "EV (SPI's projects)": [(sep, 50.0), (oct_, 160.0)],
        "EV (CPI's projects)": [(sep, 50.0), (oct_, 100.0)],
        "AC": [(sep, 50.0), (oct_, 80.0)],
    }
    drawn.clear()
    render.pack_charts(PackData(month=sep, as_of=dt.date(2026, 9, 30), trend=trend[:1]))
    assert drawn["Portfolio S-curve"] == {"PV": [(sep, 50.0)], "EV": [(sep, 50.0)], "AC": [(sep, 50.0)]}


def test_the_finish_chart_is_coloured_by_the_schedule_grade(monkeypatch):
    """A tier-3 project 3 days late is Green on schedule; a project on its baseline finish with late milestones is
    Red: the finish chart passes each project's rag_schedule, it has no slip rule of its own."""
    drawn = {}
    monkeypatch.setattr(render, "slip_chart_svg", lambda title, rows, **_: drawn.setdefault("rows", rows))
    late = {
        **PROJECT,
        "project_id": "L",
        "project_name": "Late",
        "rag_schedule": "Green",
        "forecast_finish": dt.date(2027, 1, 3),
        "slip_days": 3,
    }
    on_time = {**PROJECT, "project_id": "O", "project_name": "On time", "rag_schedule": "Red"}
    render.pack_charts(PackData(month=dt.date(2026, 10, 1), as_of=dt.date(2026, 10, 31), projects=[late, on_time]))
    assert [(row[0], row[-1]) for row in drawn["rows"]] == [("Late", "Green"), ("On time", "Red")]


def test_a_projects_milestone_chart_is_coloured_by_the_marts_on_time_verdict(monkeypatch):
    """fct_milestone_month.is_on_time: 2 days late inside a 3-day tolerance is on time (Green, where any slip used
    to draw red); due and not achieved is late (Red); not yet due has no verdict (neutral)."""
    from reports.data import ProjectPage

    drawn = {}
    monkeypatch.setattr(render, "slip_chart_svg", lambda title, rows, **_: drawn.setdefault(title, rows))
    monkeypatch.setattr(render, "line_chart_svg", lambda *args, **kwargs: "")
    milestones = [
        {
            "milestone_name": "Tolerated",
            "baseline_date": dt.date(2026, 9, 1),
            "forecast_date": dt.date(2026, 9, 3),
            "actual_date": dt.date(2026, 9, 3),
            "is_due": True,
            "is_on_time": True,
        },
        {
            "milestone_name": "Missed",
            "baseline_date": dt.date(2026, 10, 1),
            "forecast_date": dt.date(2026, 11, 1),
            "actual_date": None,
            "is_due": True,
            "is_on_time": False,
        },
        {
            "milestone_name": "Ahead",
            "baseline_date": dt.date(2026, 12, 1),
            "forecast_date": dt.date(2026, 12, 20),
            "actual_date": None,
            "is_due": False,
            "is_on_time": False,
        },
    ]
    page = ProjectPage(
        month=dt.date(2026, 10, 1),
        project=PROJECT,
        history=[],
        milestones=milestones,
        raid=[],
        changes=[],
        benefits=[],
        incidents=None,
    )
    render.project_charts(page)
    rows = drawn["Milestones: baseline, forecast, actual"]
    assert [(row[0], row[-1]) for row in rows] == [("Tolerated", "Green"), ("Missed", "Red"), ("Ahead", None)]


def test_the_project_page_and_workbook_show_tcpi_to_the_eac_target_and_ac_at_historical_rates():
    """fct_project_month.tcpi_eac (against the PM's EAC or the CR-revised budget) and ac_historical_base (each spend
    line at its posting month's rate) are shown beside TCPI and AC, on the project page and in the workbook."""
    from openpyxl import Workbook

    from reports.data import ProjectPage
    from reports.workbook import _write_section, sections

    project = {
        **PROJECT,
        "phase": "Build",
        "project_manager": "M",
        "as_of": dt.date(2026, 10, 31),
        "pv": 60.0,
        "ev": 40.0,
        "ac": 50.0,
        "ac_historical_base": 47_500.0,
        "at_days": 100,
        "cpi_month": None,
        "eac_cpi_spi": 130.0,
        "es_days": 90.0,
        "ieac_t_finish": None,
        "percent_complete": 0.4,
        "percent_spent": 0.5,
        "spi": 0.6667,
        "spi_month": None,
        "spi_t": 0.9,
        "tcpi": 1.2,
        "tcpi_eac": 0.8571,
        "tspi": 1.05,
    }
    page = ProjectPage(
        month=dt.date(2026, 10, 1),
        project=project,
        history=[],
        milestones=[],
        raid=[],
        changes=[],
        benefits=[],
        incidents=None,
    )
    html = render.render_pack_html(
        PackData(month=dt.date(2026, 10, 1), as_of=dt.date(2026, 10, 31), projects=[project]), project_pages=[page]
    )
    project_page = html.split('id="project-P1"', 1)[1]
    evm = project_page.split('<table id="evm">')[1].split("</table>")[0]
    headers = re.findall(r"<th(?: [^>]*)?>(?:<a [^>]*>)?([^<]*)", evm)
    values = re.findall(r"<td>([^<]*)</td>", evm)
    assert dict(zip(headers, values))["AC"] == "50"
    assert dict(zip(headers, values))["AC at historical FX"] == "47,500"
    indices = project_page.split('<table id="indices">')[1].split("</table>")[0]
    headers = re.findall(r"<th(?: [^>]*)?>(?:<a [^>]*>)?([^<]*)", indices)
    values = re.findall(r"<td>([^<]*)</td>", indices)
    assert dict(zip(headers, values))["TCPI"] == "1.20"
    assert dict(zip(headers, values))["TCPI to EAC target"] == "0.86"

    workbook = Workbook()
    projects = next(section for section in sections() if section.sheet == "Projects")
    row = {column.name: project.get(column.name) for column in projects.columns}
    _write_section(workbook, projects, [row])
    sheet = workbook["Projects"]
    written = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]]))
    assert (written["AC"], written["AC at historical FX"]) == (50.0, 47_500.0)
    assert (written["TCPI"], written["TCPI to EAC target"]) == (1.2, 0.8571)
