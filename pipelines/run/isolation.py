"""A range of months where a month blocked by its quality gate does not hold the others back, and its draft.

The range runs as one run (`runner.run_months`). If the gate blocks some of its months, those publish nothing
and keep their previous pack; the other months run again in runs of consecutive months, and each blocked month
gets a draft (`drafts.py`). Months are dates here; they become `YYYY-MM` only in the sentences.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable

from pipelines.config import Settings
from pipelines.core.text import printable
from pipelines.names import MONTHLY_PACK_JOB
from pipelines.run.drafts import render_draft
from pipelines.run.runner import RunFailed, RunOutcome, hold_warehouse_lock, run_months
from pipelines.run.signals import signal_name, stop_children_on_signal


class MonthsBlocked(Exception):
    """Some months of a range were blocked by their quality gate; the others were published."""

    def __init__(
        self,
        blocked: dict[dt.date, list[str]],
        published: list[dt.date],
        drafts: list[str] = (),
        failed: list[str] = (),
    ):
        self.blocked, self.published, self.failed = blocked, published, list(failed)
        lines = [
            f"{len(blocked)} month(s) blocked by the quality gate (nothing of them was published; each keeps "
            "its previous pack):"
        ]
        for month, findings in sorted(blocked.items()):
            lines += [f"{month:%Y-%m}:"] + [f"  {printable(finding)}" for finding in findings]  # one line each
        if failed:  # months that neither published nor were blocked: what failed in their runs
            lines += ["other failures (nothing of these months was published):"] + [f"  {f}" for f in failed]
        super().__init__("\n".join(lines + list(drafts)))


def run_each_month_on_its_own(
    settings: Settings,
    months: list[dt.date],
    on_progress: Callable[[str, dt.date], None] | None = None,
    job_name: str = MONTHLY_PACK_JOB,
    extra_tags: dict[str, str] | None = None,
) -> list[RunOutcome]:
    """`run_months` for a range, where a month that fails its quality gate does not hold the others back.

    The range runs as one run (dbt once over the window). If the gate blocks some of its months, those publish
    nothing and keep their previous pack, and the other months run again in runs of consecutive months. Raises
    MonthsBlocked, naming each blocked month with its findings, once the others are published."""
    months = sorted(months)
    try:
        return [run_months(settings, months, on_progress, job_name, extra_tags)]
    except RunFailed as failure:
        blocked = {month: findings for month, findings in failure.blocked.items() if month in months}
        if not blocked:
            raise
        if len(months) == 1:
            raise RunFailed(
                f"{failure}\n{_draft(settings, months[0], blocked[months[0]])}", blocked, failure.steps
            ) from None
    outcomes, failed = [], []
    for segment in consecutive_runs([m for m in months if m not in blocked]):
        try:
            outcomes.append(run_months(settings, segment, on_progress, job_name, extra_tags))
        except RunFailed as failure:
            # Every failure is named: a segment's blocked months, and whatever else failed in its run (dbt, the
            # render), with the months it kept from publishing.
            blocked.update(failure.blocked)
            span = f"{segment[0]:%Y-%m}" + (f"..{segment[-1]:%Y-%m}" if len(segment) > 1 else "")
            reasons = failure.steps if failure.blocked else str(failure).splitlines()
            failed += [f"{span}: {reason}" for reason in reasons]
    published = [month for outcome in outcomes for month in outcome.months]
    drafts = [_draft(settings, month, findings) for month, findings in sorted(blocked.items())]
    raise MonthsBlocked(blocked, published, drafts, failed)


def _draft(settings: Settings, month: dt.date, findings: list[str]) -> str:
    """Render the blocked month's draft; a sentence saying where it is (or why there is none)."""

    def stopped(signum: int) -> None:
        print(
            f"steerpack: stopped by {signal_name(signum)} while drafting {month:%Y-%m}; nothing of it was published",
            file=sys.stderr,
        )

    try:
        # A stop signal while drafting ends the draft (its dbt runs in this process); the lock is held until exit.
        with stop_children_on_signal(on_stop=stopped, before_stop=hold_warehouse_lock):
            drafted = render_draft(settings, month, findings)
        return f"a draft of {month:%Y-%m} (not published, never sent): {drafted}"
    except Exception as error:  # noqa: BLE001 - the gate's verdict stands; the draft is a courtesy
        return printable(f"no draft of {month:%Y-%m} could be rendered ({type(error).__name__}: {error})")


def consecutive_runs(months: list[dt.date]) -> list[list[dt.date]]:
    """Sorted months split where one is missing: [Jan, Feb, Apr] -> [[Jan, Feb], [Apr]]."""
    runs: list[list[dt.date]] = []
    for month in months:
        previous = runs[-1][-1] if runs else None
        if previous is not None and (previous.year * 12 + previous.month) + 1 == month.year * 12 + month.month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs
