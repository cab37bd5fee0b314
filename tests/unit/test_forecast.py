"""The Monte Carlo forecasts of DESIGN §5b (pipelines/core/forecast.py), on hand-worked cases.

Every case uses as_of 2026-10-31 (the month 2026-10-01) and 10,000 trials unless it says otherwise; a duration of
n days means the finish as_of + n days.
"""

import hashlib
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from pipelines.core.forecast import (
    DISTRIBUTION_COLUMNS,
    SUMMARY_COLUMNS,
    MonteCarloOptions,
    forecast_frames,
    forecast_seed,
)

MONTH = date(2026, 10, 1)
AS_OF = date(2026, 10, 31)
SETTINGS = MonteCarloOptions()


def days(n: int) -> date:
    return AS_OF + timedelta(days=n)


def project(project_id="P1", method="throughput", remaining=50.0, complete=False, baseline=None, go_live=None, **kw):
    return dict(
        month=kw.get("month", MONTH),
        project_id=project_id,
        as_of=kw.get("as_of", AS_OF),
        method=method,
        is_complete=complete,
        remaining_work=remaining,
        baseline_finish=baseline,
        go_live_date=go_live,
    )


def history(project_id, values, month=MONTH):
    """period_no 1 is the most recent period."""
    return [dict(month=month, project_id=project_id, period_no=i, value=v) for i, v in enumerate(values, start=1)]


def run(projects, history_rows, settings=SETTINGS):
    history_frame = pd.DataFrame(history_rows, columns=["month", "project_id", "period_no", "value"])
    return forecast_frames(pd.DataFrame(projects), history_frame, settings)


def by_project(summary):
    return {row["project_id"]: row for row in summary.to_dict("records")}


def test_constant_throughput_finishes_every_trial_in_the_same_week():
    """5 items every week for 12 weeks, 50 remaining: every trial needs 50 / 5 = 10 weeks, so P50 = P85 = P95 =
    as_of + 70 days. Baseline as_of + 70: all trials are on or before it (1.0); as_of + 69: none is (0.0)."""
    summary, distribution = run(
        [project("ON", baseline=days(70)), project("LATE", baseline=days(69), go_live=days(100))],
        history("ON", [5.0] * 12) + history("LATE", [5.0] * 12),
    )
    assert list(summary.columns) == SUMMARY_COLUMNS
    on, late = by_project(summary)["ON"], by_project(summary)["LATE"]
    assert on["p50_finish"] == on["p85_finish"] == on["p95_finish"] == days(70)
    assert on["prob_by_baseline_finish"] == 1.0 and on["prob_by_go_live"] is None
    assert late["prob_by_baseline_finish"] == 0.0 and late["prob_by_go_live"] == 1.0
    assert on["forecast_status"] == "ok" and on["status_reason"] is None
    assert on["trials"] == 10_000 and on["history_periods"] == 12
    assert type(on["p50_finish"]) is date and type(on["prob_by_baseline_finish"]) is float
    # one finish date holding all 10,000 trials, per project
    assert distribution.to_dict("records") == [
        dict(month=MONTH, project_id="LATE", finish_date=days(70), trials=10_000),
        dict(month=MONTH, project_id="ON", finish_date=days(70), trials=10_000),
    ]


def test_alternating_throughput_spreads_the_finishes():
    """Weeks of 0 and 10 alternately (12 weeks), 50 remaining: a trial ends at its 5th week of 10, so the weeks
    needed N are negative binomial: P(N <= n) = P(Binomial(n, 1/2) >= 5). n = 9: 0.5 exactly (P50 is 9 or 10
    weeks by sampling noise); n = 12: 0.806 < 0.85 <= n = 13: 0.867 (P85 = 91 days); n = 15: 0.941 < 0.95 <=
    n = 16: 0.962 (P95 = 112 days). Every trial is done well before as_of + 3000 days (1.0)."""
    summary, distribution = run([project(go_live=days(3000))], history("P1", [0.0, 10.0] * 6))
    row = summary.iloc[0]
    assert row["p50_finish"] < row["p85_finish"] < row["p95_finish"]
    assert row["p50_finish"] in (days(63), days(70))
    assert row["p85_finish"] == days(91)
    assert row["p95_finish"] == days(112)
    assert row["prob_by_go_live"] == 1.0
    # a trial needing n weeks finishes on as_of + 7n days, never earlier than 5 weeks
    offsets = [(finish - AS_OF).days for finish in distribution["finish_date"]]
    assert all(offset % 7 == 0 for offset in offsets) and min(offsets) == 35


