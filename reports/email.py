"""One email per recipient: a short HTML body with a plain-text alternative, limited to the recipient's scope
(the scope of the PackData it is built from: `PackData.scope`)."""

from __future__ import annotations

import datetime as dt
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from reports.data import PackData
from reports.forecast import narrative_sentences
from reports.templating import ENVIRONMENT
from reports.text import printable

PORTFOLIO_LABEL = "portfolio"  # how a message (and the delivery log) names the whole portfolio


def scope_label(project_ids: frozenset[str] | None) -> str:
    """`portfolio`, or the scope's project ids in order: `CRM, PAY`."""
    return PORTFOLIO_LABEL if project_ids is None else ", ".join(sorted(project_ids))


def _one_line(value: Any) -> Any:
    """Every value a mail template prints: text from the register or a file name (a project name holding a
    newline, a bidi override U+202E) shows its control and bidi characters as escapes (`\\n`, `\\u202e`), so it
    cannot forge a line of the message or reverse what the reader sees (DESIGN §4a)."""
    if not isinstance(value, str):
        return value
    shown = printable(value)
    # markup a filter made (`join` under autoescape) stays markup: its escapes add no HTML, so it is not escaped twice
    return Markup(shown) if isinstance(value, Markup) else shown


# The mail templates over the pack's environment; HTML is still autoescaped after this.
MAIL_ENVIRONMENT = ENVIRONMENT.overlay(finalize=_one_line)


def subject(month: dt.date, project_ids: frozenset[str] | None) -> str:
    return printable(f"Steering pack — {month:%Y-%m} — {scope_label(project_ids)}")


def to_address(recipient: dict) -> Address:
    """The To: of a recipient: their name (one line, controls escaped) and their address, which the caller gives in
    normal form (pipelines.sources.addresses.normalise_address: the delivery normalises it before building the
    message), built structurally so the policy encodes it as RFC 2047 (a non-ASCII name) or, over SMTPUTF8, RFC 6532
    (a non-ASCII mailbox name); the domain is IDNA already."""
    username, _, domain = recipient["recipient_email"].rpartition("@")
    name = recipient.get("recipient_name")
    return Address(display_name=printable(name) if name else "", username=username, domain=domain)


def build_message(
    data: PackData, recipient: dict, sender: str, attachments: list[Path], sent_at: dt.datetime, message_id: str
) -> EmailMessage:
    project_ids = data.scope
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to_address(recipient)
    message["Subject"] = subject(data.month, project_ids)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    new_reds = [change for change in data.changes if change["is_new_red"]]
    context = {
        **mail_narrative(data),
        "data": data,
        "recipient": recipient,
        "scope_label": scope_label(project_ids),
        "new_reds": new_reds,
        "attachments": [path.name for path in attachments],
    }
    message.set_content(MAIL_ENVIRONMENT.get_template("email.txt.j2").render(**context))
    message.add_alternative(MAIL_ENVIRONMENT.get_template("email.html.j2").render(**context), subtype="html")
    for path in attachments:
        maintype, subtype = _mime_type(path)
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=printable(path.name))
    return message


MAIL_SECTIONS = ("changed", "next")  # what a scoped reader's mail says of each of their projects


def mail_narrative(data: PackData) -> dict[str, Any]:
    """The status narrative (fct_status_narrative_month) a reader's mail carries: the portfolio's sentences for a
    portfolio reader; for a scoped reader each of their projects' "changed" and "next" sentences, and nothing of
    the portfolio or of another project (PackData holds only the reader's projects' rows)."""
    if data.scope is None:
        return {"portfolio_sentences": narrative_sentences(data.narrative), "project_sentences": []}
    projects = []
    for project in data.projects:
        if project["project_id"] not in data.scope:
            continue
        sentences = narrative_sentences(data.project_narratives.get(project["project_id"], []), MAIL_SECTIONS)
        if sentences:
            projects.append({"project_name": project["project_name"], "sentences": sentences})
    return {"portfolio_sentences": [], "project_sentences": projects}


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
    message["Subject"] = printable(subject_line)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    message.set_content(body)
    return message
