"""Delivery transports: SMTP when `smtp` is configured, else `.eml` files in the month's outbox.

A transport sends one message or raises; retries, backoff and the delivery log belong to the caller
(pipelines.core.delivery.send), so both transports are retried and logged the same way.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import time
from email.headerregistry import AddressHeader
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol

from pipelines.config import Settings, SmtpSettings
from pipelines.core.files import safe_name, write_atomic
from pipelines.sources.addresses import AddressError, normalise_address

# What a transport raises for a message it could not hand over (refused, timed out, connection lost).
TRANSPORT_ERRORS = (smtplib.SMTPException, OSError)

# The most one reply of the relay may hold (all its lines): an EHLO reply is well under 1 KiB, so a reply that
# goes on past this is a broken or hostile relay, not a long answer.
MAX_REPLY_BYTES = 64 * 1024


class Transport(Protocol):
    def send(self, message: EmailMessage, folder: str) -> str:
        """Hand the message over; return where it went. `folder` names the outbox folder (e.g. `2026-10`)."""


class RecipientError(ValueError):
    """A message whose To: is not exactly one address: nothing is handed over."""


def single_recipient(message: EmailMessage) -> str:
    """The one address in To:, in normal form (pipelines.sources.addresses: NFKC, IDNA domain), which is
    what the envelope's RCPT TO names. A message is only ever built for one recipient; anything else is refused,
    so no header can smuggle in a second RCPT TO."""
    header = message["To"]
    if isinstance(header, AddressHeader):  # parsed structurally: a quoted display name never counts as an address
        addresses = [address.addr_spec for address in header.addresses if address.username or address.domain]
    else:
        addresses = [address for _, address in getaddresses([str(header or "")]) if address]
    if len(addresses) != 1 or "@" not in addresses[0]:
        raise RecipientError(f"refused to send: To: {header!r} is not exactly one address")
    try:
        return normalise_address(addresses[0])
    except AddressError as error:
        raise RecipientError(f"refused to send: To: {error}") from None


_EML_NAME = re.compile(r"[a-z0-9@._+-]{1,100}")


def eml_name(recipient: str) -> str:
    """The outbox file of an address: the address itself when it is a plain file name, else its safe characters
    and a digest (so `a'b@example.com` and `a_b@example.com` never share a file)."""
    return safe_name(recipient.strip().lower(), _EML_NAME) + ".eml"


class OutboxTransport:
    """Writes each message to `output/outbox/<folder>/<recipient>.eml` (a re-send overwrites the file)."""

    def __init__(self, output: Path):
        self.output = output

    def send(self, message: EmailMessage, folder: str) -> str:
        recipient = single_recipient(message)
        path = self.output / "outbox" / safe_name(folder) / eml_name(recipient)
        # A non-ASCII local part is written as UTF-8 (RFC 6532), as an SMTPUTF8 relay would receive it: an
        # encoded-word is not allowed in an address.
        policy = message.policy if recipient.isascii() else message.policy.clone(utf8=True)
        return str(write_atomic(path, message.as_bytes(policy=policy), self.output))


class RelayError(smtplib.SMTPException):
    """The relay itself failed (no reply in time, a reply past its bound, the connection lost); the text names
    the relay and the reason."""


def is_relay_failure(error: BaseException) -> bool:
    """A failure of the relay (it cannot be reached, answers nothing, too slowly or too much, drops the line,
    refuses our login or sender, says 421), as against its refusal of this one message (a 5xx/4xx reply to
    RCPT TO or DATA), which says the relay is alive."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code == 421
    return isinstance(error, TRANSPORT_ERRORS)


