"""One email per recipient: a short HTML body with a plain-text alternative, limited to the recipient's scope."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from pipelines.core.delivery.scope import scope_label, scope_project_ids
from reports.data import PackData
from reports.render import ENVIRONMENT


def subject(month: dt.date, project_ids: frozenset[str] | None) -> str:
    return f"Steering pack — {month:%Y-%m} — {scope_label(project_ids)}"


def build_message(
    data: PackData, recipient: dict, sender: str, attachments: list[Path], sent_at: dt.datetime, message_id: str
) -> EmailMessage:
    project_ids = scope_project_ids(recipient["recipient_scope"])
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient["recipient_email"]
    message["Subject"] = subject(data.month, project_ids)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    new_reds = [change for change in data.changes if change["is_new_red"]]
    context = {
        "data": data,
        "recipient": recipient,
        "scope_label": scope_label(project_ids),
        "new_reds": new_reds,
        "attachments": [path.name for path in attachments],
    }
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


def build_failure_message(
    sender: str, to: str, subject_line: str, body: str, sent_at: dt.datetime, message_id: str
) -> EmailMessage:
    """A plain-text alert for the PMO operations address."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject_line
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    message.set_content(body)
    return message
