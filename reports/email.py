"""One email per recipient: a short HTML body with a plain-text alternative, limited to the recipient's scope."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from reports.data import PackData
from reports.render import ENVIRONMENT

PORTFOLIO_SCOPE = "portfolio"


def scope_project_ids(scope: str) -> set[str] | None:
    """`portfolio` -> None (everything); `P1; P2` -> {"P1", "P2"}."""
    if scope.strip().lower() == PORTFOLIO_SCOPE:
        return None
    return {part.strip() for part in scope.split(";") if part.strip()}


def message_id(month: dt.date, recipient: str) -> str:
    """Stable per (month, recipient), so a re-delivered message is recognisably the same one."""
    digest = hashlib.sha256(f"{month:%Y-%m}|{recipient.lower()}".encode()).hexdigest()[:24]
    return f"<steerpack.{month:%Y%m}.{digest}@steerpack.invalid>"


def build_message(data: PackData, recipient: dict, sender: str, attachments: list[Path],
                  sent_at: dt.datetime) -> EmailMessage:
    scope_ids = scope_project_ids(recipient["recipient_scope"])
    scope_label = PORTFOLIO_SCOPE if scope_ids is None else ", ".join(sorted(scope_ids))
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient["recipient_email"]
    message["Subject"] = f"Steering pack — {data.month:%Y-%m} — {scope_label}"
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id(data.month, recipient["recipient_email"])
    context = {"data": data, "recipient": recipient, "scope_label": scope_label}
    message.set_content(ENVIRONMENT.get_template("email.txt.j2").render(**context))
    message.add_alternative(ENVIRONMENT.get_template("email.html.j2").render(**context), subtype="html")
    for path in attachments:
        maintype, subtype = _mime_type(path)
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def _mime_type(path: Path) -> tuple[str, str]:
    return {
        ".html": ("text", "html"),
        ".pdf": ("application", "pdf"),
        ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    }.get(path.suffix.lower(), ("application", "octet-stream"))
