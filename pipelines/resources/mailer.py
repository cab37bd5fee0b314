"""Delivery transports: SMTP when `smtp` is configured, else `.eml` files in the month's outbox.

A transport sends one message or raises; retries, backoff and the delivery log belong to the caller
(pipelines.delivery), so both transports are retried and logged the same way.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from pipelines.files import write_atomic
from pipelines.resources.settings import Settings, SmtpSettings

# What a transport raises for a message it could not hand over (refused, timed out, connection lost).
TRANSPORT_ERRORS = (smtplib.SMTPException, OSError)


class Transport(Protocol):
    def send(self, message: EmailMessage, folder: str) -> str:
        """Hand the message over; return where it went. `folder` names the outbox folder (e.g. `2026-10`)."""


def eml_name(recipient: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", recipient.lower()) + ".eml"


class OutboxTransport:
    """Writes each message to `output/outbox/<folder>/<recipient>.eml` (a re-send overwrites the file)."""

    def __init__(self, output: Path):
        self.output = output

    def send(self, message: EmailMessage, folder: str) -> str:
        path = self.output / "outbox" / folder / eml_name(str(message["To"]))
        return str(write_atomic(path, message.as_bytes()))


class SmtpTransport:
    """SMTP with STARTTLS and login as configured; the password comes only from the named environment variable."""

    def __init__(self, smtp: SmtpSettings):
        self.smtp = smtp
        self.password = smtp.password()  # read now: a missing secret fails before any message is built

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.smtp.ca_file) if self.smtp.ca_file else None)

    def send(self, message: EmailMessage, folder: str) -> str:
        with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout_seconds) as client:
            if self.smtp.starttls:
                client.starttls(context=self._tls_context())
            if self.smtp.username:
                client.login(self.smtp.username, self.password or "")
            client.send_message(message)
        return f"smtp://{self.smtp.host}:{self.smtp.port}"


DEFAULT_SENDER = "PMO <pmo@localhost>"


def sender_of(settings: Settings) -> str:
    """The From address: smtp.from when SMTP is configured; outbox messages come from the default."""
    return settings.smtp.from_ if settings.smtp else DEFAULT_SENDER


def transport_for(settings: Settings) -> Transport:
    return SmtpTransport(settings.smtp) if settings.smtp else OutboxTransport(settings.output)
