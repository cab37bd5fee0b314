"""The `steerpack` command as a PMO analyst uses it: one clear message per mistake, a pack when all is well."""

import os
from pathlib import Path

import duckdb
import pytest

from tests.helpers import (
    STEERPACK,
    assert_no_library_output,
    start_logged,
    steerpack,
    tiny_register_sheets,
    write_sheets,
)


@pytest.mark.slow
def test_two_runs_on_a_tiny_inbox_take_turns_on_the_warehouse_and_each_produces_the_pack(workspace, dbt_manifest):
    """`steerpack run` as a PMO analyst starts it, twice at once on one warehouse (a scheduled run and a re-run by
    hand): one waits for the other instead of failing on DuckDB's lock, and each publishes the month."""
    command = [STEERPACK, "run", "--month", "2026-09", "--config", str(workspace.config_file)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    runs = [start_logged(command, workspace.base_dir / f"logs-{n}", env=env, cwd=workspace.base_dir) for n in (1, 2)]
    codes = [process.wait(timeout=600) for process, _, _ in runs]
    outputs = [out.read_text(encoding="utf-8") for _, out, _ in runs]
    errors = [err.read_text(encoding="utf-8") for _, _, err in runs]
    assert codes == [0, 0], [text[-2000:] for text in errors]
    waited = [text for text in errors if "waiting for the warehouse steerpack.duckdb" in text]
    assert len(waited) == 1  # one run waited for the other instead of failing on DuckDB's lock
    pack = workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html"
    for stdout, stderr in zip(outputs, errors):
        assert f"2026-09: {pack}" in stdout
        # progress per month and stage, for a non-terminal: each stage once, none lost while polling the run
        stages = ("register ingested", "rendered", "delivered")
        assert {stage: stderr.count(f"2026-09 {stage}") for stage in stages} == dict.fromkeys(stages, 1)
        # and nothing else: dbt's log and the library warnings are in the run's log, not named when all went well
        assert_no_library_output(stdout + stderr)
        assert "dbt's log and library warnings are in" not in stderr
    run_logs = sorted((workspace.output / "logs").glob("steerpack-run-*.log"))
    assert len(run_logs) == 2  # one per run, though both started in the same second
    for run_log in run_logs:
        text = run_log.read_text(encoding="utf-8")
        assert "Completed successfully" in text and "BetaWarning" in text and "\x1b[" not in text
    assert "Alpha Billing" in pack.read_text(encoding="utf-8")
    # the runs went through the persistent instance (DAGSTER_HOME, set for each test), so they show in the UI
    assert any(Path(os.environ["DAGSTER_HOME"]).rglob("*.db"))
    with duckdb.connect(str(workspace.warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from marts.fct_project_month").fetchone() == (2,)
        assert conn.execute("select count(*) from raw.projects").fetchone() == (2,)
        # the second run found both recipients already sent: one message each, one attempt each
        assert conn.execute("select recipient, status, attempts from marts.delivery_log order by 1").fetchall() == [
            ("bob@example.com", "sent", 1),
            ("head.pmo@example.com", "sent", 1),
        ]
    assert len(list((workspace.output / "outbox" / "2026-09").glob("*.eml"))) == 2


@pytest.mark.slow
def test_a_register_missing_a_sheet_stops_the_run_naming_file_and_sheet(workspace, dbt_manifest, tmp_path):
    sheets = tiny_register_sheets()
    del sheets["RAID"]
    write_sheets(workspace.inbox / "2026-09" / "register" / "portfolio.xlsx", sheets)
    done = steerpack("run", "--month", "2026-09", "--config", str(workspace.config_file), cwd=tmp_path)
    assert done.returncode == 1
    assert "data-quality errors block the month" in done.stderr
    assert "the month's register could not be read" in done.stderr
    assert "2026-09/register/portfolio.xlsx: sheet 'RAID' missing" in done.stderr
    assert not (workspace.output / "packs" / "2026-09").exists()
    # the findings in words, and where the rest is: dbt's log and the library warnings, in the run's log
    assert_no_library_output(done.stdout + done.stderr)
    assert f"dbt's log and library warnings are in {workspace.output / 'logs' / 'steerpack-run-'}" in done.stderr
