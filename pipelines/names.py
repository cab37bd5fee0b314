"""The names the wiring shares: asset keys and job names, on the ground floor.

Jobs, sensors and the runner name the pack and its delivery through here instead of importing the asset modules
that build them. The marts the pack reads (`PACK_MARTS`) stay with the code that reads them,
`reports/fingerprint.py` (`reports/` imports nothing of `pipelines`), and the dbt exposure `steering_pack`
(`dbt_project/models/marts/_marts__exposures.yml`) declares the same list to dbt; a unit test keeps the two equal.

May import: Dagster only.
"""

import dagster as dg

PACK_KEY = dg.AssetKey("steering_pack")
DELIVERY_KEY = dg.AssetKey("pack_delivery")

MONTHLY_PACK_JOB = "monthly_pack"
DELIVER_PACK_JOB = "deliver_pack"