def test_fractional_points_reach_the_target_within_the_tolerance():
    """0.1 points a week, 1.0 remaining: ten weeks (70 days), although ten 0.1s sum to 0.9999999999999999 in
    floats; without the 1e-9 tolerance it would take an eleventh week."""
    summary, _ = run([project(remaining=1.0)], history("P1", [0.1] * 12))
    assert summary.iloc[0]["p95_finish"] == days(70)


@pytest.mark.parametrize(
    "values, reason",
    [
        ([5.0] * 5, "5 weeks of throughput history, 6 needed"),  # 5 counted weeks < the 6 needed
        ([0.0] * 12, "no throughput in the last 12 weeks"),  # 12 weeks, but their sum is 0
        ([], "0 weeks of throughput history, 6 needed"),
    ],
)
def test_too_little_throughput_history_gives_no_forecast(values, reason):
    summary, distribution = run([project(baseline=days(70))], history("P1", values))
    row = summary.iloc[0]
    assert row["forecast_status"] == "insufficient history" and row["status_reason"] == reason
    assert row["history_periods"] == len(values) and row["trials"] == 0
    assert row[["p50_finish", "p85_finish", "p95_finish", "prob_by_baseline_finish"]].tolist() == [None] * 4
    assert distribution.empty and list(distribution.columns) == DISTRIBUTION_COLUMNS


@pytest.mark.parametrize(
    "row",
    [
        project(complete=True, baseline=days(70)),  # is_complete, whatever the remaining work
        project(remaining=0.0, baseline=days(70)),  # nothing left in scope
        project(remaining=-2.0, baseline=days(70)),  # scope removed below what is done
        project(method="earned_schedule", remaining=60.0, complete=True, baseline=days(70)),
    ],
)
def test_a_complete_plan_has_no_forecast(row):
    values = [5.0] * 12 if row["method"] == "throughput" else [0.5, 1.0, 0.8]
    summary, distribution = run([row], history("P1", values))
    result = summary.iloc[0]
    assert result["forecast_status"] == "complete" and result["trials"] == 0
    assert result[["p50_finish", "p95_finish", "prob_by_baseline_finish", "prob_by_go_live"]].tolist() == [None] * 4
    assert distribution.empty


def test_earned_schedule_samples_one_rate_per_trial():
    """Rates 0.5, 1.0, 0.8 and 60 remaining days: durations 60 / 0.5 = 120, 60 / 1.0 = 60, 60 / 0.8 = 75, each
    drawn ~1/3 of the time. P(<= 60) ~ 1/3 < 0.5 <= P(<= 75) ~ 2/3, so P50 = 75 days; P85 = P95 = 120 days.
    By as_of + 60: ~1/3 of the trials; by as_of + 119: ~2/3."""
    summary, distribution = run(
        [project(method="earned_schedule", remaining=60.0, baseline=days(60), go_live=days(119))],
        history("P1", [0.5, 1.0, 0.8]),
    )
    row = summary.iloc[0]
    assert (row["forecast_status"], row["method"], row["history_periods"]) == ("ok", "earned_schedule", 3)
    assert (row["p50_finish"], row["p85_finish"], row["p95_finish"]) == (days(75), days(120), days(120))
    assert row["prob_by_baseline_finish"] == pytest.approx(1 / 3, abs=0.02)
    assert row["prob_by_go_live"] == pytest.approx(2 / 3, abs=0.02)
    assert distribution["finish_date"].tolist() == [days(60), days(75), days(120)]


