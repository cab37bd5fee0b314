"""Sensors: a new or changed monthly drop starts that month's run; a failed run emails the PMO operations address."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from email.utils import make_msgid
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from pipelines.config import Settings
from pipelines.core.delivery.plan import SEND_TAG
from pipelines.core.delivery.send import send_with_retries
from pipelines.core.delivery.transports import sender_of, transport_for
from pipelines.core.inbox import drop_months, month_folder
from pipelines.jobs import deliver_pack_job, monthly_pack_job
from pipelines.names import PACK_KEY
from pipelines.observe.failures import failure_summary
from pipelines.partitions import monthly_partitions_for, partition_key
from reports.email import build_failure_message

DROP_SENSOR_SECONDS = 60


def drop_fingerprint(folder: Path) -> str:
    """What a drop holds: every file's path, size and modification time (hidden and temp files aside), as
    `lstat` gives them: a link is fingerprinted as itself, never followed (the run refuses it: DESIGN §4a)."""
    digest = hashlib.sha256()
    if folder.is_symlink():
        return hashlib.sha256(f"link\t{folder.lstat().st_mtime_ns}\n".encode()).hexdigest()
    paths = []
    for root, folders, files in os.walk(folder):  # followlinks=False: a linked folder is listed, not entered
        paths += [Path(root, name) for name in files + [f for f in folders if os.path.islink(os.path.join(root, f))]]
    for path in sorted(paths):
        if not path.name.startswith((".", "~$")):
            stat = path.lstat()
            line = f"{path.relative_to(folder).as_posix()}\t{stat.st_size}\t{stat.st_mtime_ns}\n"
            digest.update(line.encode("utf-8", "surrogateescape"))  # a name that is not UTF-8 keeps its bytes
    return digest.hexdigest()


def drop_run_requests(
    inbox: Path, cursor: dict[str, dict[str, str]], runnable_keys: list[str], already_built: set[str] = frozenset()
) -> tuple[list[dg.RunRequest], dict[str, dict[str, str]]]:
    """Run requests for drops that are new or changed and have stayed the same for one sensor interval
    (a drop still being copied changes between ticks and waits), and the cursor that remembers them.

    Only the latest complete month is emailed; an older month's run re-renders its pack silently.
    A folder for a month not yet over (no partition yet) waits until the month ends. A drop seen for the first
    time whose month already has a pack (`already_built`: a sensor switched on over an existing inbox) counts
    as run; a later change to it runs it again.
    """
    runnable = set(runnable_keys)
    latest = runnable_keys[-1] if runnable_keys else None
    requests, new_cursor = [], {month: dict(state) for month, state in cursor.items()}
    for month in drop_months(inbox):
        name, key = f"{month:%Y-%m}", partition_key(month)
        fingerprint = drop_fingerprint(month_folder(inbox, month))
        if name not in new_cursor and key in already_built:
            new_cursor[name] = {"seen": fingerprint, "ran": fingerprint}
            continue
        state = new_cursor.setdefault(name, {})
        if state.get("seen") != fingerprint:
            state["seen"] = fingerprint  # changed since the last tick: let it settle
            continue
        if state.get("ran") == fingerprint or key not in runnable:
            continue
        requests.append(
            dg.RunRequest(
                run_key=f"drop-{name}-{fingerprint[:16]}",
                partition_key=key,
                job_name=monthly_pack_job.name,
                tags={SEND_TAG: "true" if key == latest else "false", "steerpack/trigger": "new drop"},
            )
        )
        state["ran"] = fingerprint
    return requests, new_cursor


def build_drop_sensor(settings: Settings) -> dg.SensorDefinition:
    partitions = monthly_partitions_for(settings.first_month)

    @dg.sensor(
        name="new_drop_sensor",
        job=monthly_pack_job,
        minimum_interval_seconds=DROP_SENSOR_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"A new month folder, or a changed file, in {settings.inbox} starts that month's run "
        "(only the latest complete month is emailed).",
    )
    def new_drop_sensor(context: dg.SensorEvaluationContext):
        if not settings.inbox.is_dir():
            return dg.SkipReason(f"no inbox at {settings.inbox}")
        cursor = json.loads(context.cursor) if context.cursor else {}
        built = context.instance.get_materialized_partitions(PACK_KEY)
        requests, new_cursor = drop_run_requests(settings.inbox, cursor, partitions.get_partition_keys(), built)
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(new_cursor, sort_keys=True))

    return new_drop_sensor


def _run_window(run: dg.DagsterRun) -> str:
    tags = run.tags
    start, end = tags.get(ASSET_PARTITION_RANGE_START_TAG), tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if start and end:
        return start[:7] if start == end else f"{start[:7]}..{end[:7]}"
    return (tags.get(PARTITION_NAME_TAG) or "no partition")[:7]


def build_failure_sensor(settings: Settings) -> dg.RunFailureSensorDefinition:
    """Emails `delivery.ops_email` when a run fails. The settings are bound here, not taken from the
    SteerpackConfig resource, which would take the warehouse lock: an alert must never wait for the run it
    reports on."""

    @dg.run_failure_sensor(
        name="ops_alert_on_failure",
        monitored_jobs=[monthly_pack_job, deliver_pack_job],
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Emails the PMO operations address (delivery.ops_email) when a steerpack run fails.",
    )
    def ops_alert_on_failure(context: dg.RunFailureSensorContext):
        to = settings.delivery.ops_email
        if not to:
            return dg.SkipReason("delivery.ops_email is not set: nobody to tell")
        run = context.dagster_run
        window = _run_window(run)
        body = (
            f"The steerpack run {run.run_id} ({run.job_name}, {window}) failed.\n\n"
            f"{failure_summary(context.instance, run.run_id)}\n\n"
            "A month whose data failed a blocking check is not published, and its previous pack stays in "
            "place. Messages already delivered are in marts.delivery_log, and a rerun sends only the rest. "
            f"Fix the cause, then rerun the month (steerpack run --month {window[:7]}) or open the run in "
            "the Dagster UI.\n"
        )
        message = build_failure_message(
            sender_of(settings),
            to,
            f"steerpack run failed — {window} — {run.job_name}",
            body,
            dt.datetime.now(dt.UTC),
            make_msgid(idstring="steerpack.alert"),
        )
        attempts, error = send_with_retries(transport_for(settings), message, "ops", settings.delivery)
        if error:
            raise RuntimeError(f"could not email {to} about run {run.run_id} after {attempts} attempts: {error}")
        return None

    return ops_alert_on_failure
