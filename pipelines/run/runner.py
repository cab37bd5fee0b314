"""Run a job on the persistent Dagster instance, for one month or a range in one run, and report its progress.

The CLI and `steerpack demo` go through here, so their runs show in the Dagster UI (`steerpack ui`) exactly
like runs launched there. A range is one run (dbt once over the window), tagged with its partition range. The
instance is prepared in `instance.py`; a range whose quality gate blocks some months is split in `isolation.py`.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import dataclass

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.config import Settings
from pipelines.core.warehouse.lock import hold_until_exit
from pipelines.definitions import build_definitions
from pipelines.names import DELIVERY_KEY, MONTHLY_PACK_JOB, PACK_KEY
from pipelines.observe.failures import blocked_months, failed_steps, failure_summary
from pipelines.observe.progress import PROGRESS_EVENT
from pipelines.partitions import partition_key
from pipelines.run.instance import prepare_environment
from pipelines.run.signals import signal_name, stop_children_on_signal

# The CLI shows its own progress; Dagster's step-by-step DEBUG lines stay in the instance for the UI.
# Dagster's console would print each failed step with its stack trace; the CLI says what failed in sentences
# (failure_summary), and the full log stays in the Dagster instance for the UI.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
POLL_SECONDS = 0.3


class RunFailed(Exception):
    """A Dagster run that did not succeed; the message carries the failing step's error, and `blocked` the
    months whose quality gate failed (month -> the blocking findings as sentences), `steps` the run's other
    failed steps (`step: error`), which the quality gate does not explain."""

    def __init__(self, message: str, blocked: dict[dt.date, list[str]] | None = None, steps: list[str] = ()):
        super().__init__(message)
        self.blocked = blocked or {}
        self.steps = list(steps)


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    months: list[dt.date]


class MonthNotRunnable(ValueError):
    """A month the user asked for that this config cannot run (before `first_month`, or not over yet)."""


def check_months(months: list[dt.date], settings: Settings, partition_keys: list[str]) -> None:
    if not months:
        raise MonthNotRunnable("no month to run")
    available = set(partition_keys)
    for month in months:
        if month < settings.first_month:
            raise MonthNotRunnable(
                f"{month:%Y-%m} is before first_month {settings.first_month:%Y-%m} "
                f"({settings.config_file or 'built-in default'})"
            )
        if partition_key(month) not in available:
            raise MonthNotRunnable(
                f"{month:%Y-%m} is not a complete month yet: the latest runnable month is {partition_keys[-1][:7]}"
            )


def hold_warehouse_lock(signum: int) -> None:
    """`before_stop` of a stop signal: the warehouse lock stays held until this process exits, that is until its
    children are gone (stop_children_on_signal exits right after the last one)."""
    hold_until_exit()


def run_months(
    settings: Settings,
    months: list[dt.date],
    on_progress: Callable[[str, dt.date], None] | None = None,
    job_name: str = MONTHLY_PACK_JOB,
    extra_tags: dict[str, str] | None = None,
) -> RunOutcome:
    """Materialize `job_name` (by default the whole pack: ingest → dbt → pack → delivery) for `months` in one
    Dagster run, tagged with `extra_tags` (e.g. steerpack/send)."""
    prepare_environment(settings)  # before the definitions are built: they read the dbt manifest it ensures
    # Bound to these settings, not to whatever config the module saw when it was first imported.
    job = build_definitions(settings).resolve_job_def(job_name)
    months = sorted(months)
    check_months(months, settings, job.partitions_def.get_partition_keys())
    first, last = partition_key(months[0]), partition_key(months[-1])
    tags = {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last, **(extra_tags or {})}
    run_id = str(uuid.uuid4())
    with dg.DagsterInstance.get() as instance:
        outcome: Future[dg.ExecuteInProcessResult] = Future()
        stopped = functools.partial(_report_stopped, instance, run_id, months)

        def execute() -> None:
            outcome.set_running_or_notify_cancel()
            try:
                outcome.set_result(
                    job.execute_in_process(
                        instance=instance, tags=tags, run_id=run_id, raise_on_error=False, run_config=QUIET_CONSOLE
                    )
                )
            except BaseException as error:  # surfaced in the calling thread by outcome.result()
                outcome.set_exception(error)

        # SIGTERM/SIGINT/SIGHUP while the run is in progress: every child stopped (dbt builds in this process), the
        # run marked failed, exit 128 + signal (run_signals). The handlers live on the main thread, so around this loop.
        # A bare thread, not an executor: unwinding this block on a stop must not wait for the run to end.
        with stop_children_on_signal(on_stop=stopped, before_stop=hold_warehouse_lock):
            threading.Thread(target=execute, name=f"steerpack-run-{run_id[:8]}").start()
            cursor = None
            while not outcome.done():
                wait([outcome], timeout=POLL_SECONDS)
                if on_progress:
                    cursor = _report_progress(instance, run_id, cursor, on_progress)
        if on_progress:
            _report_progress(instance, run_id, cursor, on_progress)
        if not outcome.result().success:
            blocked = blocked_months(instance, run_id)
            steps = failed_steps(instance, run_id, besides_checks=True) if blocked else []
            raise RunFailed(failure_summary(instance, run_id), blocked, steps)
    return RunOutcome(run_id=run_id, months=months)


def _report_stopped(instance: dg.DagsterInstance, run_id: str, months: list[dt.date], signum: int) -> None:
    """After a stop signal, once the children are gone: the run FAILURE (never left STARTED), and one line."""
    span = f"{months[0]:%Y-%m}" if len(months) == 1 else f"{months[0]:%Y-%m}..{months[-1]:%Y-%m}"
    name = signal_name(signum)
    run = instance.get_run_by_id(run_id)
    if run is None:
        said = "the run had not started"
    elif run.is_finished:
        said = f"the run {run_id} had already ended ({run.status.value})"
    else:
        instance.report_run_failed(
            run, f"steerpack was stopped by {name}: its child processes were ended, and the run with them"
        )
        said = f"the run {run_id} is marked failed"
    fresh_line = "\n" if sys.stderr.isatty() else ""  # after a progress bar
    print(f"{fresh_line}steerpack: stopped by {name}; {said}, {_published(instance, run_id, span)}", file=sys.stderr)


def _published(instance: dg.DagsterInstance, run_id: str, span: str) -> str:
    """What of the run reached readers: the pack (written by its step) and email (from the delivery step on)."""
    started = {
        event.dagster_event.step_key for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)
    }
    if DELIVERY_KEY.to_python_identifier() in started:
        return f"but the delivery of {span} had begun: its delivery log says who was sent it"
    written = {
        event.dagster_event.asset_key
        for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    }
    if PACK_KEY in written:
        return f"but the pack of {span} had been written (not sent)"
    return f"nothing of {span} was published"


def _report_progress(
    instance: dg.DagsterInstance, run_id: str, cursor: str | None, on_progress: Callable[[str, dt.date], None]
) -> str | None:
    """Forward the per-month progress observations the assets logged (stage, month) since `cursor` to the
    callback; returns the cursor to ask from next time. Only new events are read: reading the run's whole log on
    each poll (every 0.3 s) cost the 18-month demo 20 s of CPU, taken from the run it reports on."""
    page = instance.get_records_for_run(run_id, cursor=cursor, of_type=dg.DagsterEventType.ASSET_OBSERVATION)
    for record in page.records:
        observation = record.event_log_entry.dagster_event.event_specific_data.asset_observation
        if observation.partition and PROGRESS_EVENT in observation.metadata:
            stage = observation.metadata[PROGRESS_EVENT].value
            on_progress(str(stage), dt.date.fromisoformat(observation.partition))
    return page.cursor