def test_earned_schedule_durations_round_up_to_whole_days():
    """Rate 0.35 and 21 remaining days: 21 / 0.35 = 60 days (the float quotient 60.00000000000001 must not make
    61); rate 0.9 and 10 remaining: 11.1 days, rounded up to 12."""
    summary, _ = run(
        [project("A", "earned_schedule", remaining=21.0), project("B", "earned_schedule", remaining=10.0)],
        history("A", [0.35] * 3) + history("B", [0.9] * 3),
    )
    assert by_project(summary)["A"]["p95_finish"] == days(60)
    assert by_project(summary)["B"]["p95_finish"] == days(12)


def test_a_zero_rate_means_trials_that_never_finish():
    """Rates 0.0, 1.0, 0.5 and 60 remaining: durations never, 60, 120, each ~1/3. P50 = 120 days (P(<= 120) ~ 2/3
    >= 0.5); P85 and P95 need more than the ~2/3 that ever finish: None, with the reason. The never-finishing
    trials are the distribution's last row (finish_date None), and they count as not by the baseline."""
    summary, distribution = run(
        [project(method="earned_schedule", remaining=60.0, baseline=days(3000))], history("P1", [0.0, 1.0, 0.5])
    )
    row = summary.iloc[0]
    assert row["forecast_status"] == "ok"
    assert (row["p50_finish"], row["p85_finish"], row["p95_finish"]) == (days(120), None, None)
    assert row["status_reason"] == "P85 and P95 are more than 10 years away"
    assert row["prob_by_baseline_finish"] == pytest.approx(2 / 3, abs=0.02)
    assert distribution["finish_date"].iloc[-1] is None
    assert distribution["trials"].iloc[-1] == pytest.approx(10_000 / 3, abs=200)


def test_only_the_percentiles_beyond_the_horizon_are_dropped():
    """The alternating case above (P50 63 or 70, P85 91, P95 112 days) with a 98-day horizon: the trials needing
    15 weeks or more (105 days and beyond) never finish, ~9 % of them (1 - P(N <= 14) = 1 - 0.910): P50 and P85
    stay, P95 is None and named in the reason."""
    summary, _ = run([project()], history("P1", [0.0, 10.0] * 6), MonteCarloOptions(horizon_days=98))
    row = summary.iloc[0]
    assert (row["p85_finish"], row["p95_finish"]) == (days(91), None)
    assert row["status_reason"] == "P95 is more than 98 days away"


@pytest.mark.parametrize(
    "values, reason",
    [
        ([0.5, 1.0], "2 months of earned-schedule history, 3 needed"),
        ([0.0, -0.1, 0.0, 0.0], "no earned-schedule progress in the last 4 months"),
    ],
)
def test_too_little_earned_schedule_history_gives_no_forecast(values, reason):
    summary, distribution = run([project(method="earned_schedule", remaining=60.0)], history("P1", values))
    row = summary.iloc[0]
    assert (row["forecast_status"], row["status_reason"], row["trials"]) == ("insufficient history", reason, 0)
    assert distribution.empty


def test_a_trial_not_done_within_the_horizon_never_finishes():
    """Horizon 70 days, 5 a week: 50 remaining needs 10 weeks = 70 days (within, as_of + horizon is still in);
    55 remaining needs 11 weeks = 77 days: every trial never finishes, so no percentile and no probability above 0."""
    settings = MonteCarloOptions(horizon_days=70)
    summary, distribution = run(
        [project("IN", remaining=50.0), project("OUT", remaining=55.0, baseline=days(3000))],
        history("IN", [5.0] * 12) + history("OUT", [5.0] * 12),
        settings,
    )
    inside, outside = by_project(summary)["IN"], by_project(summary)["OUT"]
    assert inside["p95_finish"] == days(70) and inside["status_reason"] is None
    assert (outside["forecast_status"], outside["p50_finish"], outside["prob_by_baseline_finish"]) == ("ok", None, 0.0)
    assert outside["status_reason"] == "P50, P85 and P95 are more than 70 days away"
    assert distribution[distribution["project_id"] == "OUT"].to_dict("records") == [
        dict(month=MONTH, project_id="OUT", finish_date=None, trials=10_000)
    ]


