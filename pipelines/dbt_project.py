"""The dbt project as Dagster sees it, and the small pure functions that build a dbt invocation."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import re
import subprocess
import sys
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from pipelines import REPO_ROOT
from pipelines.core.dbt_runner import MEMORY_LIMIT_ENV_VAR, WAREHOUSE_ENV_VAR

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


# `steerpack-dbt` (pipelines/core/dbt_runner.py): dbt's command line, reusing one parse of the project.
DBT_COMMAND = "steerpack-dbt"


def dbt_executable() -> str:
    """The dbt command installed beside this Python (the venv's), so nothing depends on PATH being activated:
    steerpack's own `steerpack-dbt`, which runs the venv's dbt without re-parsing the project each time."""
    for name in (DBT_COMMAND, "dbt"):
        beside = Path(sys.executable).with_name(name)
        if beside.exists():
            return str(beside)
    return "dbt"


@cache
def installed_dbt_version(executable: str) -> version.Version:
    """The version of the dbt that `executable` runs. dagster-dbt asks `dbt --version` once per resource, that is
    once per run, and the answer costs ~3 s of imports. The dbt beside this Python (or `steerpack-dbt`, which
    runs it) is this environment's dbt-core, whose version its package metadata gives at no cost; any other
    executable is asked, once."""
    if executable in {str(Path(sys.executable).with_name(name)) for name in (DBT_COMMAND, "dbt")}:
        try:
            return version.parse(importlib.metadata.version("dbt-core"))
        except importlib.metadata.PackageNotFoundError:
            pass
    output = subprocess.run([executable, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+\.\d+\.\d+)", output)
    if not match:
        raise RuntimeError(f"could not read dbt's version from: {output}")
    return version.parse(match.group(1))


class SteerpackDbtCli(DbtCliResource):
    """The dbt CLI resource, without two costs per run that steerpack does not need: asking the executable for
    its version (cached per process) and loading dbt's adapter and macros into this process, which dagster-dbt
    only uses to fetch row counts and column metadata. `dbt build` itself runs in its own process as before.

    Both override private members of the pinned dagster-dbt (DESIGN §10); `test_dbt_args` checks they exist."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return installed_dbt_version(self.dbt_executable)

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - same signature as dagster-dbt's
        return None


def dbt_cli_resource() -> SteerpackDbtCli:
    return SteerpackDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable())


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

    Unit tests check the SQL, not the month's data: `make test` runs them (tests/test_dbt_project.py), not
    every monthly run.
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


def _newest_source_mtime() -> float:
    paths = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "tests"):
        paths.extend(p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    return max(p.stat().st_mtime for p in paths if p.exists())


def ensure_manifest(force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing (a fresh clone) or older than the project's files."""
    manifest = dbt_project.manifest_path
    if force or not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        command = [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--quiet",
        ]
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        result = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest
