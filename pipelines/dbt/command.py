"""The one builder of a dbt command line, and the pieces of a monthly invocation: the month window's vars,
`dbt build`'s arguments and the environment the profile reads. Plain functions: no Dagster.

Every dbt command steerpack runs (the monthly build, `ensure_manifest`'s parse, a draft's `dbt run`, the
runner's cached parse, `steerpack docs`) says where the project, its profile, its artifacts and its logs are
through `dbt_command`, so the flags are written once.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipelines import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

# What the profile (dbt_project/profiles.yml) reads from the environment.
WAREHOUSE_ENV_VAR = "STEERPACK_WAREHOUSE"
MEMORY_LIMIT_ENV_VAR = "STEERPACK_DUCKDB_MEMORY_LIMIT"

# `steerpack-dbt` (pipelines/dbt/runner.py): dbt's command line, reusing one parse of the project.
DBT_COMMAND = "steerpack-dbt"


def dbt_command(
    args: Sequence[str],
    *,
    project_dir: Path | str | None = DBT_PROJECT_DIR,
    profiles_dir: Path | str | None = DBT_PROJECT_DIR,
    target_path: Path | str | None = None,
    log_path: Path | str | None = None,
) -> list[str]:
    """`args` (a dbt command and its own options: `["build", "--vars", ...]`) followed by where the project and
    its profile are, where its artifacts (`--target-path`) and its logs (`--log-path`) go, and
    `--no-send-anonymous-usage-stats`. None leaves a flag out, to dbt's default (the project's `target/`, its
    `logs/`)."""
    flags: list[str] = []
    for flag, value in (
        ("--project-dir", project_dir),
        ("--profiles-dir", profiles_dir),
        ("--target-path", target_path),
        ("--log-path", log_path),
    ):
        if value is not None:
            flags += [flag, str(value)]
    return [*args, *flags, "--no-send-anonymous-usage-stats"]


def dbt_executable() -> str:
    """The dbt command installed beside this Python (the venv's), so nothing depends on PATH being activated:
    steerpack's own `steerpack-dbt`, which runs the venv's dbt without re-parsing the project each time."""
    for name in (DBT_COMMAND, "dbt"):
        beside = Path(sys.executable).with_name(name)
        if beside.exists():
            return str(beside)
    return "dbt"


def window_vars(months: list[dt.date], settings_vars: dict[str, Any]) -> dict[str, Any]:
    """dbt vars for a partition window: its first and last month (inclusive) plus the settings dbt needs."""
    if not months:
        raise ValueError("a dbt run needs at least one month")
    return {
        "month_start": min(months).isoformat(),
        "month_end": max(months).isoformat(),
        **settings_vars,
    }


def build_args(months: list[dt.date], settings_vars: dict[str, Any]) -> list[str]:
    """`dbt build` for the window: models and their data tests in one call.

    Unit tests check the SQL, not the month's data: `make test` runs them (tests/integration/test_dbt_project.py),
    not every monthly run.
    """
    return [
        "build",
        "--exclude",
        "test_type:unit",
        "--vars",
        json.dumps(window_vars(months, settings_vars), sort_keys=True),
    ]


def dbt_environment(warehouse: Path, memory_limit: str = "2GB") -> dict[str, str]:
    """What the dbt profile reads from the environment: the warehouse path and DuckDB's memory limit."""
    return {WAREHOUSE_ENV_VAR: str(warehouse), MEMORY_LIMIT_ENV_VAR: memory_limit}