def _portfolio():
    """Four projects of both methods over two months, one of each status."""
    projects = [
        project("A", go_live=days(120)),
        project("B", "earned_schedule", remaining=80.0, baseline=days(100)),
        project("C", remaining=10.0),
        project("A", month=date(2026, 9, 1), as_of=date(2026, 9, 30), remaining=70.0),
        project("D", complete=True),
    ]
    rows = history("A", [3.0, 0.0, 7.0, 5.0, 2.0, 9.0, 4.0, 0.0]) + history("B", [0.6, 0.9, 1.1, 0.4])
    rows += history("C", [1.0] * 4) + history("A", [3.0, 0.0, 7.0, 5.0, 2.0, 9.0], month=date(2026, 9, 1))
    return projects, rows


def test_the_same_inputs_give_the_same_frames():
    projects, rows = _portfolio()
    first, second = run(projects, rows), run(projects, rows)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])


def test_a_row_does_not_depend_on_the_other_rows_or_their_order():
    """Shuffled inputs and history give each (month, project) the same result, the summary keeps the inputs'
    order, and a project forecast alone gives what it gives in the portfolio."""
    projects, rows = _portfolio()
    summary, distribution = run(projects, rows)
    order = np.random.default_rng(7).permutation(len(projects))
    shuffled_summary, shuffled_distribution = run(
        [projects[i] for i in order], [rows[i] for i in np.random.default_rng(8).permutation(len(rows))]
    )
    assert shuffled_summary["project_id"].tolist() == [projects[i]["project_id"] for i in order]
    key = ["month", "project_id"]
    pd.testing.assert_frame_equal(
        summary.sort_values(key).reset_index(drop=True), shuffled_summary.sort_values(key).reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(distribution, shuffled_distribution)  # already sorted by month, project, date
    alone, _ = run([projects[0]], history("A", [3.0, 0.0, 7.0, 5.0, 2.0, 9.0, 4.0, 0.0]))
    assert alone.iloc[0].to_dict() == summary.iloc[0].to_dict()


def test_the_seed_comes_from_project_and_month():
    """sha256("A\\0" + "2026-10-01"), first 8 bytes little endian; a date and a Timestamp agree."""
    expected = int.from_bytes(hashlib.sha256(b"A\x002026-10-01").digest()[:8], "little")
    assert forecast_seed("A", MONTH) == forecast_seed("A", pd.Timestamp("2026-10-01")) == expected
    assert forecast_seed("A", date(2026, 9, 1)) != expected
    assert forecast_seed("B", MONTH) != expected


def test_timestamps_and_dates_give_the_same_frames():
    """The same portfolio with every date a pandas Timestamp (and NaT for the missing ones): the same frames, in
    plain dates."""
    projects, rows = _portfolio()
    date_columns = ("month", "as_of", "baseline_finish", "go_live_date")
    as_timestamps = [p | {column: pd.Timestamp(p[column]) for column in date_columns} for p in projects]
    history_rows = [r | {"month": pd.Timestamp(r["month"])} for r in rows]
    expected, expected_distribution = run(projects, rows)
    summary, distribution = run(as_timestamps, history_rows)
    pd.testing.assert_frame_equal(summary, expected)
    pd.testing.assert_frame_equal(distribution, expected_distribution)
    assert all(type(m) is date for m in summary["month"]) and all(type(m) is date for m in distribution["month"])


def test_the_distribution_sums_to_the_trials_of_each_ok_row():
    projects, rows = _portfolio()
    summary, distribution = run(projects, rows)
    assert summary["forecast_status"].tolist() == ["ok", "ok", "insufficient history", "ok", "complete"]
    ok = summary[summary["forecast_status"] == "ok"]
    counted = distribution.groupby(["month", "project_id"])["trials"].sum().to_dict()
    assert counted == {(r.month, r.project_id): r.trials for r in ok.itertuples()}
    assert all(type(d) is date for d in distribution["finish_date"])
    sort_key = [(r.month, r.project_id, r.finish_date) for r in distribution.itertuples()]
    assert sort_key == sorted(sort_key)
