"""The monthly schedule: on the configured day and time, in the configured timezone, run the month just ended."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import dagster as dg

from pipelines.config import Settings
from pipelines.core.delivery.plan import SEND_TAG
from pipelines.jobs import monthly_pack_job
from pipelines.partitions import partition_key


def reporting_month(moment: dt.datetime, timezone: str) -> dt.date:
    """The month a run at `moment` reports on: the calendar month before `moment`'s, in `timezone`."""
    local = moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    return (local.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def build_monthly_schedule(settings: Settings) -> dg.ScheduleDefinition:
    schedule = settings.schedule

    @dg.schedule(
        name="monthly_pack_schedule",
        job=monthly_pack_job,
        cron_schedule=schedule.cron,
        execution_timezone=schedule.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Day {schedule.day_of_month} of each month at {schedule.time} ({schedule.timezone}): "
        "ingest, check, compute, render and email the pack of the month just ended.",
    )
    def monthly_pack_schedule(context: dg.ScheduleEvaluationContext):
        moment = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
        month = reporting_month(moment, schedule.timezone)
        if month < settings.first_month:
            return dg.SkipReason(f"{month:%Y-%m} is before first_month {settings.first_month:%Y-%m}")
        key = partition_key(month)
        # The run key makes a re-evaluated tick for the same month a no-op instead of a second run.
        return dg.RunRequest(run_key=f"scheduled-{key}", partition_key=key, tags={SEND_TAG: "true"})

    return monthly_pack_schedule
