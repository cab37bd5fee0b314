"""The relay's limits (issue 26), against real relays on loopback written here: one that never greets, one that
drips a byte at a time, one that floods continuation lines, and relays with and without SMTPUTF8. Each reply
has a deadline and a bound; after `delivery.max_attempts` relay failures in a row the rest are left unsent and
listed, and the next send delivers them through a good relay (tests/smtp_server.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import socket
import threading
import time
from email import policy

import duckdb
import pytest
from aiosmtpd.controller import Controller

from pipelines.config import SmtpSettings, load_settings
from pipelines.core.delivery import send as send_module
from pipelines.core.delivery.send import deliver_month, send_with_retries
from pipelines.core.delivery.transports import RecipientError, SmtpTransport
from reports.data import PackData
from reports.email import build_message
from tests.helpers import write_config
from tests.smtp_server import PASSWORD, SmtpServer, free_port

SEP = dt.date(2026, 9, 1)
RECIPIENTS = ["ann@example.com", "bob@example.com", "carol@example.com"]
TIMEOUT = 1


class HostileRelay:
    """A TCP server on loopback that accepts and then misbehaves as `behaviour` says, until the test ends."""

    def __init__(self, behaviour: str):
        self.behaviour = behaviour
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.connections: list[socket.socket] = []
        self.threads: list[threading.Thread] = []

    def _accept(self):
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket):
        try:
            if self.behaviour == "silent":  # accepts, says nothing
                self.stopping.wait()
            elif self.behaviour == "drip":  # a greeting that never ends: one byte well within each read's timeout
                connection.sendall(b"220-")
                while not self.stopping.wait(0.2):
                    connection.sendall(b"x")
            elif self.behaviour == "flood":  # greets, then answers EHLO with continuation lines without end
                connection.sendall(b"220 hostile.example ESMTP\r\n")
                connection.recv(1024)
                line = b"250-" + b"x" * 60 + b"\r\n"
                while not self.stopping.is_set():
                    connection.sendall(line * 16)
        except OSError:
            pass

    def __enter__(self) -> HostileRelay:
        thread = threading.Thread(target=self._accept, daemon=True)
        self.threads.append(thread)
        thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self.listener.close()
        for thread in self.threads:
            thread.join(5)


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """A warehouse holding only the month's distribution list; the pack's data and files are stubbed, so the
    delivery functions run as they do, without a pipeline run."""
    conn = duckdb.connect(str(tmp_path / "steerpack.duckdb"))
    conn.execute(
        "create schema marts; create table marts.fct_distribution_month (month date, recipient_email varchar, "
        "recipient_name varchar, recipient_role varchar, recipient_scope varchar)"
    )
    for address in RECIPIENTS:
        conn.execute(
            "insert into marts.fct_distribution_month values (?, ?, ?, 'Sponsor', 'portfolio')",
            [SEP, address, address.split("@")[0].title()],
        )
    monkeypatch.setattr(send_module, "load_pack_data", lambda conn, month, ids: PackData(month, dt.date(2026, 9, 30)))
    monkeypatch.setattr(send_module, "attachments_for", lambda *args, **kwargs: [])
    monkeypatch.setenv("STEERPACK_TEST_SMTP_PASSWORD", PASSWORD)
    yield conn
    conn.close()


def settings_for(tmp_path, smtp: dict):
    delivery = {"max_attempts": 2, "retry_backoff_seconds": 0}
    return load_settings(write_config(tmp_path / "config", smtp=smtp, delivery=delivery))


def plain_relay(port: int) -> dict:
    return {"host": "127.0.0.1", "port": port, "starttls": False, "from": "PMO <pmo@example.com>",
            "timeout_seconds": TIMEOUT}  # fmt: skip


def deliver_within(conn, settings, seconds: float):
    """deliver_month in a thread: a relay that holds the client forever fails the test instead of hanging it."""
    result, waits = {}, []

    def run():
        result["outcomes"] = deliver_month(conn, settings, SEP, SmtpTransport(settings.smtp), sleep=waits.append)

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the delivery was still waiting on the relay after {seconds} s"
    return result["outcomes"], time.monotonic() - started


def log(conn):
    return conn.execute(
        "select recipient, status, attempts, sent_at is not null, last_error from marts.delivery_log "
        "where month = ? order by recipient",
        [SEP],
    ).fetchall()


@pytest.mark.parametrize(
    "behaviour, reason",
    [
        ("silent", f"no complete reply to the greeting within {TIMEOUT} s (smtp.timeout_seconds)"),
        ("drip", f"no complete reply to the greeting within {TIMEOUT} s (smtp.timeout_seconds)"),
        ("flood", "the reply to EHLO goes on past 64 KiB ("),
    ],
)
def test_a_hostile_relay_stops_the_run_and_the_next_send_delivers_the_rest(tmp_path, warehouse, behaviour, reason):
    with HostileRelay(behaviour) as relay:
        settings = settings_for(tmp_path, plain_relay(relay.port))
        outcomes, elapsed = deliver_within(warehouse, settings, 30)
    named = f"relay 127.0.0.1:{relay.port}: {reason}"
    # the first recipient is tried max_attempts (2) times; then the relay counts as down and nobody else is tried
    first, *rest = outcomes
    assert (first.recipient, first.status, first.attempts) == ("ann@example.com", "failed", 2)
    assert first.error.startswith(f"RelayError: {named}")
    assert [(o.recipient, o.status, o.attempts) for o in rest] == [
        ("bob@example.com", "failed", 0),
        ("carol@example.com", "failed", 0),
    ]
    for outcome in rest:  # listed, with why and what to do
        assert outcome.error.startswith("not tried: the relay failed 2 times in a row (last: RelayError: ")
        assert named in outcome.error and "the next `steerpack send --month 2026-09` sends it" in outcome.error
    assert elapsed < 4 * TIMEOUT + 5  # two deadlines, not three recipients' worth of retries
    assert [row[:4] for row in log(warehouse)] == [
        ("ann@example.com", "failed", 2, False),
        ("bob@example.com", "failed", 0, False),
        ("carol@example.com", "failed", 0, False),
    ]

    with SmtpServer(tmp_path) as good:
        settings = settings_for(tmp_path, good.smtp_config())
        outcomes, _ = deliver_within(warehouse, settings, 60)
        assert [(o.recipient, o.status) for o in outcomes] == [(address, "sent") for address in RECIPIENTS]
        assert sorted(r.envelope_to[0] for r in good.mailbox.received) == RECIPIENTS
    assert [row[:4] for row in log(warehouse)] == [
        ("ann@example.com", "sent", 3, True),
        ("bob@example.com", "sent", 1, True),
        ("carol@example.com", "sent", 1, True),
    ]


class Inbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.received.append((envelope.rcpt_tos, envelope.mail_options, envelope.content))
        return "250 OK"


@pytest.fixture
def relay_without_tls(request):
    """A plain aiosmtpd relay on loopback; `request.param` says whether it offers SMTPUTF8."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=request.param)
    controller.start()
    yield inbox, SmtpTransport(SmtpSettings(**plain_relay(port))), port
    controller.stop()


