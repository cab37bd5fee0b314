"""Jobs: the monthly pack (ingest to delivery) and delivery alone (`steerpack send`)."""

import dagster as dg

from pipelines.names import DELIVER_PACK_JOB, DELIVERY_KEY, MONTHLY_PACK_JOB

monthly_pack_job = dg.define_asset_job(
    name=MONTHLY_PACK_JOB,
    selection=dg.AssetSelection.all(),
    description="Ingest the month's drop, build the marts, render the pack and deliver it "
    "(a range re-renders without email unless tagged steerpack/send=true).",
)

deliver_pack_job = dg.define_asset_job(
    name=DELIVER_PACK_JOB,
    selection=dg.AssetSelection.assets(DELIVERY_KEY),
    description="Send an already rendered month to whoever has not had it (steerpack/resend=true: everyone).",
)
