"""The persistent Dagster instance the CLI's runs go to: its environment, its config and its tables.

The CLI and `steerpack demo` run on the instance in DAGSTER_HOME, so their runs show in the Dagster UI
(`steerpack ui`) exactly like runs launched there.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import dagster as dg
import yaml

from pipelines.config import CONFIG_ENV_VAR, Settings
from pipelines.core.warehouse.lock import WAREHOUSE_POOL
from pipelines.dbt.project import ensure_manifest

# Runs the daemon launches (schedule, sensor, UI) queue on the warehouse pool: at most one run holding any
# of its assets is in progress at a time. CLI runs bypass the queue and wait on the warehouse lock instead.
INSTANCE_DEFAULTS = {
    "telemetry": {"enabled": False},
    "concurrency": {"pools": {"granularity": "run", "default_limit": 1}},
}


def prepare_environment(settings: Settings) -> Path:
    """Point Dagster at the config and the persistent instance, and make sure dbt's manifest exists."""
    if settings.config_file:
        os.environ[CONFIG_ENV_VAR] = str(settings.config_file)
    else:
        os.environ.pop(CONFIG_ENV_VAR, None)
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    _prepare_instance(home)
    ensure_manifest()
    return home


def _prepare_instance(home: Path) -> None:
    """Write the instance config and create its SQLite tables under a lock: two runs starting together on a
    fresh DAGSTER_HOME would otherwise both create them, and one fails with "table already exists"."""
    with open(home / ".steerpack-init.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ensure_instance_config(home / "dagster.yaml")
        with dg.DagsterInstance.get() as instance:
            instance.get_runs(limit=1)
            instance.all_logs("steerpack-init")


def ensure_instance_config(path: Path) -> None:
    """SQLite storage in DAGSTER_HOME (the default) plus the warehouse pool's limit; keys already there are kept."""
    current = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    config = dict(current or {})
    for key, value in INSTANCE_DEFAULTS.items():
        config.setdefault(key, value)
    if config != current:
        path.write_text(
            f"# steerpack adds missing defaults here; the pool `{WAREHOUSE_POOL}` guards the warehouse.\n"
            + yaml.safe_dump(config, sort_keys=False),
            encoding="utf-8",
        )
