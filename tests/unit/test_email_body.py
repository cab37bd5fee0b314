"""The reader's mail as mail clients get it (issue #31): table layout with every style inlined, the headline chart
as an inline CID image described in words, the RAG table in both bodies, and a size limit that leaves an oversized
pack file out and says where it is. One hand-made warehouse (tests.helpers.hand_made_marts), October 2026:

    CRM  CRM Cloud   reported Green, measured Red (a watermelon, new Red), EAC 12 % over BAC, finish 30 days late
    PAY  Payroll     reported Amber, measured Amber, EAC 3 % over, 1 day late
    WEB  Website     reported Green, measured Green, EAC 2 % under, on time
    portfolio: CPI 0.97 / SPI 0.93 in September, 0.94 / 0.91 in October
"""

import datetime as dt
import email
import re
from email import policy
from html.parser import HTMLParser

import duckdb
import pytest

from reports import TEMPLATES_DIR
from reports.data import PackData, load_pack_data
from reports.email import attached_paths, build_message
from tests.helpers import hand_made_marts, insert_mart_row

SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
AS_OF = dt.date(2026, 10, 31)
HEAD = {"recipient_email": "head@example.com", "recipient_name": "Head of PMO", "recipient_scope": "portfolio"}
PROJECTS = (
    ("CRM", "CRM Cloud", "Green", "Red", 0.12, 30),
    ("PAY", "Payroll", "Amber", "Amber", 0.03, 1),
    ("WEB", "Website", "Green", "Green", -0.02, 0),
)


@pytest.fixture(scope="module")
def marts():
    conn = duckdb.connect(":memory:")
    hand_made_marts(conn)
    for project_id, name, reported, overall, overrun, slip in PROJECTS:
        insert_mart_row(
            conn, "fct_project_month", month=OCT, project_id=project_id, project_name=name, tier=1, as_of=AS_OF,
            reported_status=reported, rag_overall=overall, cost_overrun_pct=overrun, slip_days=slip,
            watermelon=(reported, overall) == ("Green", "Red"), unverified_green=False, data_complete=True,
        )  # fmt: skip
        insert_mart_row(conn, "dim_project", project_id=project_id, sponsor="S", project_manager="M")
    insert_mart_row(
        conn, "fct_project_change_month", month=OCT, project_id="CRM", rag_overall="Red",
        previous_rag_overall="Amber", rag_moved=True, is_new_red=True, slip_days_change=10,
        changed_since_last_month=True,
    )  # fmt: skip
    for month, cpi, spi, red, amber, green in ((SEP, 0.97, 0.93, 0, 2, 1), (OCT, 0.94, 0.91, 1, 1, 1)):
        insert_mart_row(
            conn, "fct_portfolio_month", month=month, as_of=AS_OF, projects_total=3, projects_red=red,
            projects_amber=amber, projects_green=green, projects_unknown=0, watermelons=red, unverified_greens=0,
            new_reds=red, portfolio_cpi=cpi, portfolio_cpi_projects=3, portfolio_spi=spi, portfolio_spi_projects=3,
        )  # fmt: skip
    for project_id, sentence in ((None, "Portfolio changed: CRM Cloud turned Red."), ("PAY", "Payroll changed: none.")):
        insert_mart_row(
            conn, "fct_status_narrative_month", month=OCT, project_id=project_id, section="changed", sentence_no=1,
            sentence=sentence,
        )  # fmt: skip
    yield conn
    conn.close()


def mail(data: PackData, attachments=(), **limits) -> email.message.EmailMessage:
    """The message as the reader's client parses it."""
    message = build_message(
        data, HEAD, "pmo@example.com", list(attachments), dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        "<oct.head@example.com>", **limits,
    )  # fmt: skip
    return email.message_from_bytes(message.as_bytes(), policy=policy.default)


