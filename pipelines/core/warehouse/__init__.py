"""The DuckDB warehouse: `load` (the raw schema and the one way rows get into it, a month's slice replaced in one
transaction), `lock` (one writer at a time, across processes), `publication` (dbt builds a candidate copy that
replaces the warehouse only once every model and test passed).

Dagster-free like the rest of `core/`; of steerpack it imports only `sources` (the canonical schema, `LoadBatch`).
"""
