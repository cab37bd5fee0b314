"""Pure parsers: one module per tool format, file in, canonical DataFrame and rejected rows out.

- `jira`, `azure_devops`, `ms_project`, `smartsheet` (plans, through `plans`), `register`, `finance`, `incidents`:
  the tools' exports as they come; `schema`: the canonical tables every parser fills; `plausible`: the values no
  real export holds (non-finite, over `limits.max_amount`, implausible dates), quarantined at ingest.
- The kit they share: `detect` (formats known by head bytes or header), `delimited` (decoding, reading CSVs),
  `columns` (numbers, dates, cells), `xlsx` (visible sheets, hidden rows, stale formulas), `common` (`LoadBatch`,
  rejects and the row accounting), `addresses` (a mailbox's normal form).

The ground floor: it imports nothing of steerpack but itself (no Dagster, no wiring, no `core/`; the `floors` and
"knows nothing of Dagster" contracts in pyproject.toml).
"""
