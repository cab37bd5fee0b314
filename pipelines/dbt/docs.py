"""`steerpack docs` (DESIGN §8): dbt's documentation of the project, the metrics dictionary (every model and
column with its description and tests, the lineage, the warehouse's catalog of tables and columns), built
into a folder of the output directory and served by `dbt docs serve`. Plain functions: no Dagster.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipelines.config import Settings
from pipelines.core.warehouse import lock as warehouse_lock
from pipelines.dbt.command import dbt_command, dbt_environment, dbt_executable
from pipelines.dbt.runner import invoke

DOCS_FOLDER = "dbt-docs"


def docs_folder(output: Path) -> Path:
    """Where the docs are built: `index.html`, `manifest.json` and `catalog.json`, what `dbt docs serve` serves."""
    return output / DOCS_FOLDER


def generate_docs(settings: Settings) -> Path:
    """`dbt docs generate` against the configured warehouse, under its lock (the catalog reads the warehouse,
    which a run must not be writing meanwhile); returns the docs' `index.html`. RuntimeError when dbt fails."""
    folder = docs_folder(settings.output)
    folder.mkdir(parents=True, exist_ok=True)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)  # DuckDB creates the file but not its folder
    command = dbt_command(
        ["docs", "generate", "--vars", json.dumps(settings.dbt_vars(), sort_keys=True), "--quiet"],
        target_path=folder,
        log_path=folder / "logs",
    )
    warehouse_lock.acquire(settings.warehouse, f"steerpack docs (pid {os.getpid()})")
    try:
        result = invoke(command, dbt_environment(settings.warehouse, settings.warehouse_memory_limit))
    finally:
        warehouse_lock.release(settings.warehouse)
    if not result.success:
        raise RuntimeError(f"dbt docs generate failed ({result.exception or 'see dbt.log'}); log in {folder / 'logs'}")
    return folder / "index.html"


def serve_command(settings: Settings, port: int) -> list[str]:
    """`dbt docs serve` of the docs `generate_docs` built, on `port`, without opening a browser."""
    folder = docs_folder(settings.output)
    return [
        dbt_executable(),
        *dbt_command(
            ["docs", "serve", "--port", str(port), "--no-browser"], target_path=folder, log_path=folder / "logs"
        ),
    ]
