"""Recipient addresses are mailboxes (DESIGN §4a): one normal form for comparing and for sending.

A Distribution cell is typed by a person and may hold what a person cannot see: a zero-width space, a bidi
override, a fullwidth `ａ`, an upper-case or Unicode domain, a `+tag`. Compared as typed, `ann+pmo@x.com` and
`ann@x.com` (one mailbox) could take two scopes; sent as typed, an address could carry an invisible character.

- `normalise_address` is the deliverable form, stored by the register parser in `raw.distribution.email` and
  checked again before a message is built: NFKC; no control, format (zero-width, bidi, BOM) or separator
  character and no whitespace (refused: AddressError); a non-ASCII domain as its IDNA A-label (`xn--...`,
  lower case); the local part as typed (its case and `+tag` are the reader's). Idempotent.
- `mailbox_key` is the comparison form: the normal form lower-cased, `+tag` folded into its mailbox. The SQL rules
  of expectations/distribution.json compute the same key with `MAILBOX_KEY_SQL` over the stored normal form.
"""

from __future__ import annotations

import re
import unicodedata

import idna

# Control (Cc), format (Cf: zero-width U+200B..U+200D, U+2060, U+FEFF, the bidi marks, embeddings, overrides and
# isolates, the soft hyphen), surrogate (Cs), line and paragraph separators (Zl, Zp).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

# `ann+pmo@x.com` -> `ann@x.com`; a local part that starts with `+` has no tag to fold.
_TAG = re.compile(r"^([^@+]+)\+[^@]*@")

# The key in DuckDB over `raw.distribution.email` (already in normal form): keep it the same as `mailbox_key`.
MAILBOX_KEY_SQL = r"lower(regexp_replace(trim(email), '^([^@+]+)\+[^@]*@', '\1@'))"


class AddressError(ValueError):
    """An address that cannot be compared or sent as it is (invisible characters, no mailbox, a bad domain)."""


def refused_characters(text: str) -> list[str]:
    """The characters of `text` no address may hold, as `U+200B ZERO WIDTH SPACE`."""
    found = dict.fromkeys(character for character in text if unicodedata.category(character) in _REFUSED_CATEGORIES)
    return [f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in found]


def normalise_text(text: str) -> str:
    """A cell's text in NFKC, refusing what no address may hold (checked before and after NFKC)."""
    for candidate in (text, unicodedata.normalize("NFKC", text)):
        refused = refused_characters(candidate)
        if refused:
            raise AddressError(
                f"{ascii(text)} holds {', '.join(refused)}, which cannot be seen or sent: retype the address"
            )
    return unicodedata.normalize("NFKC", text)


def normalise_domain(domain: str) -> str:
    """An ASCII domain as it is (compared without case); a Unicode one as its IDNA A-label (UTS 46 mapping,
    IDNA 2008), lower case. The DNS root's dot is dropped."""
    domain = domain[:-1] if domain.endswith(".") else domain
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise AddressError(
            f"the domain {ascii(domain)} is not a valid internationalised domain name ({error})"
        ) from None


def normalise_address(address: str) -> str:
    """The deliverable normal form of one bare address (`local@domain`, no display name); raises AddressError."""
    text = normalise_text(address.strip())
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or " " in text:
        raise AddressError(f"{ascii(address)} is not an e-mail address")
    try:
        return f"{local}@{normalise_domain(domain)}"
    except AddressError as error:
        raise AddressError(f"{ascii(address)}: {error}") from None


def mailbox_key(address: str) -> str:
    """The comparison form: `normalise_address`, `+tag` folded, lower-cased one character at a time (as DuckDB's
    lower() does, so Python and the SQL rules agree). `Ann+PMO@Example.com` and `ann@example.com` are one key."""
    folded = _TAG.sub(r"\1@", normalise_address(address))
    return "".join(character.lower() if len(character.lower()) == 1 else character for character in folded)


def split_address(address: str) -> tuple[str, str]:
    """(local part, domain) of the normal form, for a structured To: header and the envelope."""
    local, _, domain = normalise_address(address).rpartition("@")
    return local, domain
