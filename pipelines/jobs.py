"""Jobs: the monthly pack, everything from ingest to delivery for one month or a range of months."""

import dagster as dg

from pipelines.partitions import monthly_partitions

monthly_pack_job = dg.define_asset_job(
    name="monthly_pack",
    selection=dg.AssetSelection.all(),
    partitions_def=monthly_partitions,
    description="Ingest the month's drop, build the marts, render the pack and deliver it.",
)
