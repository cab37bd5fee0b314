"""One email per recipient: an HTML body made for mail clients (table layout, CSS inlined, the headline chart as an
inline CID image) with a plain-text alternative, limited to the recipient's scope (the scope of the PackData it is
built from: `PackData.scope`), and the pack's files attached while the message stays under its size limit."""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import css_inline
from markupsafe import Markup

from reports.charts import line_chart_png
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


MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # settings.delivery.max_message_bytes' default: what most relays accept
BIG_SCOPE_PROJECTS = 25  # a scope larger than this lists its projects that are not Green; the pack has the rest
CHART_WIDTH = 600  # px: the inline chart's shown width, inside the 640-px body and its padding
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class InlineChart:
    """The mail's headline chart: PNG bytes sent as a related part, and the <img> that shows it."""

    png: bytes
    content_id: str  # with its angle brackets, as the Content-ID header carries it
    alt: str
    width: int
    height: int

    @property
    def src(self) -> str:
        return f"cid:{self.content_id.strip('<>')}"


def build_message(
    data: PackData,
    recipient: dict,
    sender: str,
    attachments: list[Path],
    sent_at: dt.datetime,
    message_id: str,
    max_message_bytes: int = MAX_MESSAGE_BYTES,
) -> EmailMessage:
    """The reader's message: multipart/mixed > multipart/alternative > (text/plain, multipart/related >
    (text/html, image/png)), then the attachments. When the message as sent (base64 included) would exceed
    `max_message_bytes`, the largest attachment is left out first, then the next largest, until it fits (keeping
    as many files attached as can be); both bodies then name each file left out and the path it is at."""
    chart = headline_chart(data, message_id)
    contents = {path: path.read_bytes() for path in attachments}
    attached = list(attachments)
    while True:
        left_out = [path for path in attachments if path not in attached]
        message = _compose(data, recipient, sender, contents, attached, left_out, sent_at, message_id, chart)
        if not attached or message_size(message) <= max_message_bytes:
            return message
        attached.remove(max(attached, key=lambda path: (len(contents[path]), path.name)))


def attached_paths(message: EmailMessage, attachments: list[Path]) -> list[Path]:
    """The files of `attachments` the message carries (build_message leaves out those over its size limit): what
    the delivery log should record as sent."""
    names = {part.get_filename() for part in message.iter_attachments()}
    return [path for path in attachments if printable(path.name) in names]


def message_size(message: EmailMessage) -> int:
    """The message's size as sent: headers and base64-encoded parts. Counted with UTF-8 headers, as a mailbox
    name that is not ASCII is sent over SMTPUTF8 (RFC 6532)."""
    return len(message.as_bytes(policy=message.policy.clone(utf8=True)))


def _compose(
    data: PackData,
    recipient: dict,
    sender: str,
    contents: dict[Path, bytes],
    attached: list[Path],
    left_out: list[Path],
    sent_at: dt.datetime,
    message_id: str,
    chart: InlineChart | None,
) -> EmailMessage:
    project_ids = data.scope
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to_address(recipient)
    message["Subject"] = subject(data.month, project_ids)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    new_reds = [change for change in data.changes if change["is_new_red"]]
    rows, more_green = rag_rows(data.projects)
    context = {
        **mail_narrative(data),
        "data": data,
        "recipient": recipient,
        "subject": message["Subject"],
        "scope_label": scope_label(project_ids),
        "new_reds": new_reds,
        "rag_rows": rows,
        "more_green": more_green,
        "chart": chart,
        "attachments": [path.name for path in attached],
        "too_large": [{"path": str(path), "megabytes": f"{len(contents[path]) / MEGABYTE:.1f}"} for path in left_out],
    }
    message.set_content(MAIL_ENVIRONMENT.get_template("email.txt.j2").render(**context))
    html = MAIL_ENVIRONMENT.get_template("email.html.j2").render(**context)
    # Gmail and Outlook drop or ignore a <style> block: every rule is written into its elements' style="".
    html = css_inline.inline(html, keep_style_tags=False, load_remote_stylesheets=False)
    message.add_alternative(html, subtype="html")
    if chart is not None:
        html_part = message.get_payload()[1]
        html_part.add_related(chart.png, "image", "png", cid=chart.content_id)
    for path in attached:
        maintype, subtype = _mime_type(path)
        message.add_attachment(contents[path], maintype=maintype, subtype=subtype, filename=printable(path.name))
    return message


def rag_rows(projects: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The projects the mail's RAG table lists, and how many Green ones it leaves to the pack: every project of a
    scope up to BIG_SCOPE_PROJECTS, else those not Green overall (a mail of 2,000 rows is read by nobody)."""
    kept = projects
    if len(projects) > BIG_SCOPE_PROJECTS:
        kept = [project for project in projects if project.get("rag_overall") != "Green"]
    # the table's columns only, a column the row lacks shown "—"
    rows = [{column: project.get(column) for column in RAG_TABLE_COLUMNS} for project in kept]
    return rows, len(projects) - len(kept)


RAG_TABLE_COLUMNS = ("project_id", "project_name", "reported_status", "rag_overall", "cost_overrun_pct", "slip_days")


def headline_chart(data: PackData, message_id: str) -> InlineChart | None:
    """The portfolio's CPI/SPI trend (fct_portfolio_month, as the pack's "indices" chart) for a portfolio reader.
    A scoped reader gets no chart: the trend aggregates every project, and they may see only theirs."""
    if data.scope is not None or not data.trend:
        return None
    months = [row["month"] for row in data.trend]
    png = line_chart_png(
        "CPI and SPI",
        "index (1.0 = on plan)",
        {
            "CPI": list(zip(months, [row["portfolio_cpi"] for row in data.trend])),
            "SPI": list(zip(months, [row["portfolio_spi"] for row in data.trend])),
        },
        reference=1.0,
    )
    if not png:
        return None
    # the PNG's own size (IHDR), shown CHART_WIDTH wide: clients that ignore CSS still lay out the right box
    width, height = struct.unpack(">II", png[16:24])
    shown_height = round(height * CHART_WIDTH / width)
    # one id per message, from its Message-ID: the same month sent again carries the same parts
    content_id = f"<headline-chart.{message_id.strip().strip('<>')}>"
    return InlineChart(png, content_id, chart_description(data.trend), CHART_WIDTH, shown_height)


def chart_description(trend: list[dict[str, Any]]) -> str:
    """The headline chart's figures in words (its alt text): the last month's CPI and SPI, and the first's."""
    last, first = trend[-1], trend[0]
    words = (
        f"Portfolio CPI {_ratio(last['portfolio_cpi'])} and SPI {_ratio(last['portfolio_spi'])} "
        f"in {last['month']:%B %Y}"
    )
    if len(trend) > 1:
        words += (
            f", from CPI {_ratio(first['portfolio_cpi'])} and SPI {_ratio(first['portfolio_spi'])} "
            f"in {first['month']:%B %Y}"
        )
    return words + " (1.00 = on plan)."


def _ratio(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.2f}"


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
        ".pptx": ("application", "vnd.openxmlformats-officedocument.presentationml.presentation"),
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
