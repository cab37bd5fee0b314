"""Deliver a month's pack to its distribution list, once per recipient, with retries and a delivery log.

Plain functions over a DuckDB connection and a transport (no Dagster here): the delivery asset, `steerpack send`
and the tests all call them. `marts.delivery_log` holds one row per (month, recipient):

- a row is written as `sending`, with its Message-ID, before the transport is called, and becomes `sent` or
  `failed` after; a run that dies in between leaves `sending`, which the next run sends again with the same
  Message-ID (mail clients fold duplicates by Message-ID, so a crash costs at most a repeat, never a loss);
- `sent` rows are skipped unless `resend`, which sends again under a new Message-ID;
- each attempt counts in `attempts`, across runs;
- after `delivery.max_attempts` relay failures in a row (across recipients: the relay cannot be reached, does not
  answer in time, answers without end), the run stops trying: the recipients not yet tried are logged `failed`
  with "not tried" and their attempts unchanged, so the next `steerpack send` sends them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path

import duckdb

from pipelines.config import DeliverySettings, Settings
from pipelines.core.delivery.plan import DeliveryError, PlannedMessage, ensure_delivery_log, plan_delivery
from pipelines.core.delivery.transports import (
    TRANSPORT_ERRORS,
    RecipientError,
    Transport,
    is_relay_failure,
    sender_of,
)
from pipelines.core.packs import PackNotRendered, PackOptions
from pipelines.core.packs import attachments as pack_attachments
from pipelines.sources.addresses import AddressError, normalise_address
from reports.data import PackData, load_pack_data
from reports.email import attached_paths, build_message, subject


@dataclass(frozen=True)
class Outcome:
    month: dt.date
    recipient: str
    scope: str
    status: str  # sent | failed | skipped
    attempts: int
    message_id: str | None
    error: str | None = None


def _record(
    conn: duckdb.DuckDBPyConnection,
    planned: PlannedMessage,
    message_id: str,
    status: str,
    attempts: int,
    subject: str,
    attachments: list[Path],
    error: str | None,
    sent_at: dt.datetime | None,
) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    previous_sent_at = planned.previous["sent_at"] if planned.previous else None
    conn.execute(
        """
        insert or replace into marts.delivery_log
            (month, recipient, scope, message_id, status, attempts, sent_at, subject, attachments, last_error,
             updated_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            planned.month,
            planned.email,
            planned.scope,
            message_id,
            status,
            attempts,
            sent_at.astimezone(dt.UTC).replace(tzinfo=None) if sent_at else previous_sent_at,
            subject,
            ", ".join(path.name for path in attachments),
            error,
            now,
        ],
    )


