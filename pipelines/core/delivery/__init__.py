"""Delivery of a month's packs by mail (DESIGN §7): `plan` (who gets which scope, from the Distribution sheet),
`send` (one message per recipient, idempotent through the delivery log, attachments asked of `core/packs.py`),
`transports` (SMTP with bounded retries, or the `.eml` outbox), `current` (a send refuses a stale pack).

Dagster-free like the rest of `core/`; it may import `core/`, `config`, `sources` (mailbox rules) and `reports`
(the message's text), never the wiring.
"""
