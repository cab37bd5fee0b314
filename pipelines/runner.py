"""Run the monthly pack job on the persistent Dagster instance, for one month or a range in one run.

The CLI and `steerpack demo` go through here, so their runs show in the Dagster UI (`steerpack ui`) exactly
like runs launched there. A range is one run (dbt once over the window), tagged with its partition range.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.dbt_project import ensure_manifest
from pipelines.partitions import partition_key
from pipelines.progress import PROGRESS_EVENT
from pipelines.resources.settings import CONFIG_ENV_VAR, Settings

JOB_NAME = "monthly_pack"
# The CLI shows its own progress; Dagster's step-by-step DEBUG lines stay in the instance for the UI.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


USER_ERRORS = {"SourceFormatError", "InboxError", "ConfigError"}


class RunFailed(Exception):
    """A Dagster run that did not succeed; the message carries the failing step's error."""


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
    instance_config = home / "dagster.yaml"
    if not instance_config.exists():
        # Default SQLite storage in DAGSTER_HOME; the file's presence tells Dagster this is deliberate.
        instance_config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    ensure_manifest()
    return home


def check_months(months: list[dt.date], settings: Settings, partition_keys: list[str]) -> None:
    if not months:
        raise ValueError("no month to run")
    available = set(partition_keys)
    for month in months:
        if month < settings.first_month:
            raise ValueError(
                f"{month:%Y-%m} is before first_month {settings.first_month:%Y-%m} "
                f"({settings.config_file or 'built-in default'})"
            )
        if partition_key(month) not in available:
            raise ValueError(f"{month:%Y-%m} is not a complete month yet: the latest runnable month is "
                             f"{partition_keys[-1][:7]}")


def run_months(settings: Settings, months: list[dt.date],
               on_progress: Callable[[str, dt.date], None] | None = None) -> RunOutcome:
    """Materialize the whole pack (ingest → dbt → pack → delivery) for `months` in one Dagster run."""
    prepare_environment(settings)
    from pipelines.definitions import defs  # imported late: it reads the config set just above

    job = defs.resolve_job_def(JOB_NAME)
    months = sorted(months)
    check_months(months, settings, job.partitions_def.get_partition_keys())
    first, last = partition_key(months[0]), partition_key(months[-1])
    tags = {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
    run_id = str(uuid.uuid4())
    with dg.DagsterInstance.get() as instance:
        result_box: dict[str, object] = {}

        def execute() -> None:
            try:
                result_box["result"] = job.execute_in_process(
                    instance=instance, tags=tags, run_id=run_id, raise_on_error=False, run_config=QUIET_CONSOLE,
                )
            except BaseException as error:  # surfaced in the calling thread
                result_box["error"] = error

        worker = threading.Thread(target=execute, name=f"steerpack-run-{run_id[:8]}")
        worker.start()
        seen = 0
        while worker.is_alive():
            worker.join(timeout=0.3)
            if on_progress:
                seen = _report_progress(instance, run_id, seen, on_progress)
        if on_progress:
            _report_progress(instance, run_id, seen, on_progress)
        if "error" in result_box:
            raise result_box["error"]  # type: ignore[misc]
        result = result_box["result"]
        if not result.success:  # type: ignore[attr-defined]
            raise RunFailed(_failure_message(instance, run_id))
    return RunOutcome(run_id=run_id, months=months)


def _report_progress(instance: dg.DagsterInstance, run_id: str, seen: int,
                     on_progress: Callable[[str, dt.date], None]) -> int:
    """Forward the per-month progress observations the assets log (stage, month) to the callback."""
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION)
    for event in events[seen:]:
        observation = event.dagster_event.event_specific_data.asset_observation
        if observation.partition and PROGRESS_EVENT in observation.metadata:
            stage = observation.metadata[PROGRESS_EVENT].value
            on_progress(str(stage), dt.date.fromisoformat(observation.partition))
    return len(events)


def _failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """What each blocking data-quality check found, in words a PMO analyst can act on."""
    lines = []
    for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = event.dagster_event.event_specific_data
        if evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR:
            continue
        table = evaluation.asset_key.to_user_string().replace("/", ".")
        findings = evaluation.metadata.get("findings")
        for finding in (findings.value if findings else []):
            if finding["severity"] != "error":
                continue
            example = f"; e.g. {finding['examples'][0]}" if finding["examples"] else ""
            lines.append(f"{table} {finding['month']}: {finding['description'] or finding['rule']} — "
                         f"{finding['failed_rows']} row(s){example}")
    return lines


def _failure_message(instance: dg.DagsterInstance, run_id: str) -> str:
    checks = _failed_checks(instance, run_id)
    if checks:
        return "data-quality errors block the month (nothing was published):\n" + "\n".join(checks)
    messages = []
    for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        error = event.dagster_event.step_failure_data.error
        # The user's exception is the innermost cause; Dagster wraps it in its own.
        while error is not None and error.cause is not None:
            error = error.cause
        step = event.dagster_event.step_key
        text = error.message.strip() if error else "failed"
        if error is not None and error.cls_name in USER_ERRORS:
            # The message already names the file, sheet and column; the exception's module path adds nothing.
            text = text.split(": ", 1)[-1]
        messages.append(f"{step}: {text}")
    return "\n".join(messages) or f"run {run_id} failed"

