"""Issue 31: the slide deck, steering-pack-YYYY-MM.pptx (reports/deck.py), read back with python-pptx.

One hand-made warehouse (tests.helpers.hand_made_marts), October 2026, three projects:
- ALPHA (Alpha Ledger, tier 1): Red overall; its CPI is NaN and its SPI missing (both print "—"), EAC vs BAC
  +14.2%, 18 days late; the PM's comment; two open RAID items, one High (shown) and one Low (not shown);
  its next milestone is "Cutover" (no actual date; "Design" is done).
- BETA (Beta Portal, tier 2): Amber; EAC vs BAC NaN and no slip: "—".
- GAMMA (Gamma Store, tier 3): Green.
The portfolio trend has August to October: CPI 0.97, 0.95, 0.94 and SPI 1.00, 0.93, 0.91. One portfolio KPI
(milestone on-time rate 66.7 % against >= 90 %, Missed) and one per project for ALPHA and BETA.
So the portfolio deck has title, executive page, trends, ALPHA, BETA, scorecard: 6 slides; ALPHA's own deck has
title, executive page, ALPHA, scorecard: 4 (no trend: a scoped reader has no portfolio trend).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import duckdb
import pytest
from pptx import Presentation

from pipelines.config import DeliverySettings, Settings
from pipelines.core import packs
from pipelines.core.delivery.send import attachments_for
from reports.data import load_pack_data, load_project_pages
from reports.deck import PROJECT_SLIDES_CAP, build_deck, deck_slide_count
from reports.templating import ratio_text, signed_days_text, signed_percent_text
from tests.helpers import hand_made_marts, insert_mart_row

OCT = dt.date(2026, 10, 1)
AS_OF = dt.date(2026, 10, 31)
NAN = float("nan")
ALPHA_COMMENT = "Vendor slipped the cutover; recovery plan agreed."
PROJECTS = [
    dict(project_id="ALPHA", project_name="Alpha Ledger", tier=1, rag_overall="Red", reported_status="Amber",
         rag_schedule="Red", rag_cost="Red", rag_benefits="Green", rag_incidents="Green", cpi=NAN, spi=None,
         cost_overrun_pct=0.142, slip_days=18, vac=-341089.0, status_comment=ALPHA_COMMENT),
    dict(project_id="BETA", project_name="Beta Portal", tier=2, rag_overall="Amber", reported_status="Green",
         rag_schedule="Amber", rag_cost="Green", rag_benefits="Green", rag_incidents="Green", cpi=1.01, spi=0.9,
         cost_overrun_pct=NAN, slip_days=None),
    dict(project_id="GAMMA", project_name="Gamma Store", tier=3, rag_overall="Green", reported_status="Green",
         rag_schedule="Green", rag_cost="Green", rag_benefits="Green", rag_incidents="Green", cpi=1.0, spi=1.0,
         cost_overrun_pct=0.0, slip_days=0),
]  # fmt: skip
TREND = [  # month, portfolio_cpi, portfolio_spi, pv_total, ev_total, ac_total
    (dt.date(2026, 8, 1), 0.97, 1.00, 100.0, 100.0, 103.0),
    (dt.date(2026, 9, 1), 0.95, 0.93, 200.0, 186.0, 196.0),
    (OCT, 0.94, 0.91, 300.0, 273.0, 290.0),
]


@pytest.fixture
def marts():
    conn = duckdb.connect(":memory:")
    hand_made_marts(conn)
    for project in PROJECTS:
        insert_mart_row(conn, "fct_project_month", month=OCT, as_of=AS_OF, watermelon=False, **project)
        insert_mart_row(conn, "dim_project", project_id=project["project_id"], sponsor="S", project_manager="M")
    for month, cpi, spi, pv, ev, ac in TREND:
        insert_mart_row(
            conn, "fct_portfolio_month", month=month, as_of=AS_OF, projects_total=3, projects_red=1,
            projects_amber=1, projects_green=1, projects_unknown=0, portfolio_cpi=cpi, portfolio_spi=spi,
            pv_total=pv, ev_total=ev, ev_cpi_total=ev, ac_total=ac,
        )  # fmt: skip
    for milestone, baseline, actual in (("Design", dt.date(2026, 6, 1), dt.date(2026, 6, 3)),
                                        ("Cutover", dt.date(2026, 11, 2), None)):  # fmt: skip
        insert_mart_row(
            conn, "fct_milestone_month", month=OCT, project_id="ALPHA", milestone_name=milestone,
            baseline_date=baseline, forecast_date=baseline + dt.timedelta(days=18), actual_date=actual,
        )  # fmt: skip
    for raid_id, severity in (("R-1", "High"), ("R-2", "Low")):
        insert_mart_row(
            conn, "fct_raid_month", month=OCT, project_id="ALPHA", raid_id=raid_id, raid_type="Risk",
            raid_title=f"Risk {raid_id}", raid_owner="Ann", severity=severity, due_date=dt.date(2026, 11, 30),
            is_open=True, needs_decision=False,
        )  # fmt: skip
    for project_id in (None, "ALPHA", "BETA"):
        insert_mart_row(
            conn, "fct_kpi_scorecard_month", month=OCT, project_id=project_id, kpi="milestone_on_time",
            kpi_order=1, kpi_label="Milestone on-time rate", better="higher", kpi_unit="share", value=0.667,
            target_met=0.9, target_near=0.8, status="Missed", projects_met=0, projects_tracked=2,
        )  # fmt: skip
    yield conn
    conn.close()


def deck_of(marts, project_ids=None):
    data = load_pack_data(marts, OCT, project_ids)
    blob = build_deck(data, load_project_pages(marts, OCT, project_ids))
    return blob, Presentation(io.BytesIO(blob))


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_the_portfolio_deck_has_the_fixed_slides_one_per_red_or_amber_project_and_the_scorecard(marts):
    _, deck = deck_of(marts)
    assert len(deck.slides) == deck_slide_count(2, with_trend=True, with_scorecard=True) == 6
    assert deck.slide_width * 9 == deck.slide_height * 16  # 16:9
    title = "\n".join(texts(deck.slides[0]))
    assert "Portfolio steering pack — October 2026" in title and "Data as of 31 Oct 2026" in title
    assert "3 projects · 1 ■ Red · 1 ▲ Amber · 1 ● Green · 0 ◌ Unknown" in title
    # Red, then Amber: ALPHA then BETA
    assert texts(deck.slides[3])[0] == "Alpha Ledger (ALPHA) · Tier 1"
    assert texts(deck.slides[4])[0] == "Beta Portal (BETA) · Tier 2"
    assert deck_slide_count(500, True, False) == 3 + PROJECT_SLIDES_CAP


def test_the_trend_slide_holds_native_charts_of_the_marts_values(marts):
    _, deck = deck_of(marts)
    charts = [shape.chart for shape in deck.slides[2].shapes if shape.has_chart]
    assert len(charts) == 2
    cpi_spi, s_curve = charts
    assert list(cpi_spi.plots[0].categories) == ["2026-08", "2026-09", "2026-10"]
    series = {s.name: list(s.values) for s in cpi_spi.series}
    assert series == {"CPI": [0.97, 0.95, 0.94], "SPI": [1.0, 0.93, 0.91]}
    assert {s.name: list(s.values) for s in s_curve.series} == {
        "PV": [100.0, 200.0, 300.0],
        "EV": [100.0, 186.0, 273.0],
        "AC": [103.0, 196.0, 290.0],
    }


def test_the_executive_table_reads_word_and_shape_in_the_grade_colour_not_green_first(marts):
    _, deck = deck_of(marts)
    [table] = [shape.table for shape in deck.slides[1].shapes if shape.has_table]
    header = [cell.text for cell in table.rows[0].cells]
    assert header[0] == "Project" and header[7] == "Overall"
    rows = [[cell.text for cell in row.cells] for row in list(table.rows)[1:]]
    assert [(row[0], row[7]) for row in rows] == [
        ("Alpha Ledger", "■ Red"),
        ("Beta Portal", "▲ Amber"),
        ("Gamma Store", "● Green"),
    ]
    assert rows[0][2] == "▲ Amber" and rows[0][8:] == ["+14.2%", "+18 d"]
    assert rows[1][8:] == ["—", "—"]  # NaN and None
    assert rows[2][8:] == ["0.0%", "0 d"]
    red_run = table.cell(1, 7).text_frame.paragraphs[0].runs[0]
    assert str(red_run.font.color.rgb) == "B3261E"
    headline = texts(deck.slides[1])[1]
    assert headline == "3 projects · 1 ■ Red · 1 ▲ Amber · 1 ● Green · 0 ◌ Unknown"  # no narrative rows


def test_a_project_slide_prints_dashes_for_nan_the_next_milestone_and_high_raid_only(marts):
    _, deck = deck_of(marts)
    body = texts(deck.slides[3])[1]
    assert "CPI — · SPI — · EAC vs BAC +14.2% · VAC -341,089" in body
    assert "Next milestone: Cutover — baseline 2 Nov 2026, forecast 20 Nov 2026" in body
    assert f"The PM's comment: “{ALPHA_COMMENT}”" in body
    assert "R-1 Risk (High)" in body and "R-2" not in body
    assert "nan" not in body.lower() and "-0.00" not in body


def test_the_scorecard_slide_lists_each_kpi_with_its_status(marts):
    _, deck = deck_of(marts)
    [table] = [shape.table for shape in deck.slides[5].shapes if shape.has_table]
    assert [cell.text for cell in table.rows[1].cells] == ["Milestone on-time rate", "66.7 %", "≥ 90 %; ≥ 80 %"] + [
        "■ Missed"
    ]


def test_a_scoped_deck_names_no_other_project_anywhere(marts):
    blob, deck = deck_of(marts, {"ALPHA"})
    assert len(deck.slides) == deck_slide_count(1, with_trend=False, with_scorecard=True) == 4
    package = zipfile.ZipFile(io.BytesIO(blob))
    xml = "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())
    assert "Alpha Ledger" in xml and "For ALPHA" in xml
    for other in ("BETA", "Beta Portal", "GAMMA", "Gamma Store"):
        assert other not in xml


def test_the_same_marts_give_the_same_bytes(marts):
    first, _ = deck_of(marts)
    second, _ = deck_of(marts)
    assert first == second
    package = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in package.infolist()} == {(2026, 10, 1, 0, 0, 0)}
    # the charts' embedded workbooks carry the month too, not the time they were written
    [workbook, *_] = [name for name in package.namelist() if name.endswith(".xlsx")]
    core = zipfile.ZipFile(io.BytesIO(package.read(workbook))).read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:created[^>]*>([^<]*)<", core) == ["2026-10-01T00:00:00Z"]


def test_numbers_that_mean_nothing_print_a_dash():
    assert [ratio_text(v) for v in (None, NAN, float("inf"), -0.001, 0.946)] == ["—", "—", "—", "0.00", "0.95"]
    assert [signed_percent_text(v) for v in (None, NAN, -0.0001, 0.142)] == ["—", "—", "0.0%", "+14.2%"]
    assert [signed_days_text(v) for v in (None, NAN, 0, -9)] == ["—", "—", "0 d", "−9 d"]  # a minus sign


def test_each_role_gets_the_kinds_its_settings_name_in_their_order(tmp_path):
    paths = packs.pack_paths(tmp_path, OCT)
    paths["folder"].mkdir(parents=True)
    for kind in packs.ATTACHED_KINDS:
        paths[kind].write_text(kind)
    settings = Settings(output=tmp_path, delivery=DeliverySettings(attachments_by_role={"Sponsor": ["pptx", "pdf"]}))
    chosen = attachments_for(None, settings, OCT, None, {}, "sponsor")
    assert [path.name for path in chosen] == ["steering-pack-2026-10.pptx", "steering-pack-2026-10.pdf"]
    everything = attachments_for(None, settings, OCT, None, {}, "PMO analyst")
    assert [path.suffix for path in everything] == [".pdf", ".xlsx", ".pptx", ".html"]