def message_to(address: str, name: str):
    person = {"recipient_email": address, "recipient_name": name, "recipient_scope": "portfolio"}
    data = PackData(SEP, dt.date(2026, 9, 30))
    return build_message(data, person, "PMO <pmo@example.com>", [], dt.datetime.now(dt.UTC), "<m@example.com>")


@pytest.mark.parametrize("relay_without_tls", [True], indirect=True)
def test_a_non_ascii_mailbox_goes_over_smtputf8_in_normal_form(relay_without_tls):
    inbox, transport, _ = relay_without_tls
    transport.send(message_to("José@xn--exmple-cua.com", "José Müller"), "2026-09")
    [(rcpt, options, content)] = inbox.received
    assert rcpt == ["José@xn--exmple-cua.com"] and "SMTPUTF8" in options
    parsed = email.message_from_string(content.decode("utf-8"), policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec == "José@xn--exmple-cua.com"
    assert "To: José Müller <José@xn--exmple-cua.com>\r\n".encode() in content


@pytest.mark.parametrize("relay_without_tls", [False], indirect=True)
def test_a_non_ascii_mailbox_without_smtputf8_is_a_clear_failure_for_it_alone(relay_without_tls):
    inbox, transport, port = relay_without_tls
    with pytest.raises(RecipientError, match=f"relay 127.0.0.1:{port} does not offer SMTPUTF8, which José@"):
        transport.send(message_to("José@xn--exmple-cua.com", "José"), "2026-09")
    settings = load_settings(None).delivery
    attempts, error = send_with_retries(transport, message_to("José@xn--exmple-cua.com", "José"), "x", settings)
    assert attempts == 1 and "SMTPUTF8" in error  # no retry can make the relay speak UTF-8
    # an ASCII mailbox at an internationalised domain needs no SMTPUTF8: the envelope has the IDNA form
    transport.send(message_to("jose@xn--exmple-cua.com", "José Müller"), "2026-09")
    [(rcpt, options, content)] = inbox.received
    assert rcpt == ["jose@xn--exmple-cua.com"] and "SMTPUTF8" not in options
    assert b"To: =?utf-8?q?Jos=C3=A9_M=C3=BCller?= <jose@xn--exmple-cua.com>" in content
