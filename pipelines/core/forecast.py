"""Monte Carlo finish forecasts per project and month (DESIGN §5b), in numpy and pandas only.

Two choices shape the module:
- Vectorised: a portfolio is thousands of projects times 10,000 trials, so no Python loop runs per trial or per
  week. An agile project draws a block of weeks for all its still-open trials at once and finds, per trial, the
  first week whose cumulative throughput reaches the remaining work; only the few trials still open after a block
  draw another. A schedule plan draws one rate per trial, a single array operation.
- Seeded per project and month: each row's generator is seeded from sha256(project_id, month) alone, so a
  project's forecast is the same in every run, whatever the other rows are and in whatever order they come. A
  month's forecast is kept (a replan shows as a replan), so rerunning a month must never move its percentiles.

Finishes are kept as durations in days from as_of while computing, with +inf for a trial that never finishes
within the horizon; dates appear only in the output, as plain `datetime.date` objects (or None).
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

THROUGHPUT = "throughput"
EARNED_SCHEDULE = "earned_schedule"
STATUS_OK = "ok"
STATUS_INSUFFICIENT = "insufficient history"
STATUS_COMPLETE = "complete"

INPUT_COLUMNS = [
    "month",
    "project_id",
    "as_of",
    "method",
    "is_complete",
    "remaining_work",
    "baseline_finish",
    "go_live_date",
]
SUMMARY_COLUMNS = [
    "month",
    "project_id",
    "method",
    "history_periods",
    "trials",
    "p50_finish",
    "p85_finish",
    "p95_finish",
    "prob_by_baseline_finish",
    "prob_by_go_live",
    "forecast_status",
    "status_reason",
]
DISTRIBUTION_COLUMNS = ["month", "project_id", "finish_date", "trials"]
_DTYPES = {"history_periods": "int64", "trials": "int64"}  # every other output column is object

PERCENTILES = (("P50", 0.50), ("P85", 0.85), ("P95", 0.95))
# Points may be fractional: a cumulative sum of 0.1s must count as reaching 0.3.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class MonteCarloOptions:
    trials: int = 10_000
    min_history_weeks: int = 6  # agile: fewer counted weeks -> insufficient history
    min_history_months: int = 3  # schedule: fewer monthly rates -> insufficient history
    horizon_days: int = 3650  # a trial not done by as_of + horizon never finishes (its finish is None)


@dataclass(frozen=True)
class _Outcome:
    status: str
    reason: str | None = None
    durations: np.ndarray | None = None  # days from as_of per trial, +inf = never; only when status is ok


def forecast_seed(project_id: str, month: date | pd.Timestamp) -> int:
    """The first 8 bytes (little endian) of sha256("<project_id>\\0<YYYY-MM-DD>"): a date and a Timestamp of the
    same month give the same seed."""
    key = f"{project_id}\x00{_as_date(month).isoformat()}"
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "little")


def forecast_frames(
    inputs: pd.DataFrame, history: pd.DataFrame, settings: MonteCarloOptions
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, distribution): one summary row per inputs row, in the inputs' order, and the trials' finish dates
    of the 'ok' rows, counted per date and sorted by month, project_id, finish_date (None last)."""
    missing = [column for column in INPUT_COLUMNS if column not in inputs.columns]
    if missing:
        raise ValueError(f"forecast inputs lack the columns {missing}")
    history_by_row = _history_by_row(history)
    summary_rows, distribution_rows = [], []
    for row in inputs.itertuples(index=False):
        month, project_id, as_of = _as_date(row.month), str(row.project_id), _as_date(row.as_of)
        values = history_by_row.get((month, project_id), np.empty(0))
        outcome = _forecast_one(row, values, forecast_seed(project_id, month), settings)
        summary = dict(month=month, project_id=project_id, method=row.method, history_periods=int(values.size))
        summary.update(_summarise(outcome, as_of, row.baseline_finish, row.go_live_date, settings))
        summary_rows.append(summary)
        if outcome.durations is not None:
            days, counts = np.unique(outcome.durations, return_counts=True)  # +inf sorts last: never is last
            for duration, count in zip(days, counts):
                finish = _finish_date(as_of, duration)
                distribution_rows.append(dict(month=month, project_id=project_id, finish_date=finish, trials=count))
    distribution_rows.sort(
        key=lambda r: (r["month"], r["project_id"], r["finish_date"] is None, r["finish_date"] or date.min)
    )
    # Object columns keep None as None and dates as dates (a float column would turn None into NaN, which a
    # warehouse may store as NaN rather than null).
    summary = pd.DataFrame(
        {
            column: pd.Series([r[column] for r in summary_rows], dtype=_DTYPES.get(column, object))
            for column in SUMMARY_COLUMNS
        }
    )
    distribution = pd.DataFrame(
        {
            column: pd.Series([r[column] for r in distribution_rows], dtype=_DTYPES.get(column, object))
            for column in DISTRIBUTION_COLUMNS
        }
    )
    return summary, distribution


