"""Delivery transports. The embedded default writes each message as an .eml file in the month's outbox."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from pathlib import Path

from pipelines.files import write_atomic


def outbox_folder(output: Path, month: dt.date) -> Path:
    return output / "outbox" / month.strftime("%Y-%m")


def eml_name(recipient: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", recipient.lower()) + ".eml"


class OutboxMailer:
    """Writes messages to `output/outbox/YYYY-MM/<recipient>.eml` (one file per recipient; re-delivery overwrites)."""

    def __init__(self, output: Path):
        self.output = output

    def send(self, month: dt.date, message: EmailMessage) -> Path:
        path = outbox_folder(self.output, month) / eml_name(str(message["To"]))
        return write_atomic(path, message.as_bytes())
