"""The synthetic wing: made-up inboxes for `steerpack demo` and `steerpack bench`, written as the tools export them.

- `exports/`: one writer module per tool, mirroring `pipelines/sources/` (whose parsers read what they write).
- `demo/`: the demo portfolio (13 projects over 18 months, and the story they tell) and the driver of its inbox.
- `bench_portfolio.py`: the bench's scaled portfolio and its inbox; `bench.py`: the harness that runs and measures.

May import: `pipelines.sources.register` (the register's sheets), `pipelines.partitions` and openpyxl; in `bench.py`
only, also Dagster, DuckDB and the rest of the house it runs (`config`, `core`, `run`, `reports`), most of it
lazily. Nothing outside this folder but `cli.py` and the tests imports it: `core/`, `sources/` and `reports/`
never do (kept by the import contracts).
"""