def _forecast_one(row, values: np.ndarray, seed: int, settings: MonteCarloOptions) -> _Outcome:
    """The status of one inputs row and, when it can be forecast, its trials' durations."""
    is_complete = bool(row.is_complete) if not _is_na(row.is_complete) else False
    remaining = float(row.remaining_work) if not _is_na(row.remaining_work) else math.nan
    if row.method == THROUGHPUT:
        if is_complete or remaining <= 0:
            return _Outcome(STATUS_COMPLETE, "the plan is complete" if is_complete else "no in-scope work remains")
        if math.isnan(remaining):
            return _Outcome(STATUS_INSUFFICIENT, "the remaining in-scope work is unknown")
        if values.size < settings.min_history_weeks:
            return _Outcome(
                STATUS_INSUFFICIENT,
                f"{_count(values.size, 'week')} of throughput history, {settings.min_history_weeks} needed",
            )
        if values.sum() <= 0:
            return _Outcome(STATUS_INSUFFICIENT, f"no throughput in the last {_count(values.size, 'week')}")
        rng = np.random.default_rng(seed)
        return _Outcome(STATUS_OK, durations=_throughput_durations(values, remaining, settings, rng))
    if row.method == EARNED_SCHEDULE:
        if is_complete:
            return _Outcome(STATUS_COMPLETE, "the plan is complete")
        if math.isnan(remaining):
            return _Outcome(STATUS_INSUFFICIENT, "the remaining planned duration is unknown")
        if values.size < settings.min_history_months:
            return _Outcome(
                STATUS_INSUFFICIENT,
                f"{_count(values.size, 'month')} of earned-schedule history, {settings.min_history_months} needed",
            )
        if (values <= 0).all():
            return _Outcome(
                STATUS_INSUFFICIENT, f"no earned-schedule progress in the last {_count(values.size, 'month')}"
            )
        rng = np.random.default_rng(seed)
        return _Outcome(STATUS_OK, durations=_earned_schedule_durations(values, remaining, settings, rng))
    raise ValueError(f"unknown forecast method {row.method!r} for project {row.project_id!r}")


def _throughput_durations(
    throughput: np.ndarray, remaining: float, settings: MonteCarloOptions, rng: np.random.Generator
) -> np.ndarray:
    """Each trial samples a week's throughput with replacement until the cumulative sum reaches the remaining
    work; n weeks -> 7n days. Blocks of weeks are drawn for all open trials at once."""
    max_weeks = settings.horizon_days // 7  # a trial needing more weeks finishes after the horizon: never
    weeks_needed = np.full(settings.trials, np.inf)
    # Most trials finish within the first block (a quarter more than the expected number of weeks, plus 4), so
    # a second draw concerns only the slow tail; the size comes from the inputs alone, keeping the draws seeded.
    block = math.ceil(1.25 * remaining / float(throughput.mean())) + 4
    block = max(1, min(max(block, 8), max_weeks))
    open_trials = np.arange(settings.trials)
    done_so_far = np.zeros(settings.trials)  # the work done by each open trial, aligned with open_trials
    weeks_drawn = 0
    target = remaining - TOLERANCE
    while open_trials.size and weeks_drawn < max_weeks:
        width = min(block, max_weeks - weeks_drawn)
        cumulative = throughput[rng.integers(0, throughput.size, size=(open_trials.size, width))]
        cumulative[:, 0] += done_so_far
        np.cumsum(cumulative, axis=1, out=cumulative)  # in place: the block is the largest array here
        reached = cumulative >= target
        # argmax of a boolean row is its first True (or 0 when none is): the first week reaching the target
        first_reaching = reached.argmax(axis=1)
        finished = reached[np.arange(open_trials.size), first_reaching]
        weeks_needed[open_trials[finished]] = weeks_drawn + first_reaching[finished] + 1
        done_so_far = cumulative[~finished, -1]
        open_trials = open_trials[~finished]
        weeks_drawn += width
    return weeks_needed * 7


