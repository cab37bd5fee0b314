"""Running the monthly pack from the command line: above the definitions it runs, below the CLI.

- `instance.py`: the persistent Dagster instance (DAGSTER_HOME, its `dagster.yaml` defaults, its tables).
- `runner.py`: one run of a job for a month or a range, its progress polled, its stop reported, its failure said.
- `isolation.py`: a range where a month blocked by its quality gate does not hold the others back; its draft.
- `drafts.py`: the draft of a blocked month (plain functions: no Dagster).
- `signals.py`: an orderly stop of the process tree on SIGTERM/SIGINT/SIGHUP (Dagster-free).
- `library_output.py`: where dbt's and the libraries' output goes (the run log, the terminal with --verbose).

May import: `pipelines.definitions` and everything below it (`observe/` for progress and failures, `names`,
`dbt/`, `core/`, `config`, `partitions`), `reports/` (drafts). Only `cli.py` and `synthetic/bench.py` import it
(the floors contract in pyproject.toml).
"""
