"""The delivery asset: each month's pack to each recipient of its distribution list, limited to their scope."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from dagster_duckdb import DuckDBResource

from pipelines.core.delivery.current import require_current_pack
from pipelines.core.delivery.plan import is_resend, should_send
from pipelines.core.delivery.send import deliver_month
from pipelines.core.delivery.transports import transport_for
from pipelines.core.warehouse.lock import WAREHOUSE_POOL
from pipelines.names import DELIVERY_KEY, PACK_KEY
from pipelines.observe.progress import progress_observation
from pipelines.partitions import months_of
from pipelines.resources import SteerpackConfig


def build_delivery_asset(partitions: dg.PartitionsDefinition, dbt_models: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The delivery asset over `partitions`, after the pack and the distribution list it reads."""

    @dg.asset(
        key=DELIVERY_KEY,
        group_name="delivery",
        # sent from Python by email; the PMO owns what it publishes (pipelines/assets/dbt.py)
        kinds={"python", "email"},
        owners=["team:pmo"],
        deps=[PACK_KEY, get_asset_key_for_model([dbt_models], "fct_distribution_month")],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
        description="The month's pack delivered to each recipient on the register's Distribution sheet "
        "(one-month runs deliver; a backfill only when tagged steerpack/send=true).",
    )
    def pack_delivery(
        context: dg.AssetExecutionContext, steerpack: SteerpackConfig, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        settings = steerpack.settings
        months = months_of(context.partition_keys)
        if not should_send(context.run.tags, len(months)):
            context.log.info(f"{len(months)} months re-rendered; no email sent (a backfill sends only with --send)")
            for month in months:
                context.log_event(progress_observation(DELIVERY_KEY, "delivered", month, messages=0))
            return dg.MaterializeResult(metadata={"sent": 0, "skipped": 0, "failed": 0, "emailed": False})
        transport = transport_for(settings)
        outcomes = []
        with duckdb.get_connection() as conn:
            for month in months:  # before anything is sent: a pack older than the marts it shows is not sent
                require_current_pack(conn, settings.output, month)
            for month in months:
                month_outcomes = deliver_month(conn, settings, month, transport, resend=is_resend(context.run.tags))
                outcomes.extend(month_outcomes)
                context.log_event(
                    progress_observation(
                        DELIVERY_KEY, "delivered", month, messages=sum(o.status == "sent" for o in month_outcomes)
                    )
                )
        failed = [o for o in outcomes if o.status == "failed"]
        metadata = {
            "sent": sum(o.status == "sent" for o in outcomes),
            "skipped": sum(o.status == "skipped" for o in outcomes),
            "failed": len(failed),
            "emailed": True,
            "outcomes": dg.MetadataValue.json(
                [
                    {
                        "month": f"{o.month:%Y-%m}",
                        "recipient": o.recipient,
                        "scope": o.scope,
                        "status": o.status,
                        "attempts": o.attempts,
                        "error": o.error,
                    }
                    for o in outcomes
                ]
            ),
        }
        if failed:
            # Failing the step makes the run fail, so the failure sensor tells the PMO operations address; the
            # log already holds who got their message, and the next run sends only the failed ones.
            raise dg.Failure(
                description="could not deliver to "
                + "; ".join(f"{o.recipient} ({o.month:%Y-%m}): {o.error}" for o in failed),
                metadata=metadata,
            )
        return dg.MaterializeResult(metadata=metadata)

    return pack_delivery
