"""Data-quality suites: Great Expectations on each canonical table, plus SQL rules that span tables or files.

A suite is `expectations/<table>.json`, a Great Expectations 1.x suite. Each expectation's `meta.severity` is
`error` (the month must not be published) or `warn` (reported, the month goes on). The suite's
`meta.steerpack.sql_rules` hold what GX cannot say about one table alone (a plan for every register project,
files that balance): each is a DuckDB query returning the offending rows, over the run's months in
`check_months`. Adding a rule is an edit to the JSON, not to this code.

GX evaluates each expectation on whole columns; SQL rules run inside DuckDB. A table of up to `CHUNK_ROWS` rows
is read into pandas once. A larger one (millions of work items) is validated in chunks of that many rows, so
memory stays bounded: the row-by-row expectations run on each chunk and their counts add up, and those that
need the whole table (uniqueness, aggregates) run once on just the columns they name.
"""
