"""The delivery asset: one message per recipient of each month's distribution list, limited to their scope."""


import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets.report import PACK_KEY
from pipelines.partitions import monthly_partitions, months_of
from pipelines.progress import progress_observation
from pipelines.resources import SteerpackConfig
from pipelines.resources.mailer import OutboxMailer
from reports.data import load_pack_data, load_recipients
from reports.email import build_message, scope_project_ids
from reports.render import pack_paths

DEFAULT_SENDER = "PMO <pmo@localhost>"


DELIVERY_KEY = dg.AssetKey("pack_delivery")


@dg.asset(
    key=DELIVERY_KEY,
    group_name="pack",
    deps=[PACK_KEY, dg.AssetKey(["marts", "fct_distribution_month"])],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="The month's pack delivered to each recipient on the register's Distribution sheet.",
)
def pack_delivery(context: dg.AssetExecutionContext, steerpack: SteerpackConfig,
                  duckdb: DuckDBResource) -> dg.MaterializeResult:
    settings = steerpack.settings()
    mailer = OutboxMailer(settings.output)
    sender = settings.smtp.from_ if settings.smtp else DEFAULT_SENDER
    sent_at = dt.datetime.now(dt.timezone.utc)
    delivered = 0
    with duckdb.get_connection() as conn:
        for month in months_of(context.partition_keys):
            recipients = load_recipients(conn, month)
            for recipient in recipients:
                scope_ids = scope_project_ids(recipient["recipient_scope"])
                data = load_pack_data(conn, month, scope_ids)
                # Only portfolio recipients get the whole pack attached; scoped packs come with the delivery issue.
                paths = pack_paths(settings.output, month)
                attachments = [paths["pdf"], paths["xlsx"], paths["html"]] if scope_ids is None else []
                mailer.send(month, build_message(data, recipient, sender, attachments, sent_at))
                delivered += 1
            context.log_event(progress_observation(DELIVERY_KEY, "delivered", month, messages=len(recipients)))
    return dg.MaterializeResult(metadata={"messages": delivered})
