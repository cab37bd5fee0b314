"""Rendering writes atomically: a failed render leaves the previous files exactly as they were."""

import datetime as dt

import pytest

import reports.render as render
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
    render.write_pack(data("Payroll"), tmp_path)
    paths = render.pack_paths(tmp_path, dt.date(2026, 10, 1))
    html, pdf = paths["html"].read_bytes(), paths["pdf"].read_bytes()

    def broken_printer(html_text):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(render, "html_to_pdf", broken_printer)
    with pytest.raises(RuntimeError, match="printer on fire"):
        render.write_pack(data("Payroll v2"), tmp_path)
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
                "tspi",
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
    assert '<span class="rag rag-Red">1 Red</span>' in executive
    assert '<span class="rag rag-Unknown">1 Unknown</span>' in executive
    assert '<span class="rag rag-Green">0 Green</span>' in executive
    assert 'id="unverified-greens"' in executive and "Data Lake</p>" in executive
    assert '<td class="rag rag-Unknown">Unknown</td>' in project_page
    assert (
        "schedule and cost\ncannot be measured from this month's data: no plan rows for plan key DL; no spend "
        "although 4 month(s) past baseline start. The project reports Green, which the data cannot confirm."
    ) in project_page
    assert ".rag-Unknown { color: var(--muted)" in html
