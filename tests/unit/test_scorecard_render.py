"""The KPI scorecard as the pack prints it (DESIGN §5a, §7): each KPI's value in its unit, its tier's target in
words, its status as a word and a shape, the last six months, how many projects met it; each project's KPI table;
the workbook's Scorecard sheet. A scoped reader never sees the portfolio row. Every number comes from the rows."""

import datetime as dt
import io
import re

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

import reports.render as render
from reports.charts import sparkline_svg
from reports.data import PackData, ProjectPage, query_rows
from reports.scorecard import (
    Scorecard,
    format_secondary,
    format_target,
    format_value,
    load_project_kpis,
    load_scorecard,
    previous_view,
)
from reports.workbook import _write_section, sections
from tests.helpers import SCORECARD_COLUMNS

OCT = dt.date(2026, 10, 1)
MILESTONES = {"kpi": "milestone_on_time_rate", "kpi_order": 1, "kpi_label": "Milestone on-time rate"}
CR_CYCLE = {"kpi": "cr_cycle_time", "kpi_order": 5, "kpi_label": "CR cycle time (business days)"}
REASON = "needs change requests decided in the register's Changes sheet"


def row(**values) -> dict:
    base = dict.fromkeys(SCORECARD_COLUMNS)
    return {**base, "month": OCT, "as_of": dt.date(2026, 10, 31), "better": "higher", "kpi_unit": "share", **values}


# The mart's unit test, as rows: P (tier 1) 9 of 10 on time = 0.90 → Met; Q (tier 2) 17 of 20 = 0.85 → Near; the
# portfolio pools 26 of 30 = 0.8667 → Near, 1 of 2 projects met. CR cycle time has no input: Not tracked.
ROWS = [
    row(
        **MILESTONES,
        value=26 / 30,
        numerator=26,
        denominator=30,
        target_met=0.9,
        target_near=0.8,
        status="Near",
        projects_met=1,
        projects_tracked=2,
        previous_value=0.8,
    ),
    row(
        **MILESTONES,
        project_id="P",
        tier=1,
        value=0.9,
        target_met=0.9,
        target_near=0.8,
        status="Met",
        previous_value=0.95,
    ),
    row(
        **MILESTONES,
        project_id="Q",
        tier=2,
        value=0.85,
        target_met=0.9,
        target_near=0.8,
        status="Near",
        previous_value=0.85,
    ),
    row(
        **CR_CYCLE,
        better="lower",
        kpi_unit="days",
        target_met=5,
        target_near=10,
        status="Not tracked",
        not_tracked_reason=REASON,
        projects_met=0,
        projects_tracked=0,
    ),
    row(
        **CR_CYCLE,
        project_id="P",
        tier=1,
        better="lower",
        kpi_unit="days",
        target_met=5,
        target_near=10,
        status="Not tracked",
        not_tracked_reason=REASON,
    ),
    row(
        **CR_CYCLE,
        project_id="Q",
        tier=2,
        better="lower",
        kpi_unit="days",
        value=4.5,
        target_met=5,
        target_near=10,
        status="Met",
    ),
]
# the portfolio's on-time rate over the five months before October (one without a value)
HISTORY = [(dt.date(2026, m, 1), v) for m, v in ((5, 0.7), (6, 0.75), (7, None), (8, 0.82), (9, 0.8))]


@pytest.fixture
def warehouse():
    conn = duckdb.connect(":memory:")
    conn.execute("create schema marts")
    conn.execute(
        "create table marts.fct_kpi_scorecard_month ("
        + ", ".join(f"{name} {kind}" for name, kind in SCORECARD_COLUMNS.items())
        + ")"
    )
    for values in ROWS + [row(**MILESTONES, month=month, value=value, status="Near") for month, value in HISTORY]:
        conn.execute(
            f"insert into marts.fct_kpi_scorecard_month ({', '.join(SCORECARD_COLUMNS)}) "
            f"values ({', '.join('?' * len(SCORECARD_COLUMNS))})",
            [values[name] for name in SCORECARD_COLUMNS],
        )
    # a month too early for October's sparkline (six months: May to October)
    conn.execute(
        "insert into marts.fct_kpi_scorecard_month (month, kpi, value) "
        "values ('2026-04-01', 'milestone_on_time_rate', 0.1)"
    )
    yield conn
    conn.close()


