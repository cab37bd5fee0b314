"""Everything steerpack knows of dbt, in one place (DESIGN §1).

- `command.py`: the one builder of a dbt command line (where the project, its profile, its artifacts and its
  logs are), the month window's vars, `build_args` and the environment the profile reads. No Dagster.
- `runner.py`: dbt in this process and as `steerpack-dbt`, reusing one parse of the project. No Dagster.
- `project.py`: the dbt project as dagster-dbt sees it (`DbtProject`, the CLI resource) and `ensure_manifest`.
- `in_process.py`: the monthly build in the step's own process; the only module that touches dagster-dbt's
  helpers outside its public API (tests/unit/test_dbt_args.py checks they still exist).

`command` and `runner` may import `pipelines.core` and `pipelines.config` only (the "knows nothing of Dagster"
contract in pyproject.toml); `project` and `in_process` may import Dagster and dagster-dbt as well.
This file imports nothing, so that importing `pipelines.dbt.runner` never pulls in Dagster.
"""
