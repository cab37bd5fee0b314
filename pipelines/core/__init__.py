"""The pipeline's plain functions, free of Dagster and of the wiring (an import-linter contract): the inbox and
ingest, validation and the quality gate, the warehouse (lock, write-audit-publish), files under the output
folder (files.py), pack publication (packs.py: where a month's packs are written, which scopes get one, the
staging-and-swap), delivery (delivery/: the plan, the messages, the transports) and the text a person reads.

It may import `pipelines.config`, `pipelines.sources` and `reports/` (which builds the documents it publishes and
imports nothing of `pipelines`), and nothing above it: not dagster, the assets, the definitions, `run/` or the CLI.
"""
