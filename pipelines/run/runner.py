"""Run the monthly pack job on the persistent Dagster instance, for one month or a range in one run.

The CLI and `steerpack demo` go through here, so their runs show in the Dagster UI (`steerpack ui`) exactly
like runs launched there. A range is one run (dbt once over the window), tagged with its partition range.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import os
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import yaml
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.config import CONFIG_ENV_VAR, Settings
from pipelines.core.text import printable
from pipelines.core.warehouse import lock as warehouse_lock
from pipelines.core.warehouse.lock import WAREHOUSE_POOL
from pipelines.dbt_project import ensure_manifest
from pipelines.jobs import deliver_pack_job, monthly_pack_job
from pipelines.partitions import partition_key
from pipelines.run.failures import blocked_months, failed_steps, failure_summary
from pipelines.run.progress import PROGRESS_EVENT
from pipelines.run.signals import signal_name, stop_children_on_signal

JOB_NAME = monthly_pack_job.name
DELIVER_JOB_NAME = deliver_pack_job.name
# Runs the daemon launches (schedule, sensor, UI) queue on the warehouse pool: at most one run holding any
# of its assets is in progress at a time. CLI runs bypass the queue and wait on the warehouse lock instead.
INSTANCE_DEFAULTS = {
    "telemetry": {"enabled": False},
    "concurrency": {"pools": {"granularity": "run", "default_limit": 1}},
}
# The CLI shows its own progress; Dagster's step-by-step DEBUG lines stay in the instance for the UI.
# Dagster's console would print each failed step with its stack trace; the CLI says what failed in sentences
# (failure_summary), and the full log stays in the Dagster instance for the UI.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class RunFailed(Exception):
    """A Dagster run that did not succeed; the message carries the failing step's error, and `blocked` the
    months whose quality gate failed (YYYY-MM -> the blocking findings as sentences), `steps` the run's other
    failed steps (`step: error`), which the quality gate does not explain."""

    def __init__(self, message: str, blocked: dict[str, list[str]] | None = None, steps: list[str] = ()):
        super().__init__(message)
        self.blocked = blocked or {}
        self.steps = list(steps)


class MonthsBlocked(Exception):
    """Some months of a range were blocked by their quality gate; the others were published."""

    def __init__(
        self, blocked: dict[str, list[str]], published: list[dt.date], drafts: list[str] = (), failed: list[str] = ()
    ):
        self.blocked, self.published, self.failed = blocked, published, list(failed)
        lines = [
            f"{len(blocked)} month(s) blocked by the quality gate (nothing of them was published; each keeps "
            "its previous pack):"
        ]
        for month, findings in sorted(blocked.items()):
            lines += [f"{month}:"] + [f"  {printable(finding)}" for finding in findings]  # one line each
        if failed:  # months that neither published nor were blocked: what failed in their runs
            lines += ["other failures (nothing of these months was published):"] + [f"  {f}" for f in failed]
        super().__init__("\n".join(lines + list(drafts)))


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    months: list[dt.date]


def prepare_environment(settings: Settings) -> Path:
    """Point Dagster at the config and the persistent instance, and make sure dbt's manifest exists."""
    if settings.config_file:
        os.environ[CONFIG_ENV_VAR] = str(settings.config_file)
    else:
        os.environ.pop(CONFIG_ENV_VAR, None)
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    _prepare_instance(home)
    ensure_manifest()
    return home