def _earned_schedule_durations(
    rates: np.ndarray, remaining: float, settings: MonteCarloOptions, rng: np.random.Generator
) -> np.ndarray:
    """Each trial samples one monthly ES rate f: ceil(remaining / f) days when f > 0, never when f <= 0."""
    sampled = rates[rng.integers(0, rates.size, size=settings.trials)]
    progressing = sampled > 0
    days = np.full(settings.trials, np.inf)
    # The tolerance keeps ceil(21 / 0.35) at 60 days, not 61 through the float quotient 60.00000000000001.
    exact = max(remaining, 0.0) / sampled[progressing]
    days[progressing] = np.maximum(np.ceil(exact - TOLERANCE), 0.0)
    days[days > settings.horizon_days] = np.inf
    return days


def _summarise(outcome: _Outcome, as_of: date, baseline_finish, go_live_date, settings: MonteCarloOptions) -> dict:
    """The summary's forecast columns for one row."""
    if outcome.durations is None:
        return dict(
            trials=0,
            p50_finish=None,
            p85_finish=None,
            p95_finish=None,
            prob_by_baseline_finish=None,
            prob_by_go_live=None,
            forecast_status=outcome.status,
            status_reason=outcome.reason,
        )
    durations = outcome.durations
    # inverted_cdf: the smallest duration that at least q of the trials finish within (never = +inf)
    quantiles = np.quantile(durations, [q for _, q in PERCENTILES], method="inverted_cdf")
    beyond = [label for (label, _), days in zip(PERCENTILES, quantiles) if math.isinf(days)]
    reason = None
    if beyond:
        labels = beyond[0] if len(beyond) == 1 else ", ".join(beyond[:-1]) + " and " + beyond[-1]
        verb = "is" if len(beyond) == 1 else "are"
        reason = f"{labels} {verb} more than {_horizon_words(settings.horizon_days)} away"
    return dict(
        trials=int(durations.size),
        p50_finish=_finish_date(as_of, quantiles[0]),
        p85_finish=_finish_date(as_of, quantiles[1]),
        p95_finish=_finish_date(as_of, quantiles[2]),
        prob_by_baseline_finish=_probability_by(durations, as_of, baseline_finish),
        prob_by_go_live=_probability_by(durations, as_of, go_live_date),
        forecast_status=STATUS_OK,
        status_reason=reason,
    )


def _probability_by(durations: np.ndarray, as_of: date, deadline) -> float | None:
    """The share of trials finishing on or before the deadline; never-finishing trials (+inf) count as late."""
    deadline = _as_date(deadline)
    if deadline is None:
        return None
    return float(np.count_nonzero(durations <= (deadline - as_of).days) / durations.size)


def _history_by_row(history: pd.DataFrame) -> dict[tuple[date, str], np.ndarray]:
    """(month, project_id) -> the history values ordered by period_no, so the draws do not depend on row order."""
    if history is None or history.empty:
        return {}
    frame = pd.DataFrame(
        {
            "month": [_as_date(m) for m in history["month"]],
            "project_id": history["project_id"].astype(str).to_numpy(),
            "period_no": history["period_no"].astype("int64").to_numpy(),
            "value": history["value"].astype("float64").to_numpy(),
        }
    ).sort_values(["month", "project_id", "period_no"], kind="stable")
    return {
        key: group["value"].to_numpy(dtype=float) for key, group in frame.groupby(["month", "project_id"], sort=False)
    }


def _finish_date(as_of: date, days: float) -> date | None:
    return None if math.isinf(days) else as_of + timedelta(days=int(days))


def _as_date(value) -> date | None:
    """A plain date from a date, datetime, pandas Timestamp or ISO string; None for None/NaT/NaN."""
    if _is_na(value):
        return None
    if isinstance(value, datetime):  # pd.Timestamp is a datetime
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _is_na(value) -> bool:
    """None, NaT (pandas' or numpy's), pd.NA or a float NaN; pd.isna is not used because NaT is also a date."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return isinstance(value, float | np.floating) and math.isnan(value)


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _horizon_words(days: int) -> str:
    return _count(days // 365, "year") if days % 365 == 0 else _count(days, "day")