def pack(scorecard: Scorecard) -> PackData:
    return PackData(month=OCT, as_of=dt.date(2026, 10, 31), scorecard=scorecard)


def scorecard_section(html: str) -> str:
    return html.split('<section class="scorecard-page" id="scorecard">', 1)[1].split("</section>", 1)[0]


def kpi_row(section: str, kpi: str) -> str:
    return section.split(f'<tr data-kpi="{kpi}"', 1)[1].split("</tr>", 1)[0]


def cells(html_row: str) -> list[str]:
    """A row's cells as text: tags dropped (a sparkline's title is kept as its words)."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", html_row, flags=re.S)
    ]


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (26 / 30, "share", "86.7 %"),
        (1.0, "share", "100.0 %"),
        (-0.00597, "share", "-0.6 %"),
        (4.5, "days", "4.5 d"),
        (1.2, "ratio", "1.20×"),
        (4.1, "score", "4.1 / 5"),
        (0.2, "score_change", "+0.2"),
        (-0.3, "score_change", "-0.3"),
        (0.04, "score_change", "0.0"),
        (None, "share", "—"),
    ],
)
def test_a_value_is_printed_in_its_unit(value, unit, shown):
    assert format_value(value, unit) == shown


@pytest.mark.parametrize(
    ("better", "unit", "met", "near", "shown"),
    [
        ("higher", "share", 0.9, 0.8, "≥ 90 %; ≥ 80 %"),
        ("higher", "share", 0.95, 0.875, "≥ 95 %; ≥ 87.5 %"),
        ("lower", "share", 0.1, 0.2, "≤ 10 %; ≤ 20 %"),
        ("higher", "share", 1.0, 0.9, "100 %; ≥ 90 %"),  # nothing is above the whole
        ("lower", "days", 5, 10, "≤ 5 d; ≤ 10 d"),
        ("lower", "ratio", 1.0, 1.1, "≤ 1.0×; ≤ 1.1×"),
        ("higher", "score", 4.2, 3.8, "≥ 4.2 / 5; ≥ 3.8 / 5"),
        ("higher", "score_change", 0.0, -0.2, "≥ 0.0; ≥ -0.2"),
        ("lower", "share", None, None, "—"),
    ],
)
def test_a_target_reads_met_then_the_edge_of_near(better, unit, met, near, shown):
    assert format_target(better, unit, met, near) == shown


def test_the_move_since_last_month_reads_at_the_printed_precision():
    assert previous_view(0.9, 0.8, "share") == "▲ was 80.0 %"
    assert previous_view(0.8, 0.9, "share") == "▼ was 90.0 %"
    assert previous_view(0.80001, 0.8, "share") == "→ was 80.0 %"  # equal as printed
    assert previous_view(None, 0.8, "share") == "was 80.0 %"
    assert previous_view(0.8, None, "share") == "—"


def test_a_sparkline_is_a_small_svg_line_with_its_values_in_words():
    svg = sparkline_svg([0.7, 0.75, None, 0.82, 0.8, 26 / 30], "on time: May 70.0 %, <June> 75.0 %")
    assert svg.startswith('<svg class="sparkline"') and svg.endswith("</svg>")
    # the gap (July) splits the line: two points, then three
    assert [len(points.split()) for points in re.findall(r'points="([^"]*)"', svg)] == [2, 3]
    assert "<title>on time: May 70.0 %, &lt;June&gt; 75.0 %</title>" in svg  # the label is escaped
    assert sparkline_svg([None, 0.5, None], "one value") == ""
    assert sparkline_svg([0.5, 0.5], "flat") == sparkline_svg([0.5, 0.5], "flat")  # deterministic


def test_the_scorecard_page_shows_value_target_status_trend_and_projects_met(warehouse):
    scorecard = load_scorecard(warehouse, OCT, names={"P": "Payroll", "Q": "Quarry"})
    assert [month for month, _ in scorecard.history["milestone_on_time_rate"]] == [
        dt.date(2026, m, 1) for m in range(5, 11)
    ]  # the last six months, April left out
    html = render.render_pack_html(pack(scorecard))
    section = scorecard_section(html)
    assert section.count("<tr data-kpi=") == 2  # one row per KPI: the portfolio's
    assert '<th scope="col">Tier 1</th><th scope="col">Tier 2</th>' in section
    milestones = kpi_row(section, "milestone_on_time_rate")
    assert 'data-status="Near"' in milestones
    assert '<td class="rag rag-Amber kpi-status">Near ▲</td>' in milestones
    label, value, target, status, trend, projects, tier_1, tier_2 = cells(milestones)
    assert (label, value, target, status) == ("Milestone on-time rate", "86.7 %", "≥ 90 %; ≥ 80 %", "Near ▲")
    assert (projects, tier_1, tier_2) == ("1 of 2 projects met", "1 of 1 met", "0 of 1 met")
    assert '<svg class="sparkline"' in milestones
    assert trend == (
        "Milestone on-time rate, last 6 months: May 2026 70.0 %, Jun 2026 75.0 %, Aug 2026 82.0 %, "
        "Sep 2026 80.0 %, Oct 2026 86.7 %"
    )
    cr_cycle = kpi_row(section, "cr_cycle_time")
    assert '<td class="rag rag-Unknown kpi-status">Not tracked ◌<br>' in cr_cycle
    assert "rag-Green" not in cr_cycle
    label, value, target, status, trend, projects, tier_1, tier_2 = cells(cr_cycle)
    assert (value, target, projects) == ("—", "≤ 5 d; ≤ 10 d", "—")
    assert status == "Not tracked ◌ needs change requests decided in the register&#39;s Changes sheet"
    assert (tier_1, tier_2) == ("—", "1 of 1 met")
    # after the executive page, before the cost section
    assert html.index('id="scorecard"') < html.index('<table id="cost">')


def test_a_scoped_reader_sees_their_projects_and_no_portfolio_row(warehouse):
    scorecard = load_scorecard(warehouse, OCT, {"Q"}, names={"Q": "Quarry"})
    assert scorecard.portfolio == [] and scorecard.history == {}
    assert {r["project_id"] for r in scorecard.projects} == {"Q"}
    section = scorecard_section(render.render_pack_html(pack(scorecard)))
    assert "86.7 %" not in section and "projects met" not in section and "sparkline" not in section
    label, met_of, met, near, missed, not_tracked = cells(kpi_row(section, "milestone_on_time_rate"))
    assert (label, met_of, met, near, missed, not_tracked) == (
        "Milestone on-time rate",
        "0 of 1 met",
        "0",
        "1",
        "0",
        "0",
    )
    assert cells(kpi_row(section, "cr_cycle_time"))[1:] == ["1 of 1 met", "1", "0", "0", "0"]
    assert "Tier 1</th>" not in section

    workbook = Workbook()
    [scorecard_sheet] = [s for s in sections(scoped=True) if s.sheet == "Scorecard"]
    _write_section(
        workbook, scorecard_sheet, query_rows(warehouse, scorecard_sheet.sql, {"month": OCT, "project_ids": ["Q"]})
    )
    assert [r[1] for r in workbook["Scorecard"].iter_rows(min_row=2, values_only=True)] == ["Q", "Q"]


def test_a_project_page_lists_its_kpis_against_its_tiers_targets(warehouse):
    kpis = load_project_kpis(warehouse, OCT)
    assert sorted(kpis) == ["P", "Q"]
    # the rows as the project body's table prints them, with the reason in a cell of its own
    table = render.ENVIRONMENT.from_string(
        '{% for k in kpi_rows(kpis) %}<tr data-kpi="{{ k.kpi }}"><td>{{ k.label }}</td><td>{{ k.value }}</td>'
        "<td>{{ k.target }}</td><td>{{ k.status.word }} {{ k.status.shape }}</td><td>{{ k.previous }}</td>"
        "<td>{{ k.reason or '' }}</td></tr>{% endfor %}"
    ).render(kpis=kpis["P"], kpi_rows=render.project_kpi_rows)
    assert cells(kpi_row(table, "milestone_on_time_rate")) == [
        "Milestone on-time rate",
        "90.0 %",
        "≥ 90 %; ≥ 80 %",
        "Met ●",
        "▼ was 95.0 %",
        "",
    ]
    assert cells(kpi_row(table, "cr_cycle_time")) == [
        "CR cycle time (business days)",
        "—",
        "≤ 5 d; ≤ 10 d",
        "Not tracked ◌",
        "—",
        "needs change requests decided in the register&#39;s Changes sheet",
    ]


def test_the_project_page_shows_the_kpi_table(warehouse):
    from tests.unit.test_render import PROJECT

    project = {
        **PROJECT,
        "project_id": "Q",
        "tier": 2,
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
    page = ProjectPage(OCT, project, [], [], [], [], [], None, load_project_kpis(warehouse, OCT)["Q"])
    html = render.render_project_html(page)
    table = html.split('<table id="kpis">', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">Target, tier 2 (met; near)</th>' in table
    milestones = kpi_row(table, "milestone_on_time_rate")
    assert cells(milestones) == ["Milestone on-time rate", "85.0 %", "≥ 90 %; ≥ 80 %", "Near ▲", "→ was 85.0 %"]
    assert '<td class="rag rag-Amber">Near ▲</td>' in milestones
    assert cells(kpi_row(table, "cr_cycle_time")) == [
        "CR cycle time (business days)",
        "4.5 d",
        "≤ 5 d; ≤ 10 d",
        "Met ●",
        "—",
    ]
    # and the same page inside a scoped reader's pack
    scoped = render.render_pack_html(pack(load_scorecard(warehouse, OCT, {"Q"})), project_pages=[page])
    assert 'id="project-Q"' in scoped and '<table id="kpis">' in scoped.split('id="project-Q"', 1)[1]


def test_the_workbooks_scorecard_sheet_has_numbers_with_their_units_formats(warehouse):
    workbook = Workbook()
    workbook.remove(workbook.active)
    [scorecard_sheet] = [s for s in sections() if s.sheet == "Scorecard"]
    _write_section(workbook, scorecard_sheet, query_rows(warehouse, scorecard_sheet.sql, {"month": OCT}))
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["Scorecard"]  # as Excel reads it
    assert [c.value for c in sheet[1]] == [
        "Month",
        "Project",
        "Tier",
        "KPI",
        "Value",
        "Target met",
        "Target near",
        "Status",
        "Previous value",
        "Not tracked reason",
    ]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:J7"
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    # per KPI, the portfolio row first, then the projects
    assert [(r[1], r[3]) for r in rows] == [
        ("(portfolio)", "Milestone on-time rate"),
        ("P", "Milestone on-time rate"),
        ("Q", "Milestone on-time rate"),
        ("(portfolio)", "CR cycle time (business days)"),
        ("P", "CR cycle time (business days)"),
        ("Q", "CR cycle time (business days)"),
    ]
    portfolio = sheet[2]
    assert [c.value for c in portfolio[4:9]] == [pytest.approx(26 / 30), 0.9, 0.8, "Near", 0.8]
    assert [c.number_format for c in portfolio[4:7]] == ["0.0%", "0.0%", "0.0%"]
    assert portfolio[8].number_format == "0.0%"
    assert [c.value for c in sheet[5][4:10]] == [None, 5, 10, "Not tracked", None, REASON]
    assert sheet[7][4].value == 4.5 and sheet[7][4].number_format == '0.0" d"'
    assert sheet[3][2].value == 1 and isinstance(sheet[3][2].value, int)
    fills = {rule.formula[0] for rules in sheet.conditional_formatting for rule in rules.rules}
    assert fills == {'"Met"', '"Near"', '"Missed"', '"Not tracked"'}


def test_a_kpis_second_figure_reads_with_its_name_and_unit():
    """The catalog names what secondary_value is: UAT's pass rate is a share, overdue decisions a count, team
    friction's this quarter's mean a score; a KPI without one (or without a value) prints nothing."""
    assert format_secondary(171 / 180, "pass rate", "share") == "pass rate 95.0 %"
    assert format_secondary(1.0, "overdue decisions", "count") == "overdue decisions 1"
    assert format_secondary(4.1666, "this quarter's mean", "score") == "this quarter's mean 4.2 / 5"
    assert format_secondary(0.9333, "incidents a week", "number") == "incidents a week 0.93"
    assert format_secondary(None, "pass rate", "share") is None
    assert format_secondary(0.5, None, None) is None