class Elements(HTMLParser):
    """Every start tag of a document with its attributes, and the text inside each <td>/<th>."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.cells: list[tuple[dict[str, str], str]] = []
        self._cell: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "th"):
            self._cell = [dict(attrs), ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append((self._cell[0], self._cell[1].strip()))
            self._cell = None


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_html_body_is_table_layout_with_every_style_inlined(marts):
    html = mail(load_pack_data(marts, OCT)).get_body(("html",)).get_content()
    assert "<style" not in html and "</style>" not in html
    document = Elements(html)
    # every class the template styles reached its elements as style="" (clients drop the <style> block)
    template_classes = set(re.findall(r'class="([a-z-]+)', (TEMPLATES_DIR / "email.html.j2").read_text()))
    assert {"outer", "inner", "cell", "grade", "count", "signoff"} <= template_classes
    classed = [(tag, attrs) for tag, attrs in document.tags if attrs.get("class")]
    # all but a scoped reader's project sentences, the too-large notice and the big scope's "more Green" note
    assert {attrs["class"].split()[0] for _, attrs in classed} == template_classes - {"project-name", "notice", "note"}
    assert all(attrs.get("style") for _, attrs in classed), [a for _, a in classed if not a.get("style")]
    outer, inner = [attrs for tag, attrs in document.tags if tag == "table"][:2]
    assert (outer["role"], outer["width"], inner["role"], inner["width"]) == (
        "presentation",
        "100%",
        "presentation",
        "640",
    )
    # the RAG table: word and shape in each grade cell, on a background dark text reads on (WCAG AA: 4.5:1)
    rows = [text for _, text in document.cells]
    header = rows.index("Project")
    assert rows[header : header + 6] == ["Project", "Name", "Reported", "Overall", "EAC vs BAC", "Finish slip"]
    assert rows[header + 6 : header + 24] == [
        "CRM", "CRM Cloud", "● Green", "■ Red", "+12.0%", "30 days",
        "PAY", "Payroll", "▲ Amber", "▲ Amber", "+3.0%", "1 day",
        "WEB", "Website", "● Green", "● Green", "-2.0%", "0 days",
    ]  # fmt: skip
    grade_cells = {text: attrs["style"] for attrs, text in document.cells if "grade" in attrs.get("class", "")}
    assert set(grade_cells) == {"■ Red", "▲ Amber", "● Green"}
    for style in grade_cells.values():
        [background] = re.findall(r"background-color: (#[0-9a-f]{6})", style)
        [text] = re.findall(r"(?<!-)color: (#[0-9a-f]{6})", style)
        assert contrast(text, background) >= 4.5, style
    assert "background-color: #f8d0cc" in grade_cells["■ Red"]
    assert "■ 1 Red" in html and "▲ 1 Amber" in html and "● 1 Green" in html
    assert "Portfolio changed: CRM Cloud turned Red." in html
    assert "New reds this month: CRM Cloud." in html and "measured Red): CRM Cloud." in html


def test_the_headline_chart_is_an_inline_cid_image_described_in_words(marts, tmp_path):
    pack = tmp_path / "steering-pack-2026-10.pdf"
    pack.write_bytes(b"%PDF-1.7")
    message = mail(load_pack_data(marts, OCT), [pack])
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
        "application/pdf",
    ]
    [image] = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<headline-chart.oct.head@example.com>"
    assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
    [img] = [attrs for tag, attrs in Elements(message.get_body(("html",)).get_content()).tags if tag == "img"]
    assert img["src"] == "cid:headline-chart.oct.head@example.com"
    described = (
        "Portfolio CPI 0.94 and SPI 0.91 in October 2026, from CPI 0.97 and SPI 0.93 in September 2026 "
        "(1.00 = on plan)."
    )
    assert img["alt"] == described
    # the chart is drawn 768 x 360 px (6.4 x 3.0 in at 120 dpi), shown 600 wide: 360 * 600 / 768 = 281.25
    assert (img["width"], img["height"]) == ("600", "281")
    assert described in message.get_body(("plain",)).get_content()


def test_the_text_alternative_carries_the_rag_table(marts):
    text = mail(load_pack_data(marts, OCT)).get_body(("plain",)).get_content()
    assert "covers 3 projects in your scope (portfolio): 1 Red, 1 Amber, 1 Green (measured)." in text
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert lines == [
        "- CRM CRM Cloud: reported ● Green, measured ■ Red, EAC vs BAC +12.0%, finish slip 30 days",
        "- PAY Payroll: reported ▲ Amber, measured ▲ Amber, EAC vs BAC +3.0%, finish slip 1 day",
        "- WEB Website: reported ● Green, measured ● Green, EAC vs BAC -2.0%, finish slip 0 days",
    ]


def test_a_scoped_reader_gets_no_portfolio_chart_nor_figures(marts):
    message = mail(load_pack_data(marts, OCT, {"PAY"}))
    assert [part.get_content_type() for part in message.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    bodies = message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()
    assert "Payroll" in bodies and "<img" not in bodies
    for other in ("Portfolio", "0.94", "0.91", "CRM", "Website"):
        assert other not in bodies


def test_an_attachment_over_the_size_limit_is_left_out_and_both_bodies_give_its_path(marts, tmp_path):
    data = load_pack_data(marts, OCT)
    small, big = tmp_path / "steering-pack-2026-10.html", tmp_path / "steering-pack-2026-10.pdf"
    small.write_bytes(b"<p>pack</p>" * 6000)  # 66,000 bytes: 89 KB encoded
    big.write_bytes(bytes(range(256)) * 1600)  # 409,600 bytes: 546 KB once base64-encoded
    everything = mail(data, [big, small])
    assert [part.get_filename() for part in everything.iter_attachments()] == [big.name, small.name]
    limit = 300_000  # the bodies are ~50 KB (the chart's PNG 45 KB encoded): ~140 KB with the HTML, ~690 KB with both
    message = mail(data, [big, small], max_message_bytes=limit)
    assert len(message.as_bytes()) <= limit
    assert [part.get_filename() for part in message.iter_attachments()] == [small.name]
    assert attached_paths(message, [big, small]) == [small]
    # 409,600 / 1,048,576 = 0.39 MB
    notice = f"The pack is too large to attach (0.4 MB): it is at {big}"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert notice in text.splitlines() and notice in html
    assert f"Attached: {small.name}." in text and f"Attached: {small.name}." in html
    assert "The pack is too large" not in everything.get_body(("plain",)).get_content()
    # neither fits: both named, nothing attached, and the table's Greens are "in the pack", not "attached"
    bare = mail(data, [big, small], max_message_bytes=100_000)
    assert list(bare.iter_attachments()) == []
    assert f"(0.1 MB): it is at {small}" in bare.get_body(("plain",)).get_content()
    assert "Attached:" not in bare.get_body(("html",)).get_content() and len(bare.as_bytes()) < 100_000


def test_a_big_scope_lists_its_projects_that_are_not_green(tmp_path):
    projects = [
        {"project_id": f"G{n:02}", "project_name": f"Green {n}", "reported_status": "Green", "rag_overall": "Green"}
        for n in range(25)
    ] + [{"project_id": "R01", "project_name": "Late One", "reported_status": "Amber", "rag_overall": "Red"}]
    for project in projects:
        project.update(cost_overrun_pct=None, slip_days=None)
    data = PackData(month=OCT, as_of=AS_OF, projects=projects, scope=frozenset(p["project_id"] for p in projects))
    pack = tmp_path / "steering-pack-2026-10.html"
    pack.write_text("<p>pack</p>", encoding="utf-8")
    message = mail(data, [pack])
    text = message.get_body(("plain",)).get_content()
    assert [line for line in text.splitlines() if line.startswith("- ")] == [
        "- R01 Late One: reported ▲ Amber, measured ■ Red, EAC vs BAC —, finish slip —"
    ]
    assert "25 more Green in the attached pack." in text
    assert "25 more Green in the attached pack." in message.get_body(("html",)).get_content()
    assert "25 more Green in the pack." in mail(data).get_body(("plain",)).get_content()


def test_a_deck_is_attached_as_a_presentation(marts, tmp_path):
    deck = tmp_path / "steering-pack-2026-10.pptx"
    deck.write_bytes(b"PK\x03\x04")
    [attached] = mail(load_pack_data(marts, OCT), [deck]).iter_attachments()
    assert attached.get_content_type() == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
