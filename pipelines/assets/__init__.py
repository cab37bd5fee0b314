"""The assets of a monthly pack, built over the partitions of the loaded settings (never at import).

- `ingest` (the inbox's parts into raw tables), `checks` (one blocking quality check per raw table), `dbt` (the
  dbt project, one build per run's window), `report` (the packs), `delivery` (the mail).

Thin: each calls `core/`, `dbt/` and `observe/`, and takes its names from `names.py`; nothing above it (`run/`,
`cli`, `definitions`) is imported here (the `floors` contract).
"""

import dagster as dg

from pipelines.assets.checks import build_quality_checks
from pipelines.assets.dbt import build_dbt_assets, build_dbt_source_specs
from pipelines.assets.delivery import build_delivery_asset
from pipelines.assets.ingest import build_ingest_assets
from pipelines.assets.report import build_pack_asset


def build_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    """Ingest -> dbt -> pack -> delivery, each partitioned by `partitions`."""
    dbt_models = build_dbt_assets(partitions)
    return [
        *build_ingest_assets(partitions),
        dbt_models,
        build_pack_asset(partitions, dbt_models),
        build_delivery_asset(partitions, dbt_models),
    ]


def build_external_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetSpec]:
    """The dbt sources no asset materializes (the quality records, the forecast tables), declared so the UI
    describes, owns and groups them: nothing runs them."""
    materialized = {key for assets in build_ingest_assets(partitions) for key in assets.keys}
    return build_dbt_source_specs(materialized, partitions)


def build_asset_checks(partitions: dg.PartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    """The blocking data-quality check of each raw table (one step runs them all)."""
    return build_quality_checks(partitions)