class BoundedSMTP(smtplib.SMTP):
    """smtplib.SMTP whose every reply (the greeting included) must arrive whole within `timeout` seconds and
    hold at most MAX_REPLY_BYTES. smtplib applies the timeout to each socket read only: a relay that drips a
    byte every timeout - 1 seconds, or sends `250-` continuation lines without end, would hold a run forever."""

    def __init__(self, host: str, port: int, timeout: float, **kwargs):
        self._relay = f"{host}:{port}"
        self._pending = b""
        self._pending_socket = None
        self._command = "the greeting"
        super().__init__(host, port, timeout=timeout, **kwargs)

    def __exit__(self, *exc):
        try:
            self.docmd("QUIT")
        except (smtplib.SMTPException, OSError):
            pass  # whatever was handed over is: a relay that fumbles QUIT loses nothing, and costs no retry
        finally:
            self.close()

    def putcmd(self, cmd, args=""):
        self._command = cmd.split(" ", 1)[0].upper()
        super().putcmd(cmd, args)

    def _fail(self, reason: str) -> RelayError:
        self.close()
        return RelayError(f"relay {self._relay}: {reason}")

    def _readline(self, deadline: float) -> bytes:
        while True:
            end = self._pending.find(b"\n")
            if end >= 0:
                line, self._pending = self._pending[: end + 1], self._pending[end + 1 :]
                return line
            if len(self._pending) > smtplib._MAXLINE:
                raise self._fail(f"a reply line to {self._command} is longer than {smtplib._MAXLINE} bytes")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._fail(
                    f"no complete reply to {self._command} within {self.timeout:g} s (smtp.timeout_seconds)"
                )
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                raise self._fail(
                    f"no complete reply to {self._command} within {self.timeout:g} s (smtp.timeout_seconds)"
                ) from None
            except OSError as error:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"relay {self._relay}: connection lost waiting for the reply to {self._command}: {error}"
                ) from None
            self.sock.settimeout(self.timeout)  # sending keeps the whole timeout
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"relay {self._relay}: connection closed waiting for the reply to {self._command}"
                )
            self._pending += chunk

    def getreply(self):
        """smtplib's getreply, reading through a deadline and a bound on the whole reply."""
        if self._pending_socket is not self.sock:  # a new connection, or TLS begun: nothing read before counts
            self._pending, self._pending_socket = b"", self.sock
        deadline = time.monotonic() + self.timeout
        lines, size, code = [], 0, -1
        while True:
            line = self._readline(deadline)
            size += len(line)
            if len(line) > smtplib._MAXLINE:
                raise self._fail(f"a reply line to {self._command} is longer than {smtplib._MAXLINE} bytes")
            if size > MAX_REPLY_BYTES:
                raise self._fail(
                    f"the reply to {self._command} goes on past {MAX_REPLY_BYTES // 1024} KiB ({len(lines)} lines)"
                )
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                code = -1
                break
            if line[3:4] != b"-":
                break
        return code, b"\n".join(lines)


class SmtpTransport:
    """SMTP with STARTTLS and login as configured; the password comes only from the named environment variable."""

    def __init__(self, smtp: SmtpSettings):
        self.smtp = smtp
        self.password = smtp.password()  # read now: a missing secret fails before any message is built

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.smtp.ca_file) if self.smtp.ca_file else None)

    def send(self, message: EmailMessage, folder: str) -> str:
        recipient = single_recipient(message)
        relay = f"{self.smtp.host}:{self.smtp.port}"
        try:
            with BoundedSMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout_seconds) as client:
                if self.smtp.starttls:
                    client.starttls(context=self._tls_context())
                if self.smtp.username:
                    client.login(self.smtp.username, self.password or "")
                if not recipient.isascii():
                    client.ehlo_or_helo_if_needed()
                    if not client.has_extn("smtputf8"):
                        raise RecipientError(
                            f"relay {relay} does not offer SMTPUTF8, which {recipient} needs (its mailbox name is "
                            "not ASCII): nothing was sent to it; ask for an ASCII address or a relay with SMTPUTF8"
                        )
                # The envelope names the one recipient explicitly: smtplib would otherwise take it from the
                # headers. smtplib uses SMTPUTF8 (and UTF-8 headers) only when an address is not ASCII.
                client.send_message(message, to_addrs=[recipient])
        except smtplib.SMTPException:  # its own class and reply (a 554 is logged as the relay said it)
            raise
        except TimeoutError as error:  # connecting (the replies have their own deadline)
            raise RelayError(f"relay {relay}: no connection within {self.smtp.timeout_seconds:g} s ({error})") from None
        except OSError as error:  # refused, unreachable, reset, a TLS failure
            raise RelayError(f"relay {relay}: {type(error).__name__}: {error}") from None
        return f"smtp://{self.smtp.host}:{self.smtp.port}"


DEFAULT_SENDER = "PMO <pmo@localhost>"


def sender_of(settings: Settings) -> str:
    """The From address: smtp.from when SMTP is configured; outbox messages come from the default."""
    return settings.smtp.from_ if settings.smtp else DEFAULT_SENDER


def transport_for(settings: Settings) -> Transport:
    return SmtpTransport(settings.smtp) if settings.smtp else OutboxTransport(settings.output)
