"""The dbt project as Dagster sees it, and the small pure functions that build a dbt invocation."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject
from dagster_dbt.asset_utils import (
    DbtCliInvocationPartialParams,
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from pipelines import REPO_ROOT
from pipelines.core.dbt_runner import MEMORY_LIMIT_ENV_VAR, WAREHOUSE_ENV_VAR, InProcessResult, invoke

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


def dbt_cli_resource() -> DbtCliResource:
    """Where the dbt project and its profile are; monthly builds run it in-process (`build_in_process`)."""
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


@dataclass
class InProcessBuild:
    """A dbt command run in the step's own process, as much of dagster-dbt's `DbtCliInvocation` as the dbt
    asset uses: success, the artifacts, and the Dagster events of each model and test."""

    context: dg.AssetExecutionContext
    params: DbtCliInvocationPartialParams
    target_path: Path
    result: InProcessResult

    @property
    def manifest(self) -> Mapping[str, Any]:
        return self.params.manifest

    def is_successful(self) -> bool:
        return self.result.success

    def get_error(self) -> BaseException | None:
        return self.result.exception

    def run_results(self) -> dict[str, Any]:
        """dbt's run_results.json; empty when dbt stopped before running a node (a project or connection error)."""
        path = self.target_path / "run_results.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def stream(self) -> Iterator[Any]:
        """Outputs for the models built, check results for the tests run, as `DbtCliInvocation.stream` makes."""
        for raw_event in self.result.result_events:
            event = DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={})
            yield from event.to_default_asset_events(
                manifest=self.params.manifest,
                dagster_dbt_translator=self.params.dagster_dbt_translator,
                context=self.context,
                target_path=self.target_path,
                project=self.params.dbt_project,
            )


def build_in_process(
    dbt: DbtCliResource, args: list[str], context: dg.AssetExecutionContext, environment: Mapping[str, str]
) -> InProcessBuild:
    """`dbt.cli(args, context=context)`, run in this process instead of a dbt child process.

    A child dbt cost each monthly run ~2.5 s of CPU (a second Python, dbt's imports, the parse loaded again,
    every event written as JSON and read back) out of ~12 s. The selection is dagster-dbt's own for the run's
    assets and checks (a run of some of them builds only those), and so are the events made of dbt's results.
    `environment` is what the profile reads (`dbt_environment`), set for the command only. Uses helpers of the
    pinned dagster-dbt that are not in its public API (DESIGN §10; tests/unit/test_dbt_args.py checks they are
    still there)."""
    cleaned, selects, excludes = extract_runtime_selection_from_args(args)
    params = get_updated_cli_invocation_params_for_context(
        context=context,
        manifest={},
        dagster_dbt_translator=DagsterDbtTranslator(),
        runtime_selects=selects,
        runtime_excludes=excludes,
    )
    project_dir = Path(params.dbt_project.project_dir if params.dbt_project else dbt.project_dir)
    # One target folder per invocation, as dagster-dbt makes: its artifacts, compiled SQL and dbt.log.
    target_path = project_dir / "target" / f"{context.op.name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    command = [
        *dbt.global_config_flags,
        *cleaned,
        *params.selection_args,
        *(["--indirect-selection", params.indirect_selection] if params.indirect_selection else []),
        *(["--profile", dbt.profile] if dbt.profile else []),
        *(["--target", dbt.target] if dbt.target else []),
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(dbt.profiles_dir or project_dir),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path),
        "--no-send-anonymous-usage-stats",
    ]
    return InProcessBuild(context=context, params=params, target_path=target_path, result=invoke(command, environment))


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
