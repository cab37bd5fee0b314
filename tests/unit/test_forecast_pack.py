"""Issue 30: the pack shows the Monte Carlo forecast (fct_forecast_month, fct_forecast_distribution_month) and the
status narrative (fct_status_narrative_month), with the PM's status_comment beside it, never merged into it.

One hand-made warehouse (tests.helpers.hand_made_marts), October 2026, three projects:
- PAY (Payroll): forecast ok over 12 weeks of throughput. Its distribution: 50 % of trials finish on 12 Feb 2027,
  35 % on 12 Mar, 10 % on 2 Apr, 5 % never within 10 years, so cumulatively 50 % / 85 % / 95 % -> P50 12 Feb,
  P85 12 Mar, P95 2 Apr 2027 (the mart's row says the same). Chance by baseline 0.85 -> "85 %", by go-live 0.4.
  Its P85 by month: Aug 26 Feb, Sep 5 Mar, Oct 12 Mar 2027; April's row is before the six months (May-Oct) shown.
- BIL (Billing): insufficient history (4 weeks), so no P85: "—" titled with the mart's reason.
- ARC (Archive): complete.
Every test renders for real (jinja2, matplotlib, openpyxl); none runs dbt.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import duckdb
import pytest
from openpyxl import load_workbook

from reports.data import load_pack_data, load_project_pages
from reports.email import build_message
from reports.render import project_charts, render_pack_html, render_project_html
from reports.workbook import build_workbook
from tests.helpers import hand_made_marts, insert_mart_row

OCT = dt.date(2026, 10, 1)
AS_OF = dt.date(2026, 10, 31)
D = dt.date
BIL_REASON = "only 4 weeks of throughput history (6 needed)"
PAY_COMMENT = "Vendor confirmed the interface date; we are on track."

PORTFOLIO_SENTENCES = [  # (section, sentence_no, sentence), inserted out of order on purpose
    ("next", 1, "Portfolio next: 2 go-lives in November."),
    ("changed", 2, "Portfolio changed second: CPI fell to 0.94."),
    ("changed", 1, "Portfolio changed first: 1 project turned Red."),
]
PAY_SENTENCES = [
    ("decision", 1, "Payroll decision: approve CR-7."),
    ("next", 1, "Payroll next: P85 finish 12 Mar 2027."),
    ("changed", 2, "Payroll changed second: CPI 0.91."),
    ("changed", 1, "Payroll changed first: schedule turned Amber."),
]
BIL_SENTENCES = [("changed", 1, "Billing changed: nothing moved."), ("next", 1, "Billing next: go-live 1 Dec.")]


def forecast_row(project_id: str, **values) -> dict:
    base = dict(
        month=OCT, project_id=project_id, as_of=AS_OF, method="throughput", work_unit="points", trials=10_000,
        baseline_finish=D(2027, 3, 31), go_live_date=D(2027, 2, 28),
    )  # fmt: skip
    return {**base, **values}


PAY_FORECAST = forecast_row(
    "PAY", remaining_work=120.0, history_weeks=12, p50_finish=D(2027, 2, 12), p85_finish=D(2027, 3, 12),
    p95_finish=D(2027, 4, 2), prob_by_baseline_finish=0.85, prob_by_go_live=0.4, ieac_t_finish=D(2027, 3, 20),
    forecast_status="ok",
)  # fmt: skip
BIL_FORECAST = forecast_row(
    "BIL", remaining_work=40.0, history_weeks=4, trials=0, forecast_status="insufficient history",
    status_reason=BIL_REASON,
)  # fmt: skip
ARC_FORECAST = forecast_row("ARC", remaining_work=0.0, trials=0, forecast_status="complete")


@pytest.fixture
def marts():
    conn = duckdb.connect(":memory:")
    hand_made_marts(conn)
    for project_id, name, comment in (
        ("PAY", "Payroll", PAY_COMMENT),
        ("BIL", "Billing", None),
        ("ARC", "Archive", None),
    ):
        insert_mart_row(
            conn, "fct_project_month", month=OCT, project_id=project_id, project_name=name, tier=1, as_of=AS_OF,
            reported_status="Green", rag_overall="Green", rag_schedule="Green", rag_cost="Green",
            baseline_finish=D(2027, 3, 31), go_live_date=D(2027, 2, 28), slip_days=0, watermelon=False,
            unverified_green=False, data_complete=True, status_comment=comment,
        )  # fmt: skip
        insert_mart_row(conn, "dim_project", project_id=project_id, sponsor="S", project_manager="M")
    insert_mart_row(
        conn, "fct_portfolio_month", month=OCT, as_of=AS_OF, projects_total=3, projects_red=0, projects_amber=0,
        projects_green=3, projects_unknown=0, watermelons=0, unverified_greens=0, new_reds=0,
        portfolio_cpi=0.94, portfolio_cpi_projects=3, portfolio_spi=0.91, portfolio_spi_projects=3,
        go_lives_next_month=2, eac_projects=3, eac_total=300.0, eac_bac_total=280.0, bac_total=280.0,
    )  # fmt: skip
    for row in (PAY_FORECAST, BIL_FORECAST, ARC_FORECAST):
        insert_mart_row(conn, "fct_forecast_month", **row)
    # PAY's earlier forecasts: its P85 moved from 26 Feb to 12 Mar; April is outside the six months shown
    for month, p85 in (
        (D(2026, 4, 1), D(2026, 12, 1)),
        (D(2026, 8, 1), D(2027, 2, 26)),
        (D(2026, 9, 1), D(2027, 3, 5)),
    ):
        insert_mart_row(
            conn, "fct_forecast_month", **{**PAY_FORECAST, "month": month, "p85_finish": p85, "as_of": None}
        )
    for finish, trials in ((D(2027, 2, 12), 5000), (D(2027, 3, 12), 3500), (D(2027, 4, 2), 1000), (None, 500)):
        insert_mart_row(
            conn, "fct_forecast_distribution_month", month=OCT, project_id="PAY", finish_date=finish,
            trials=trials, trials_share=trials / 10_000,
        )  # fmt: skip
    for project_id, sentences in ((None, PORTFOLIO_SENTENCES), ("PAY", PAY_SENTENCES), ("BIL", BIL_SENTENCES)):
        for section, number, sentence in sentences:
            insert_mart_row(
                conn, "fct_status_narrative_month", month=OCT, project_id=project_id, section=section,
                sentence_no=number, sentence=sentence,
            )  # fmt: skip
    yield conn
    conn.close()


def projects_row(html: str, project_id: str) -> str:
    table = html.split('<table id="projects">', 1)[1].split("</table>", 1)[0]
    return table.split(f'<tr data-project="{project_id}">', 1)[1].split("</tr>", 1)[0]


def page_of(marts, project_id: str):
    [page] = [page for page in load_project_pages(marts, OCT) if page.project["project_id"] == project_id]
    return page


def test_the_executive_table_shows_p85_and_the_chance_on_time_or_why_not(marts):
    html = render_pack_html(load_pack_data(marts, OCT))
    header = html.split('<table id="projects">', 1)[1].split("</thead>", 1)[0]
    assert ">P85 finish</a></th>" in header and ">Chance on time</a></th>" in header  # linked to the dictionary
    assert '<td class="p85-finish">12 Mar 2027</td>' in projects_row(html, "PAY")
    assert '<td class="chance-on-time">85 %</td>' in projects_row(html, "PAY")
    # insufficient history: no date, the mart's reason as the cell's title, no chance
    assert f'<td class="p85-finish" title="{BIL_REASON}">—</td>' in projects_row(html, "BIL")
    assert '<td class="chance-on-time">—</td>' in projects_row(html, "BIL")
    assert '<td class="p85-finish">complete</td>' in projects_row(html, "ARC")


def test_the_portfolio_narrative_is_the_headline_first_and_the_figures_follow(marts):
    html = render_pack_html(load_pack_data(marts, OCT))
    headline = html.split('<div class="headline" id="headline">', 1)[1].split("</div>", 1)[0]
    narrative, figures = headline.split("</p>", 1)
    assert narrative.lstrip().startswith('<p id="narrative">')
    # changed (by sentence_no), then next
    assert re.findall(r'<span class="sentence">([^<]*)</span>', narrative) == [
        "Portfolio changed first: 1 project turned Red.",
        "Portfolio changed second: CPI fell to 0.94.",
        "Portfolio next: 2 go-lives in November.",
    ]
    assert "portfolio CPI 0.94" in figures and "Payroll" not in narrative


def test_the_project_page_shows_the_narrative_in_order_and_the_pms_comment_apart(marts):
    html = render_project_html(page_of(marts, "PAY"))
    status = html.split('<div class="status" id="status">', 1)[1]
    assert "<h2>Status</h2>" in html.split('<div class="status" id="status">', 1)[0][-40:]
    narrative = status.split('<div class="narrative" id="project-narrative">', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'<span class="sentence">([^<]*)</span>', narrative) == [
        "Payroll changed first: schedule turned Amber.",
        "Payroll changed second: CPI 0.91.",
        "Payroll next: P85 finish 12 Mar 2027.",
        "Payroll decision: approve CR-7.",
    ]
    assert re.findall(r'data-section="(\w+)"', narrative) == ["changed", "next", "decision"]
    comment = status.split('<div class="pm-comment" id="pm-comment">', 1)[1].split("</div>", 1)[0]
    assert "<h3>Project manager's comment</h3>" in comment and PAY_COMMENT in comment
    assert PAY_COMMENT not in narrative and "Payroll" not in comment
    # no comment: no comment block; BIL's own sentences only
    billing = render_project_html(page_of(marts, "BIL"))
    assert 'id="pm-comment"' not in billing and "Billing changed: nothing moved." in billing
    assert "Payroll" not in billing and "Portfolio changed" not in billing


def test_the_project_page_shows_the_forecast_or_the_reason_there_is_none(marts):
    html = render_project_html(page_of(marts, "PAY"))
    table = html.split('<table id="forecast-table">', 1)[1].split("</table>", 1)[0]
    headers = [re.sub(r" \(.*", "", h) for h in re.findall(r"<th[^>]*>([^<]*)</th>", table)]
    values = re.findall(r"<td>([^<]*)</td>", table)
    assert dict(zip(headers, values)) == {
        "P50 finish": "12 Feb 2027",
        "P85 finish": "12 Mar 2027",
        "P95 finish": "02 Apr 2027",
        "Chance by baseline finish": "85 %",
        "Chance by go-live": "40 %",
        "IEAC(t) finish": "20 Mar 2027",
    }
    assert "12 weeks of throughput, 10,000 trials, 120 points remaining." in html
    billing = render_project_html(page_of(marts, "BIL"))
    assert f"No forecast (insufficient history): {BIL_REASON}. History: 4 weeks of throughput." in billing
    assert 'id="forecast-table"' not in billing and 'id="chart-forecast"' not in billing
    assert "No forecast: the project is complete." in render_project_html(page_of(marts, "ARC"))


def test_the_forecast_chart_is_an_svg_with_its_percentile_lines_and_says_its_figures(marts):
    page = page_of(marts, "PAY")
    assert [(row["month"], row["p85_finish"]) for row in page.forecast_history] == [
        (D(2026, 8, 1), D(2027, 2, 26)),
        (D(2026, 9, 1), D(2027, 3, 5)),
        (OCT, D(2027, 3, 12)),
    ]
    chart = project_charts(page)["forecast"]
    assert chart.startswith("<svg") and 'id="forecast-p85"' in chart and 'id="forecast-p50"' in chart
    title = re.search(r"<title>([^<]*)</title>", chart).group(1)
    assert "P50 12 Feb 2027, P85 12 Mar 2027, P95 02 Apr 2027" in title
    assert "Baseline finish 31 Mar 2027 (chance 85 %); go-live 28 Feb 2027 (chance 40 %)" in title
    assert "5 % of the trials do not finish within 10 years" in title
    assert "P85 finish by month: Aug 2026 26 Feb 2027; Sep 2026 05 Mar 2027; Oct 2026 12 Mar 2027." in title
    html = render_project_html(page)
    assert html.count("<figure") == html.count("</figure>") and html.count('id="chart-forecast"') == 1
    printed = project_charts(page, for_pdf=True)["forecast"]
    assert printed.startswith("<img alt=") and "P85 12 Mar 2027" in printed
    assert project_charts(page_of(marts, "BIL"))["forecast"] == ""


def test_the_workbooks_forecast_sheet_holds_the_marts_rows_of_the_readers_scope(marts):
    sheet = load_workbook(io.BytesIO(build_workbook(marts, OCT)))["Forecast"]
    rows = [dict(zip([c.value for c in sheet[1]], [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]
    assert [row["Project"] for row in rows] == ["ARC", "BIL", "PAY"]
    pay = rows[2]
    assert pay == {
        "Project": "PAY",
        "Name": "Payroll",
        "Method": "throughput",
        "History": "12 weeks of throughput",
        "Remaining work": 120.0,
        "Unit": "points",
        "P50 finish": dt.datetime(2027, 2, 12),
        "P85 finish": dt.datetime(2027, 3, 12),
        "P95 finish": dt.datetime(2027, 4, 2),
        "Chance by baseline finish": 0.85,
        "Chance by go-live": 0.4,
        "IEAC(t) finish": dt.datetime(2027, 3, 20),
        "Status": "ok",
        "Reason": None,
    }
    assert sheet.cell(4, 10).number_format == "0.0%" and sheet.cell(4, 8).number_format == "yyyy-mm-dd"
    assert (rows[1]["Status"], rows[1]["Reason"], rows[1]["P85 finish"]) == ("insufficient history", BIL_REASON, None)
    scoped = load_workbook(io.BytesIO(build_workbook(marts, OCT, {"BIL"})))["Forecast"]
    assert [row[0].value for row in scoped.iter_rows(min_row=2)] == ["BIL"]


def mail_bodies(data) -> str:
    recipient = {"recipient_email": "a@example.com", "recipient_name": "A", "recipient_scope": "x"}
    message = build_message(
        data, recipient, "pmo@example.com", [], dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), "<f@example.com>"
    )
    return "\n".join(part.get_content() for part in message.walk() if part.get_content_maintype() == "text")


def test_a_scoped_mail_carries_only_its_projects_changed_and_next_sentences(marts):
    bodies = mail_bodies(load_pack_data(marts, OCT, {"PAY"}))
    for sentence in ("Payroll changed first: schedule turned Amber.", "Payroll next: P85 finish 12 Mar 2027."):
        assert bodies.count(sentence) == 2  # the plain text and the HTML
    assert bodies.index("Payroll changed first") < bodies.index("Payroll changed second")
    assert "Payroll decision" not in bodies and "Portfolio" not in bodies and "Billing" not in bodies
    # a portfolio reader gets the portfolio's sentences, in order, and no project's
    portfolio = mail_bodies(load_pack_data(marts, OCT))
    assert portfolio.count("Portfolio changed first: 1 project turned Red. Portfolio changed second") == 2
    assert "Payroll changed" not in portfolio and "Billing changed" not in portfolio
