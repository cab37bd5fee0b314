"""Per-month progress, logged by assets as observations and read back by the CLI's progress bar."""

import datetime as dt

import dagster as dg

from pipelines.partitions import partition_key

PROGRESS_EVENT = "steerpack/progress"
# What the monthly pack job reports for every month of its run, in order.
STAGES = ("register ingested", "plans ingested", "finance ingested", "incidents ingested", "rendered", "delivered")


def progress_observation(asset_key: dg.AssetKey, stage: str, month: dt.date, **metadata) -> dg.AssetObservation:
    """What an asset logs when it finishes one month of its run; `stage` is one of STAGES."""
    if stage not in STAGES:
        raise ValueError(f"unknown progress stage {stage!r}")
    return dg.AssetObservation(
        asset_key=asset_key, partition=partition_key(month), metadata={PROGRESS_EVENT: stage, **metadata}
    )
