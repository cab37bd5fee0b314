"""Delivery transports: SMTP when `smtp` is configured, else `.eml` files in the month's outbox.

A transport sends one message or raises; retries, backoff and the delivery log belong to the caller
(pipelines.core.delivery.send), so both transports are retried and logged the same way.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol

from pipelines.config import Settings, SmtpSettings
from pipelines.core.files import safe_name, write_atomic

# What a transport raises for a message it could not hand over (refused, timed out, connection lost).
TRANSPORT_ERRORS = (smtplib.SMTPException, OSError)


class Transport(Protocol):
    def send(self, message: EmailMessage, folder: str) -> str:
        """Hand the message over; return where it went. `folder` names the outbox folder (e.g. `2026-10`)."""


class RecipientError(ValueError):
    """A message whose To: is not exactly one address: nothing is handed over."""


def single_recipient(message: EmailMessage) -> str:
    """The one address in To:. A message is only ever built for one recipient; anything else is refused, so no
    header can smuggle in a second RCPT TO."""
    addresses = [address for _, address in getaddresses([str(message["To"] or "")]) if address]
    if len(addresses) != 1 or "@" not in addresses[0]:
        raise RecipientError(f"refused to send: To: {message['To']!r} is not exactly one address")
    return addresses[0]


_EML_NAME = re.compile(r"[a-z0-9@._+-]{1,100}")


def eml_name(recipient: str) -> str:
    """The outbox file of an address: the address itself when it is a plain file name, else its safe characters
    and a digest (so `a'b@example.com` and `a_b@example.com` never share a file)."""
    return safe_name(recipient.strip().lower(), _EML_NAME) + ".eml"


class OutboxTransport:
    """Writes each message to `output/outbox/<folder>/<recipient>.eml` (a re-send overwrites the file)."""

    def __init__(self, output: Path):
        self.output = output

    def send(self, message: EmailMessage, folder: str) -> str:
        path = self.output / "outbox" / safe_name(folder) / eml_name(single_recipient(message))
        return str(write_atomic(path, message.as_bytes(), self.output))


class SmtpTransport:
    """SMTP with STARTTLS and login as configured; the password comes only from the named environment variable."""

    def __init__(self, smtp: SmtpSettings):
        self.smtp = smtp
        self.password = smtp.password()  # read now: a missing secret fails before any message is built

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.smtp.ca_file) if self.smtp.ca_file else None)

    def send(self, message: EmailMessage, folder: str) -> str:
        recipient = single_recipient(message)
        with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout_seconds) as client:
            if self.smtp.starttls:
                client.starttls(context=self._tls_context())
            if self.smtp.username:
                client.login(self.smtp.username, self.password or "")
            # The envelope names the one recipient explicitly: smtplib would otherwise take it from the headers.
            client.send_message(message, to_addrs=[recipient])
        return f"smtp://{self.smtp.host}:{self.smtp.port}"


DEFAULT_SENDER = "PMO <pmo@localhost>"


def sender_of(settings: Settings) -> str:
    """The From address: smtp.from when SMTP is configured; outbox messages come from the default."""
    return settings.smtp.from_ if settings.smtp else DEFAULT_SENDER


def transport_for(settings: Settings) -> Transport:
    return SmtpTransport(settings.smtp) if settings.smtp else OutboxTransport(settings.output)
