"""Jobs: the monthly pack (ingest to delivery) and delivery alone (`steerpack send`)."""

import dagster as dg

from pipelines.assets.delivery import DELIVERY_KEY

monthly_pack_job = dg.define_asset_job(
    name="monthly_pack",
    selection=dg.AssetSelection.all(),
    description="Ingest the month's drop, build the marts, render the pack and deliver it "
    "(a range re-renders without email unless tagged steerpack/send=true).",
)

deliver_pack_job = dg.define_asset_job(
    name="deliver_pack",
    selection=dg.AssetSelection.assets(DELIVERY_KEY),
    description="Send an already rendered month to whoever has not had it (steerpack/resend=true: everyone).",
)
