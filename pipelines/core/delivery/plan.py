"""Who gets which part of a month's pack, and whether it was already sent: the distribution list, each
recipient's scope and `marts.delivery_log`. Reads only, so `steerpack send --dry-run` can plan on a
read-only connection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from pipelines.config import Settings
from pipelines.core.packs import pack_paths, scope_project_ids, scoped_pack_paths
from pipelines.sources.addresses import AddressError, mailbox_key
from reports.data import load_recipients
from reports.email import scope_label

SEND_TAG = "steerpack/send"


RESEND_TAG = "steerpack/resend"


DELIVERY_LOG_DDL = """
create schema if not exists marts;
create table if not exists marts.delivery_log (
    month date not null,
    recipient varchar not null,
    scope varchar not null,
    message_id varchar not null,
    status varchar not null,          -- sending | sent | failed
    attempts integer not null,        -- every attempt, across runs
    sent_at timestamp,                -- UTC; when the transport accepted the message
    subject varchar,
    attachments varchar,              -- file names, comma separated
    last_error varchar,
    updated_at timestamp not null,    -- UTC
    primary key (month, recipient)
);
"""


class DeliveryError(Exception):
    """The month cannot be delivered as asked (its pack has not been rendered)."""


def should_send(tags: Mapping[str, str], partition_count: int) -> bool:
    """A one-month run delivers; a range (a backfill) only re-renders unless tagged `steerpack/send=true`."""
    value = tags.get(SEND_TAG)
    if value is None:
        return partition_count == 1
    return value.strip().lower() == "true"


def is_resend(tags: Mapping[str, str]) -> bool:
    return tags.get(RESEND_TAG, "").strip().lower() == "true"


@dataclass(frozen=True)
class PlannedMessage:
    month: dt.date
    recipient: dict
    project_ids: frozenset[str] | None
    action: str  # "send" | "skip"
    previous: dict | None  # the recipient's delivery_log row, if any

    @property
    def email(self) -> str:
        return self.recipient["recipient_email"]

    @property
    def scope(self) -> str:
        return scope_label(self.project_ids)


def ensure_delivery_log(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(DELIVERY_LOG_DDL)


def delivery_log_rows(conn: duckdb.DuckDBPyConnection, month: dt.date) -> dict[str, dict]:
    """The month's log rows by lower-cased recipient (none before the first delivery created the table)."""
    exists = conn.execute("""
        select count(*) from information_schema.tables
        where table_schema = 'marts' and table_name = 'delivery_log'""").fetchone()[0]
    if not exists:
        return {}
    cursor = conn.execute(
        """
        select recipient, scope, message_id, status, attempts, sent_at, last_error
        from marts.delivery_log where month = ?""",
        [month],
    )
    names = [d[0] for d in cursor.description]
    return {row[0].lower(): dict(zip(names, row)) for row in cursor.fetchall()}


def _key(address: str) -> str:
    """The mailbox an address is compared as; one that cannot be normalised keeps its own (lower-cased) key here,
    and is refused, with its reason, when its message would be built (send.deliver_month)."""
    try:
        return mailbox_key(address)
    except AddressError:
        return address.strip().lower()


def _tagged(address: str) -> bool:
    return "+" in address.rpartition("@")[0].lstrip("+")


def one_per_mailbox(recipients: list[dict]) -> list[dict]:
    """One recipient per mailbox (DESIGN §4a): `ann+pmo@x.com` and `Ann@x.com` listed with the same scope get one
    message, sent to the address without a tag (else the first in order). Two scopes for one mailbox never reach
    here (the quality gate's `one_scope_per_address` blocks the month); if they do, nothing is sent."""
    by_mailbox: dict[str, dict] = {}
    for recipient in recipients:
        key = _key(recipient["recipient_email"])
        kept = by_mailbox.setdefault(key, recipient)
        if kept is recipient:
            continue
        scopes = {scope_project_ids(r["recipient_scope"]) for r in (kept, recipient)}
        if len(scopes) > 1:
            raise DeliveryError(
                f"{kept['recipient_email']} and {recipient['recipient_email']} are one mailbox with different "
                "scopes; keep one row per mailbox on the Distribution sheet"
            )
        if _tagged(kept["recipient_email"]) and not _tagged(recipient["recipient_email"]):
            by_mailbox[key] = recipient
    return list(by_mailbox.values())


def plan_delivery(conn: duckdb.DuckDBPyConnection, month: dt.date, resend: bool = False) -> list[PlannedMessage]:
    """Who gets what this month: every recipient (one per mailbox), and whether their message goes or was
    already sent. Reads only, so `steerpack send --dry-run` can use a read-only connection."""
    log = delivery_log_rows(conn, month)
    by_mailbox = {_key(row["recipient"]): row for row in log.values()}
    plan = []
    for recipient in one_per_mailbox(load_recipients(conn, month)):
        previous = log.get(recipient["recipient_email"].lower()) or by_mailbox.get(_key(recipient["recipient_email"]))
        already_sent = previous is not None and previous["status"] == "sent"
        plan.append(
            PlannedMessage(
                month,
                recipient,
                scope_project_ids(recipient["recipient_scope"]),
                "skip" if already_sent and not resend else "send",
                previous,
            )
        )
    return plan


def describe_plan(plan: list[PlannedMessage], settings: Settings) -> str:
    """`steerpack send --dry-run`: one line per recipient — who, which scope, what they would get."""
    lines = []
    for planned in plan:
        month = planned.month
        kinds = settings.delivery.attachments_for_role(planned.recipient.get("recipient_role"))
        if planned.project_ids is None:
            files = [pack_paths(settings.output, month)[kind].name for kind in kinds]
        else:
            paths = scoped_pack_paths(settings.output, month, planned.project_ids)
            files = [f"{paths['folder'].name}/{paths[kind].name}" for kind in kinds]
        if planned.action == "skip":
            when = planned.previous["sent_at"]
            what = f"already sent{f' {when:%Y-%m-%d %H:%M} UTC' if when else ''}; skipped (use --resend)"
        else:
            was = f" (was {planned.previous['status']})" if planned.previous else ""
            what = f"would send{was}: {', '.join(files)}"
        lines.append(f"{month:%Y-%m}  {planned.email}  [{planned.scope}]  {what}")
    return "\n".join(lines)
