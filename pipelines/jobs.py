"""Jobs: the monthly pack (ingest to delivery) and delivery alone (`steerpack send`).

Both run over the monthly partitions of the assets they select (one per reporting month, from `first_month`): the
UI's partitions bar and the Launchpad's month picker come from there. The tags name what the job is for when runs
are filtered in the UI; Dagster copies a job's tags onto its runs, so a run says which job started it.
"""

import dagster as dg

from pipelines.names import DELIVER_PACK_JOB, DELIVERY_KEY, MONTHLY_PACK_JOB

monthly_pack_job = dg.define_asset_job(
    name=MONTHLY_PACK_JOB,
    selection=dg.AssetSelection.all(),
    description="The month's steering pack, end to end: ingest the month's drop, check its quality, build the "
    "marts, render the pack and deliver it. One partition per reporting month; a range re-renders without email "
    "unless tagged steerpack/send=true.",
    tags={"steerpack/purpose": "monthly pack", "steerpack/cadence": "monthly"},
)

deliver_pack_job = dg.define_asset_job(
    name=DELIVER_PACK_JOB,
    selection=dg.AssetSelection.assets(DELIVERY_KEY),
    description="Send an already rendered month's pack to whoever on its distribution list has not had it "
    "(steerpack/resend=true: everyone again).",
    tags={"steerpack/purpose": "delivery only", "steerpack/cadence": "on demand"},
)
