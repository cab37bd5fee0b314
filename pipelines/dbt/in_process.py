"""The monthly `dbt build` in the step's own process, as much of dagster-dbt's `DbtCliInvocation` as the dbt
asset uses.

The only module that touches dagster-dbt's helpers outside its public API (`dagster_dbt.asset_utils`,
`dagster_dbt.core.dbt_cli_event`): tests/unit/test_dbt_args.py checks they are still there, so that an upgrade
that renames them fails there and not in a monthly run (DESIGN §10).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource
from dagster_dbt.asset_utils import (
    DbtCliInvocationPartialParams,
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from pipelines.dbt.command import dbt_command
from pipelines.dbt.runner import InProcessResult, invoke


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
    dbt: DbtCliResource,
    args: list[str],
    context: dg.AssetExecutionContext,
    environment: Mapping[str, str],
    phase: Callable[[list[str]], list[str]] = list,
) -> InProcessBuild:
    """`dbt.cli(args, context=context)`, run in this process instead of a dbt child process.

    A child dbt cost each monthly run ~2.5 s of CPU (a second Python, dbt's imports, the parse loaded again,
    every event written as JSON and read back) out of ~12 s. The selection is dagster-dbt's own for the run's
    assets and checks (a run of some of them builds only those), and so are the events made of dbt's results.
    `environment` is what the profile reads (`command.dbt_environment`), set for the command only. `phase`
    narrows the selection to one phase of the build (pipelines.dbt.phases)."""
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
    command = dbt_command(
        phase(
            [
                *dbt.global_config_flags,
                *cleaned,
                *params.selection_args,
                *(["--indirect-selection", params.indirect_selection] if params.indirect_selection else []),
                *(["--profile", dbt.profile] if dbt.profile else []),
                *(["--target", dbt.target] if dbt.target else []),
            ]
        ),
        project_dir=project_dir,
        profiles_dir=dbt.profiles_dir or project_dir,
        target_path=target_path,
        log_path=target_path,
    )
    return InProcessBuild(context=context, params=params, target_path=target_path, result=invoke(command, environment))
