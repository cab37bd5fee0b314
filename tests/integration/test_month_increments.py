"""This month's indices over two consecutive months through the pipeline (audit N13): `cpi_month`, `spi_month`,
`eac_drift_pct` and a milestone's forecast accuracy, read from October after September was published; and
refreshed in October when September is re-run on corrected extracts (audit N15)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from tests.helpers import materialize, query, tiny_register_sheets, write_sheets

pytestmark = pytest.mark.slow

JIRA_HEADER = (
    "Issue key,Issue id,Summary,Issue Type,Status,Status Category,Project key,Created,Resolved,"
    "Custom field (Story Points)"
)
SPEND_HEADER = "document_id,line_no,posting_date,project_code,amount,currency,supplier,description,cost_type"


def _alpha_items(done: int) -> str:
    rows = [
        f"ALP-{n},{10000 + n},Story {n},Story,"
        + ("Done,Done" if n <= done else "To Do,To Do")
        + f",ALP,01/Mar/26 9:00 AM,{'15/Sep/26 5:00 PM' if n <= 4 else '15/Oct/26 5:00 PM' if n <= done else ''},1"
        for n in range(1, 11)
    ]
    return JIRA_HEADER + "\r\n" + "\r\n".join(rows) + "\r\n"


def _register(month: dt.date, forecast: dt.date = dt.date(2026, 10, 20)) -> dict[str, list[list]]:
    sheets = copy.deepcopy(tiny_register_sheets())
    # a milestone forecast in September for 20 Oct, finished on 22 Oct
    actual = dt.date(2026, 10, 22) if month.month == 10 else None
    sheets["Milestones"].append(["ALPHA", "Cutover rehearsal", dt.date(2026, 10, 15), forecast, actual])
    return sheets


def _october(workspace, table: str) -> list[dict]:
    with_names = query(workspace, f"select * from {table} where month = '2026-10-01' order by all")
    names = [row[0] for row in query(workspace, f"select column_name from (describe {table})")]
    return [dict(zip(names, row, strict=True)) for row in with_names]


def _scorecard(workspace, project_id: str, kpi: str) -> tuple:
    [(value, status)] = query(
        workspace,
        "select value, status from marts.fct_kpi_scorecard_month "
        f"where month = '2026-10-01' and project_id = '{project_id}' and kpi = '{kpi}'",
    )
    return value, status


def test_this_months_indices_are_the_months_increments_at_one_rate(workspace, dbt_manifest):
    """ALPHA: BAC 120,000 USD, baseline 5 Jan - 18 Dec 2026 (348 days), 10 stories of 1 point.
    September: 4 done, 40,000 spent: EV 48,000, CPI 1.2, EAC 120,000 / 1.2 = 100,000; planned 269/348.
    October: 6 done, 70,000 spent: EV 72,000, EAC 120,000 x 70,000 / 72,000 = 116,666.67; planned 300/348.
    cpi_month = (72,000 - 48,000) / (70,000 - 40,000) = 0.8; spi_month = (0.6 - 0.4) / (31/348) = 2.245161;
    eac_drift_pct = (116,666.67 - 100,000) / 120,000 = 0.138889. The milestone forecast on 30 Sep for 20 Oct and
    finished on 22 Oct erred by 2 days, within max(1, 10 % of the 20 days' horizon): accurate.

    Audit N15: September re-run on corrected extracts, October not: 48,000 spent by September (not 40,000) and the
    milestone forecast for 12 Oct (not 20 Oct). September: EV 48,000 / AC 48,000, CPI 1.0, EAC 120,000. October
    keeps its own data (6 done, 70,000 spent, EAC 116,666.67) but its increments are over the new September:
    cpi_month = (72,000 - 48,000) / (70,000 - 48,000) = 24,000 / 22,000 = 1.090909; eac_drift_pct =
    |116,666.67 - 120,000| / 120,000 = 0.027778; spi_month unchanged (the fractions did not move): 2.245161.
    The milestone forecast on 30 Sep for 12 Oct and finished on 22 Oct erred by 10 days, beyond max(1, 10 % of
    the 12 days' horizon) = 1.2: not accurate. October's changes since September are over the new September too:
    slip 22 Oct - 15 Oct = 7 days against September's 12 Oct - 15 Oct = -3: +10 (was 7 - 5 = +2); cost overrun
    (116,666.67 - 120,000) / 120,000 = -0.027778 against September's 0: -0.027778 (was +0.138889). Every other
    October column as before."""
    inbox = workspace.inbox
    for month, done, lines in (
        (dt.date(2026, 9, 1), 4, ["D1,1,2026-09-05,WBS-A,40000,USD,,,"]),
        (dt.date(2026, 10, 1), 6, ["D1,1,2026-09-05,WBS-A,40000,USD,,,", "D2,1,2026-10-05,WBS-A,30000,USD,,,"]),
    ):
        drop = inbox / f"{month:%Y-%m}"
        write_sheets(drop / "register" / "portfolio.xlsx", _register(month))
        (drop / "jira").mkdir(parents=True, exist_ok=True)
        (drop / "jira" / "ALP.csv").write_text(_alpha_items(done), encoding="utf-8")
        (drop / "finance").mkdir(parents=True, exist_ok=True)
        (drop / "finance" / "spend.csv").write_text(SPEND_HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")

    materialize(workspace, "2026-09-01", through_marts=True)
    materialize(workspace, "2026-10-01", through_marts=True)

    rows = query(
        workspace,
        "select month, ev, ac, cpi, eac, cpi_month, spi_month, eac_drift_pct, rebaselined "
        "from marts.fct_project_month where project_id = 'ALPHA' order by month",
    )
    (september, october) = rows
    assert september[1:5] == pytest.approx((48_000, 40_000, 1.2, 100_000))
    assert september[5:8] == (None, None, None)  # no month before September was published
    assert october[1:5] == pytest.approx((72_000, 70_000, 72 / 70, 120_000 * 70 / 72))
    assert october[5] == pytest.approx(0.8)
    assert october[6] == pytest.approx(0.2 * 348 / 31)
    assert october[7] == pytest.approx((120_000 * 70 / 72 - 100_000) / 120_000)
    assert october[8] is False
    [(previous, error, accurate)] = query(
        workspace,
        "select previous_forecast_date, forecast_error_days, is_forecast_accurate from marts.fct_milestone_month "
        "where month = '2026-10-01' and project_id = 'ALPHA' and milestone_name = 'Cutover rehearsal'",
    )
    assert (previous, error, accurate) == (dt.date(2026, 10, 20), 2, True)

    assert _scorecard(workspace, "ALPHA", "forecast_accuracy_date") == (1.0, "Met")
    assert _scorecard(workspace, "ALPHA", "forecast_accuracy_cost")[0] == pytest.approx(
        (120_000 * 70 / 72 - 100_000) / 120_000
    )
    projects_before = _october(workspace, "marts.fct_project_month")
    milestones_before = _october(workspace, "marts.fct_milestone_month")
    changes_before = _october(workspace, "marts.fct_project_change_month")
    portfolio_before = _october(workspace, "marts.fct_portfolio_month")
    september_drop = inbox / "2026-09"
    write_sheets(september_drop / "register" / "portfolio.xlsx", _register(dt.date(2026, 9, 1), dt.date(2026, 10, 12)))
    (september_drop / "finance" / "spend.csv").write_text(
        SPEND_HEADER + "\nD1,1,2026-09-05,WBS-A,48000,USD,,,\n", encoding="utf-8"
    )
    materialize(workspace, "2026-09-01", through_marts=True)

    [september_ac, september_eac] = query(
        workspace, "select ac, eac from marts.fct_project_month where project_id = 'ALPHA' and month = '2026-09-01'"
    )[0]
    assert (september_ac, september_eac) == pytest.approx((48_000, 120_000))
    refreshed = {"cpi_month", "spi_month", "eac_drift_pct", "rebaselined"}
    projects_after = _october(workspace, "marts.fct_project_month")
    [alpha] = [row for row in projects_after if row["project_id"] == "ALPHA"]
    assert alpha["cpi_month"] == pytest.approx(24_000 / 22_000)
    assert alpha["eac_drift_pct"] == pytest.approx(abs(120_000 * 70 / 72 - 120_000) / 120_000)
    assert alpha["spi_month"] == pytest.approx(0.2 * 348 / 31)
    assert alpha["rebaselined"] is False
    assert [{k: v for k, v in row.items() if k not in refreshed} for row in projects_after] == [
        {k: v for k, v in row.items() if k not in refreshed} for row in projects_before
    ]
    milestones_after = _october(workspace, "marts.fct_milestone_month")
    [rehearsal] = [row for row in milestones_after if row["milestone_name"] == "Cutover rehearsal"]
    assert (rehearsal["previous_forecast_date"], rehearsal["forecast_error_days"]) == (dt.date(2026, 10, 12), 10)
    assert rehearsal["is_forecast_accurate"] is False
    accuracy = {"previous_forecast_date", "forecast_error_days", "is_forecast_accurate"}
    assert [{k: v for k, v in row.items() if k not in accuracy} for row in milestones_after] == [
        {k: v for k, v in row.items() if k not in accuracy} for row in milestones_before
    ]
    changes_after = _october(workspace, "marts.fct_project_change_month")
    [alpha_change] = [row for row in changes_after if row["project_id"] == "ALPHA"]
    assert alpha_change["slip_days_change"] == 10
    assert alpha_change["cost_overrun_pct_change"] == pytest.approx((120_000 * 70 / 72 - 120_000) / 120_000)
    compared = {"slip_days_change", "cost_overrun_pct_change"}
    assert [{k: v for k, v in row.items() if k not in compared} for row in changes_after] == [
        {k: v for k, v in row.items() if k not in compared} for row in changes_before
    ]
    assert _october(workspace, "marts.fct_portfolio_month") == portfolio_before
    # the scorecard's October reads the refreshed marts: its forecast accuracy, and previous values of the new
    # September, every one of them
    assert _scorecard(workspace, "ALPHA", "forecast_accuracy_date") == (0.0, "Missed")
    assert _scorecard(workspace, "ALPHA", "forecast_accuracy_cost")[0] == pytest.approx(
        abs(120_000 * 70 / 72 - 120_000) / 120_000
    )
    compared = query(
        workspace,
        "select october.kpi, october.project_id, october.previous_value, september.value "
        "from marts.fct_kpi_scorecard_month as october "
        "left join marts.fct_kpi_scorecard_month as september on september.month = '2026-09-01' "
        "and september.kpi = october.kpi and september.project_id is not distinct from october.project_id "
        "where october.month = '2026-10-01'",
    )
    assert len(compared) == 3 * 23  # ALPHA, BETA and the portfolio row, every KPI
    assert [(kpi, project, previous) for kpi, project, previous, _ in compared] == [
        (kpi, project, september) for kpi, project, _, september in compared
    ]
