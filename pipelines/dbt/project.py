"""The dbt project as Dagster sees it (`dbt_project`, the dbt CLI resource), and `ensure_manifest`, which parses
it when its manifest is missing or older than its files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from pipelines.dbt.command import DBT_PROJECT_DIR, dbt_command, dbt_executable

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_cli_resource() -> DbtCliResource:
    """Where the dbt project and its profile are; monthly builds run it in-process (`in_process.build_in_process`)."""
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


def _newest_source_mtime() -> float:
    paths = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "tests"):
        paths.extend(p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    return max(p.stat().st_mtime for p in paths if p.exists())


def ensure_manifest(force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing (a fresh clone) or older than the project's files."""
    manifest = dbt_project.manifest_path
    if force or not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        # The project's own target/ and logs/: the manifest is where dagster-dbt reads it.
        command = [dbt_executable(), *dbt_command(["parse", "--quiet"])]
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        result = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest
