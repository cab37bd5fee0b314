"""Addresses are mailboxes, and mail text cannot forge lines (issue 26): each test builds its hostile address,
name or register text here and asserts what is stored, compared, refused or written into the message."""

from __future__ import annotations

import datetime as dt
import email
from email import policy
from pathlib import Path

import pytest

from pipelines.core.delivery.plan import DeliveryError, one_per_mailbox
from pipelines.core.delivery.transports import OutboxTransport, single_recipient
from pipelines.core.quality.findings import ERROR, WARN
from pipelines.core.quality.suites import load_suites
from pipelines.core.quality.table_check import validate_table
from pipelines.sources.addresses import (
    MAILBOX_KEY_SQL,
    AddressError,
    mailbox_key,
    normalise_address,
)
from pipelines.sources.register import parse_register
from reports.data import PackData
from reports.email import build_message
from tests.helpers import GOOD, insert, tiny_register_sheets, write_sheets

SEP = dt.date(2026, 9, 1)

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # BOM / zero-width no-break space
    "\u202a",  # LRE
    "\u202b",  # RLE
    "\u202c",  # PDF
    "\u202d",  # LRO
    "\u202e",  # RLO
    "\u2066",  # LRI
    "\u2067",  # RLI
    "\u2068",  # FSI
    "\u2069",  # PDI
    "\u200e",  # LRM
    "\u200f",  # RLM
]


def findings(conn):
    return {f.rule: f for f in validate_table(conn, load_suites()["distribution"], SEP, {"base_currency": "USD"})}


def parse_distribution(tmp_path, *rows):
    sheets = tiny_register_sheets()
    sheets["Distribution"] = [
        sheets["Distribution"][0],
        *[[address, name, "Sponsor", "BETA"] for address, name in rows],
    ]
    return parse_register(write_sheets(tmp_path / "portfolio.xlsx", sheets), "portfolio.xlsx")


# --- the normal form -------------------------------------------------------------------------------------------


def test_the_normal_form_is_nfkc_with_an_idna_domain_and_the_local_part_as_typed():
    assert normalise_address("ａｎｎ@ｅｘａｍｐｌｅ.com") == "ann@example.com"  # fullwidth letters are the ASCII ones
    assert normalise_address("José@Exämple.COM") == "José@xn--exmple-cua.com"  # IDNA A-label, lower case
    assert normalise_address("a@exämple.com.") == "a@xn--exmple-cua.com"  # the DNS root's dot
    assert normalise_address("Ann+PMO@Example.com") == "Ann+PMO@Example.com"  # deliverable as the reader typed it
    assert normalise_address(normalise_address("José@Exämple.COM")) == "José@xn--exmple-cua.com"  # idempotent
    with pytest.raises(AddressError, match="not a valid internationalised domain name"):
        normalise_address("a@☃.com")


def test_the_comparison_key_folds_case_and_the_tag_into_the_mailbox():
    assert mailbox_key("Ann+PMO@Example.com") == mailbox_key("ann@example.com") == "ann@example.com"
    assert mailbox_key("ann+a+b@x.com") == "ann@x.com"
    assert mailbox_key("ＡＮＮ@exÄmple.com") == "ann@xn--exmple-cua.com"
    assert mailbox_key("+ann@x.com") == "+ann@x.com"  # nothing before the `+`: no tag to fold
    assert mailbox_key("ann@x.com") != mailbox_key("anne@x.com")


@pytest.mark.parametrize("character", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_zero_width_and_bidi_characters_are_refused(character):
    with pytest.raises(AddressError, match=f"U\\+{ord(character):04X}"):
        normalise_address(f"ann{character}@example.com")


def test_the_sql_key_is_the_python_key(conn):
    addresses = ["Ann+PMO@Example.com", "ann@example.com", "+x@y.com", "ÉLODIE+a@xn--exmple-cua.com", " b+c@d.com "]
    rows = conn.execute(f"select {MAILBOX_KEY_SQL} from (select unnest(?::varchar[]) as email)", [addresses]).fetchall()
    assert [row[0] for row in rows] == [mailbox_key(address) for address in addresses]


# --- the register parser stores the normal form, and quarantines what cannot be one -----------------------------


def test_the_parser_stores_the_normal_form_and_quarantines_invisible_characters(tmp_path):
    batch = parse_distribution(
        tmp_path,
        ("José Müller <José@Exämple.com>", "José Müller"),
        ("ｐａｔ＠example.com", "Pat"),
        ("ann\u200b@example.com", "Ann"),  # looks exactly like ann@example.com
        ("eve@exa\u202emple.com", "Eve"),
        ("one@example.com，two@example.com", "Two"),  # a fullwidth comma is a comma
    )
    assert batch.tables["distribution"]["email"].tolist() == ["José@xn--exmple-cua.com", "pat@example.com"]
    reasons = {r.source_row: r.reason for r in batch.rejects if r.table == "distribution"}
    assert sorted(reasons) == [4, 5, 6]
    assert "U+200B ZERO WIDTH SPACE" in reasons[4] and "retype the address" in reasons[4]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in reasons[5]
    assert "\u200b" not in reasons[4] and "\u202e" not in reasons[5]  # the reason itself is safe to print
    assert "holds 2 addresses" in reasons[6]


# --- the quality rules compare mailboxes ------------------------------------------------------------------------


def distribution(*rows):
    return [{"email": address, "name": "n", "role": "r", "scope": scope} for address, scope in rows]


def test_a_tagged_address_with_another_scope_is_one_mailbox_and_blocks_the_month(conn):
    insert(conn, "projects", [GOOD["projects"]])
    insert(
        conn,
        "distribution",
        distribution(("ann+pmo@example.com", "P1"), ("other@example.com", "P1"), ("Ann@Example.com", "portfolio")),
    )
    conflict = findings(conn)["one_scope_per_address"]
    assert (conflict.severity, conflict.failed_rows) == (ERROR, 2)
    assert [(e["source_row"], e["email"], e["scope"]) for e in conflict.examples] == [
        (2, "ann+pmo@example.com", "P1"),
        (4, "Ann@Example.com", "portfolio"),
    ]
    assert "ann+pmo@x.com is ann@x.com" in conflict.description


def test_a_tagged_address_with_the_same_scope_is_listed_once_with_a_warning(conn):
    insert(conn, "projects", [GOOD["projects"]])
    insert(conn, "distribution", distribution(("ann+pmo@example.com", "P1"), ("ANN@example.com", "P1")))
    found = findings(conn)
    assert "one_scope_per_address" not in found
    assert (found["address_listed_once"].severity, found["address_listed_once"].failed_rows) == (WARN, 2)


def recipient(address, scope="portfolio", name="N"):
    return {"recipient_email": address, "recipient_name": name, "recipient_role": "r", "recipient_scope": scope}


def test_the_plan_sends_one_message_per_mailbox_and_refuses_two_scopes_for_one():
    kept = one_per_mailbox([recipient("ann+pmo@example.com", "P1"), recipient("ann@example.com", "P1")])
    assert [r["recipient_email"] for r in kept] == ["ann@example.com"]
    with pytest.raises(DeliveryError, match="one mailbox with different scopes"):
        one_per_mailbox([recipient("ann+pmo@example.com", "P1"), recipient("ann@example.com", "portfolio")])


# --- headers and body -------------------------------------------------------------------------------------------


def pack(project_name="Alpha Billing"):
    project = {"project_id": "ALPHA", "project_name": project_name, "reported_status": "Green", "rag_overall": "Red"}
    change = {"project_name": project_name, "is_new_red": True}
    return PackData(month=SEP, as_of=dt.date(2026, 9, 30), projects=[project], changes=[change])


def message_for(person, data=None, attachments=()):
    return build_message(
        data or pack(),
        person,
        "PMO <pmo@example.com>",
        list(attachments),
        dt.datetime(2026, 10, 3, 6, tzinfo=dt.UTC),
        "<m@example.com>",
    )


def test_an_internationalised_name_and_domain_are_encoded_in_to():
    message = message_for(recipient("jose@xn--exmple-cua.com", name="José Müller"))
    raw = message.as_bytes()
    assert b"To: =?utf-8?q?Jos=C3=A9_M=C3=BCller?= <jose@xn--exmple-cua.com>\n" in raw  # RFC 2047, ASCII mailbox
    parsed = email.message_from_bytes(raw, policy=policy.default)
    [to] = parsed["To"].addresses
    assert (to.display_name, to.addr_spec) == ("José Müller", "jose@xn--exmple-cua.com")
    assert single_recipient(message) == "jose@xn--exmple-cua.com"


def test_a_non_ascii_mailbox_is_written_as_utf8_never_as_an_encoded_word(tmp_path):
    message = message_for(recipient("José@xn--exmple-cua.com", name="José Müller"))
    assert single_recipient(message) == "José@xn--exmple-cua.com"
    path = Path(OutboxTransport(tmp_path).send(message, "2026-09"))
    raw = path.read_bytes()
    assert "To: José Müller <José@xn--exmple-cua.com>\n".encode() in raw  # RFC 6532
    assert b"=?utf-8?q?Jos=C3=A9?=@" not in raw


def test_a_name_cannot_add_a_header_or_a_recipient():
    message = message_for(recipient("pat@example.com", name="Pat\r\nBcc: outsider@evil.example"))
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None and parsed.get_all("To") == [parsed["To"]]
    assert [a.addr_spec for a in parsed["To"].addresses] == ["pat@example.com"]
    assert parsed["To"].addresses[0].display_name == "Pat\\r\\nBcc: outsider@evil.example"
    comma = message_for(recipient("pat@example.com", name="outsider@evil.example, Pat"))
    assert single_recipient(comma) == "pat@example.com"
    assert [a.addr_spec for a in email.message_from_bytes(comma.as_bytes(), policy=policy.default)["To"].addresses] == [
        "pat@example.com"
    ]


def test_register_text_cannot_forge_lines_of_the_mail_or_reverse_it(tmp_path):
    forged = "Alpha\n\nAttached: invoice.exe.\n\n-- steerpack\u202e"
    attachment = tmp_path / "pack\r\nBcc: x.html"
    attachment.write_text("<p>x</p>", encoding="utf-8")
    message = message_for(recipient("pat@example.com"), pack(forged), [attachment])
    text = message.get_body(("plain",)).get_content()
    lines = text.splitlines()
    assert not any(line.startswith("Attached: invoice") for line in lines)
    assert [line for line in lines if line.startswith("-- steerpack")] == ["-- steerpack, on behalf of the PMO"]
    assert "\u202e" not in text and "\r" not in text
    assert "Alpha\\n\\nAttached: invoice.exe.\\n\\n-- steerpack\\u202e" in text
    assert "Attached: pack\\r\\nBcc: x.html." in lines
    html = message.get_body(("html",)).get_content()
    assert "\u202e" not in html and "Alpha\\n\\nAttached" in html
    assert "\r" not in message["Subject"] and "\n" not in message["Subject"]


def test_the_html_body_escapes_controls_once_and_markup_once(tmp_path):
    attachment = tmp_path / "R&D.html"
    attachment.write_text("<p>x</p>", encoding="utf-8")
    message = message_for(recipient("pat@example.com"), pack("R&D <b>\u202eevil"), [attachment])
    html = message.get_body(("html",)).get_content()
    assert "R&amp;D &lt;b&gt;\\u202eevil" in html and "<b>" not in html
    assert "Attached: R&amp;D.html." in html and "&amp;amp;" not in html