def _message_id(planned: PlannedMessage, sender: str, resend: bool) -> str:
    """Reuse the Message-ID of a message that may have gone out (sending / failed); a resend gets a new one."""
    if planned.previous and not resend and planned.previous["status"] != "sent":
        return planned.previous["message_id"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "steerpack.invalid"
    return make_msgid(idstring=f"steerpack.{planned.month:%Y%m}", domain=domain)


def attachments_for(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    month: dt.date,
    project_ids: frozenset[str] | None,
    rendered: dict,
    recipient_role: str | None = None,
) -> list[Path]:
    """The portfolio pack's files, or the reader's own scoped pack, as pipelines.core.packs published them: the
    kinds settings.delivery names for the reader's role (the Distribution sheet's), in its order."""
    kinds = settings.delivery.attachments_for_role(recipient_role)
    try:
        return pack_attachments(conn, month, project_ids, settings.output, rendered, kinds, PackOptions.of(settings))
    except PackNotRendered as missing:
        raise DeliveryError(
            f"the {month:%Y-%m} pack has not been rendered ({missing.args[0]} is missing): "
            f"run `steerpack run --month {month:%Y-%m}` first"
        ) from None


def pack_data_for(
    conn: duckdb.DuckDBPyConnection, month: dt.date, project_ids: frozenset[str] | None, read: dict
) -> PackData:
    """The PackData a reader's message is built from, read once per scope and month (`read` keeps them)."""
    if project_ids not in read:
        read[project_ids] = load_pack_data(conn, month, None if project_ids is None else set(project_ids))
    return read[project_ids]


@dataclass
class RelayWatch:
    """Relay failures in a row, across the recipients of a run: at `limit`, the relay is taken as down."""

    limit: int
    in_a_row: int = 0
    last_error: str | None = None

    def answered(self) -> None:
        self.in_a_row = 0

    def failed(self, error: str) -> None:
        self.in_a_row += 1
        self.last_error = error

    @property
    def down(self) -> bool:
        return self.in_a_row >= self.limit


def send_with_retries(
    transport: Transport,
    message: EmailMessage,
    folder: str,
    policy: DeliverySettings,
    sleep: Callable[[float], None] = time.sleep,
    watch: RelayWatch | None = None,
) -> tuple[int, str | None]:
    """Try up to `policy.max_attempts` times, waiting backoff, 2 x backoff, ... between tries, and no more once
    `watch` says the relay is down. Returns the attempts made and the last error (None once the transport
    accepted the message)."""
    watch = watch or RelayWatch(policy.max_attempts)
    error = None
    for attempt in range(1, policy.max_attempts + 1):
        try:
            transport.send(message, folder)
            watch.answered()
            return attempt, None
        except RecipientError as refused:  # no retry can make a bad address good
            return attempt, str(refused)
        except TRANSPORT_ERRORS as failure:
            error = f"{type(failure).__name__}: {failure}"
            if is_relay_failure(failure):
                watch.failed(error)
                if watch.down:
                    return attempt, error
            else:
                watch.answered()  # the relay answered: it refused this message
            if attempt < policy.max_attempts:
                sleep(policy.retry_backoff_seconds * 2 ** (attempt - 1))
    return policy.max_attempts, error


def deliver_month(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    month: dt.date,
    transport: Transport,
    resend: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Send the month's messages that are due, each retried with exponential backoff, and log every one."""
    sender = sender_of(settings)
    policy = settings.delivery
    watch = RelayWatch(policy.max_attempts)
    outcomes, rendered, read = [], {}, {}
    ensure_delivery_log(conn)
    for planned in plan_delivery(conn, month, resend):
        if planned.action == "skip":
            outcomes.append(
                Outcome(
                    month,
                    planned.email,
                    planned.scope,
                    "skipped",
                    planned.previous["attempts"],
                    planned.previous["message_id"],
                )
            )
            continue
        message_id = _message_id(planned, sender, resend)
        attempts = planned.previous["attempts"] if planned.previous else 0
        if watch.down:  # the relay failed max_attempts times in a row: leave the rest for the next send
            error = (
                f"not tried: the relay failed {watch.in_a_row} times in a row (last: {watch.last_error}); "
                f"the next `steerpack send --month {month:%Y-%m}` sends it"
            )
            _record(conn, planned, message_id, "failed", attempts, subject(month, planned.project_ids), [], error, None)
            outcomes.append(Outcome(month, planned.email, planned.scope, "failed", attempts, message_id, error))
            continue
        try:
            address = normalise_address(planned.email)
        except AddressError as refused:  # loaded before addresses were normalised, or written by hand
            error = f"refused to send: {refused}"
            _record(conn, planned, message_id, "failed", attempts, subject(month, planned.project_ids), [], error, None)
            outcomes.append(Outcome(month, planned.email, planned.scope, "failed", attempts, message_id, error))
            continue
        role = planned.recipient.get("recipient_role")
        attachments = attachments_for(conn, settings, month, planned.project_ids, rendered, role)
        data = pack_data_for(conn, month, planned.project_ids, read)
        recipient = {**planned.recipient, "recipient_email": address}
        message = build_message(
            data,
            recipient,
            sender,
            attachments,
            dt.datetime.now(dt.UTC),
            message_id,
            max_message_bytes=settings.delivery.max_message_bytes,
        )
        # what the message really carries: a pack too large to attach is linked instead (reports.email)
        attachments = attached_paths(message, attachments)
        _record(conn, planned, message_id, "sending", attempts, message["Subject"], attachments, None, None)
        tried, error = send_with_retries(transport, message, f"{month:%Y-%m}", policy, sleep, watch)
        attempts += tried
        status = "failed" if error else "sent"
        _record(
            conn,
            planned,
            message_id,
            status,
            attempts,
            message["Subject"],
            attachments,
            error,
            None if error else dt.datetime.now(dt.UTC),
        )
        outcomes.append(Outcome(month, planned.email, planned.scope, status, attempts, message_id, error))
    return outcomes
