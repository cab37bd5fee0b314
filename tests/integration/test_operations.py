"""The operating side: the monthly schedule, the new-drop sensor, the run queue and the warehouse lock."""

import os
import sys

import duckdb
import pytest

from tests.helpers import start_logged


@pytest.mark.slow
def test_two_concurrent_runs_on_one_warehouse_take_turns(workspace, dbt_manifest):
    command = [
        sys.executable,
        "-m",
        "pipelines.cli",
        "run",
        "--month",
        "2026-09",
        "--config",
        str(workspace.config_file),
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    runs = [start_logged(command, workspace.base_dir / f"logs-{n}", env=env) for n in (1, 2)]
    codes = [process.wait(timeout=600) for process, _, _ in runs]
    errors = [err.read_text(encoding="utf-8") for _, _, err in runs]
    assert codes == [0, 0], [text[-2000:] for text in errors]
    waited = [text for text in errors if "waiting for the warehouse steerpack.duckdb" in text]
    assert len(waited) == 1  # one run waited for the other instead of failing on DuckDB's lock
    with duckdb.connect(str(workspace.warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from marts.fct_project_month").fetchone() == (2,)
        assert conn.execute("select count(*) from raw.projects").fetchone() == (2,)
        # the second run found both recipients already sent: one message each, one attempt each
        assert conn.execute("select recipient, status, attempts from marts.delivery_log order by 1").fetchall() == [
            ("bob@example.com", "sent", 1),
            ("head.pmo@example.com", "sent", 1),
        ]
    assert len(list((workspace.output / "outbox" / "2026-09").glob("*.eml"))) == 2
