"""What a run tells about itself through the Dagster instance, read by whoever watches it.

- `progress.py`: the per-month progress observations the assets log, and the stages the CLI's progress bar shows.
- `failures.py`: why a run failed, in sentences, from its event log: printed by the CLI (through `run/`) and
  e-mailed by the run-failure sensor.

Below the assets, the sensors and `run/`, so all of them can use it. May import: Dagster, `pipelines.partitions`,
`pipelines.core` (the findings' wording, `printable`); never the assets, jobs, sensors, definitions or `run/`.
"""