def _prepare_instance(home: Path) -> None:
    """Write the instance config and create its SQLite tables under a lock: two runs starting together on a
    fresh DAGSTER_HOME would otherwise both create them, and one fails with "table already exists"."""
    with open(home / ".steerpack-init.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ensure_instance_config(home / "dagster.yaml")
        with dg.DagsterInstance.get() as instance:
            instance.get_runs(limit=1)
            instance.all_logs("steerpack-init")


def ensure_instance_config(path: Path) -> None:
    """SQLite storage in DAGSTER_HOME (the default) plus the warehouse pool's limit; keys already there are kept."""
    current = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    config = dict(current or {})
    for key, value in INSTANCE_DEFAULTS.items():
        config.setdefault(key, value)
    if config != current:
        path.write_text(
            f"# steerpack adds missing defaults here; the pool `{WAREHOUSE_POOL}` guards the warehouse.\n"
            + yaml.safe_dump(config, sort_keys=False),
            encoding="utf-8",
        )


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


def run_months(
    settings: Settings,
    months: list[dt.date],
    on_progress: Callable[[str, dt.date], None] | None = None,
    job_name: str = JOB_NAME,
    extra_tags: dict[str, str] | None = None,
) -> RunOutcome:
    """Materialize `job_name` (by default the whole pack: ingest → dbt → pack → delivery) for `months` in one
    Dagster run, tagged with `extra_tags` (e.g. steerpack/send)."""
    prepare_environment(settings)
    from pipelines.definitions import build_definitions  # imported late: it loads dbt's manifest

    # Bound to these settings, not to whatever config the module saw when it was first imported.
    job = build_definitions(settings).resolve_job_def(job_name)
    months = sorted(months)
    check_months(months, settings, job.partitions_def.get_partition_keys())
    first, last = partition_key(months[0]), partition_key(months[-1])
    tags = {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last, **(extra_tags or {})}
    run_id = str(uuid.uuid4())
    with dg.DagsterInstance.get() as instance:
        result_box: dict[str, object] = {}
        stopped = functools.partial(_report_stopped, instance, run_id, months)

        def execute() -> None:
            try:
                result_box["result"] = job.execute_in_process(
                    instance=instance,
                    tags=tags,
                    run_id=run_id,
                    raise_on_error=False,
                    run_config=QUIET_CONSOLE,
                )
            except BaseException as error:  # surfaced in the calling thread
                result_box["error"] = error

        # SIGTERM/SIGINT/SIGHUP while the run is in progress: every child stopped (dbt builds in this process), the
        # run marked failed, exit 128 + signal (run_signals). The handlers live on the main thread, so around this loop.
        with stop_children_on_signal(on_stop=stopped, before_stop=_hold_warehouse_lock):
            worker = threading.Thread(target=execute, name=f"steerpack-run-{run_id[:8]}")
            worker.start()
            cursor = None
            while worker.is_alive():
                worker.join(timeout=0.3)
                if on_progress:
                    cursor = _report_progress(instance, run_id, cursor, on_progress)
        if on_progress:
            _report_progress(instance, run_id, cursor, on_progress)
        if "error" in result_box:
            raise result_box["error"]  # type: ignore[misc]
        result = result_box["result"]
        if not result.success:  # type: ignore[attr-defined]
            blocked = blocked_months(instance, run_id)
            steps = failed_steps(instance, run_id, besides_checks=True) if blocked else []
            raise RunFailed(failure_summary(instance, run_id), blocked, steps)
    return RunOutcome(run_id=run_id, months=months)


def run_each_month_on_its_own(
    settings: Settings,
    months: list[dt.date],
    on_progress: Callable[[str, dt.date], None] | None = None,
    job_name: str = JOB_NAME,
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
        blocked = {
            month: findings for month, findings in failure.blocked.items() if month in {f"{m:%Y-%m}" for m in months}
        }
        if not blocked:
            raise
        if len(months) == 1:
            raise RunFailed(
                f"{failure}\n{_draft(settings, months[0], blocked[f'{months[0]:%Y-%m}'])}", blocked, failure.steps
            ) from None
    outcomes, failed = [], []
    for segment in consecutive_runs([m for m in months if f"{m:%Y-%m}" not in blocked]):
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
    drafts = [
        _draft(settings, dt.date.fromisoformat(f"{month}-01"), findings) for month, findings in sorted(blocked.items())
    ]
    raise MonthsBlocked(blocked, published, drafts, failed)


def _draft(settings: Settings, month: dt.date, findings: list[str]) -> str:
    """Render the blocked month's draft; a sentence saying where it is (or why there is none)."""
    from pipelines.run.drafts import render_draft

    def stopped(signum: int) -> None:
        print(
            f"steerpack: stopped by {signal_name(signum)} while drafting {month:%Y-%m}; nothing of it was published",
            file=sys.stderr,
        )

    try:
        # A stop signal while drafting ends the draft (its dbt runs in this process); the lock is held until exit.
        with stop_children_on_signal(on_stop=stopped, before_stop=_hold_warehouse_lock):
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


def _hold_warehouse_lock(signum: int) -> None:
    """Keep the warehouse lock until this process exits, that is until its children are gone.

    Once a step's child is killed the step fails, and the run's worker thread goes on to tear the resources down,
    which would release the lock while other children may still be ending. Holding the lock module's guard blocks that
    release (and any new take). The process exits right after its last child is gone (stop_children_on_signal),
    and only then does the OS close the lock's file and so release it: the fd is O_CLOEXEC, no child holds it.
    """
    warehouse_lock._guard.acquire(timeout=5)  # held by other threads only for a moment; never released


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
    from pipelines.assets.delivery import DELIVERY_KEY
    from pipelines.assets.report import PACK_KEY

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
