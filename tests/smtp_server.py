"""A real SMTP server on loopback for the delivery tests: aiosmtpd with STARTTLS (a trustme CA) and login.

It keeps every accepted message, and refuses the messages addressed to anyone in `refuse` with a 554,
counting each refusal, so a test can watch retries happen and stop.
"""

from __future__ import annotations

import email
import socket
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME, PASSWORD = "pmo-bot", "s3cret-from-env"


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    refused: dict[str, int] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        targets = [address.lower() for address in envelope.rcpt_tos]
        refused = [address for address in targets if address in self.refuse]
        if refused:
            for address in refused:
                self.refused[address] = self.refused.get(address, 0) + 1
            return "554 5.7.1 Message refused by policy"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, targets, message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address.lower() in r.envelope_to]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """Start with `with SmtpServer(tmp_path) as server:`; `server.smtp_config()` is the matching `smtp:` block."""

    def __init__(self, folder):
        self.authority = trustme.CA()
        self.ca_file = folder / "smtp-ca.pem"
        self.authority.cert_pem.write_to_path(str(self.ca_file))
        certificate = self.authority.issue_cert("localhost", "127.0.0.1")
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(tls)
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=tls,
            require_starttls=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
        )

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == USERNAME
            and auth_data.password.decode() == PASSWORD
        )
        if ok:
            self.mailbox.logins.append(USERNAME)
        return AuthResult(success=ok)

    def smtp_config(self) -> dict:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "starttls": True,
            "username": USERNAME,
            "password_env": "STEERPACK_TEST_SMTP_PASSWORD",
            "from": "PMO <pmo@example.com>",
            "timeout_seconds": 10,
            "ca_file": str(self.ca_file),
        }

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
