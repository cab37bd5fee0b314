"""Stopping steerpack with a signal stops its children first: nothing writes on, nothing is left running (issue 14).

Real processes throughout. The process table is read here with `ps`, independently of pipelines.run.signals.
"""

import fcntl
import os
import signal
import socket
import time
import urllib.request

import dagster as dg
import duckdb
import pytest

from pipelines.core.warehouse.lock import lock_path
from pipelines.core.warehouse.publication import candidate_path
from tests.helpers import STEERPACK, alive, process_table, start_logged, wait_for, write_config


def _tree(root: int) -> dict[int, str]:
    """The living descendants of `root`: pid -> command line."""
    table = process_table()
    found, pending = {}, [root]
    while pending:
        parent = pending.pop()
        for pid, (ppid, state, args) in table.items():
            if ppid == parent and not state.startswith("Z") and pid not in found:
                found[pid] = args
                pending.append(pid)
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_ui_stopped_by_sigterm_takes_dagster_dev_and_its_services_with_it(tmp_path):
    port = _free_port()
    config = write_config(tmp_path)
    process, _, err = start_logged(
        [STEERPACK, "ui", "--port", str(port), "--config", str(config)], tmp_path / "logs", cwd=tmp_path
    )
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no HTTP proxy for 127.0.0.1
    try:

        def answers() -> bool:
            assert process.poll() is None, err.read_text(encoding="utf-8")[-3000:]
            try:
                with direct.open(f"http://127.0.0.1:{port}/server_info", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for(answers, 120, "the Dagster webserver", interval=0.5)
        tree = _tree(process.pid)
        assert any("dagster_webserver" in args for args in tree.values()), tree
        assert any("dagster._daemon" in args for args in tree.values()), tree

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 128 + signal.SIGTERM, err.read_text(encoding="utf-8")[-3000:]
    assert alive(tree) == [], {pid: tree[pid] for pid in alive(tree)}
    assert "steerpack: stopped by SIGTERM; the Dagster UI is shut down" in err.read_text(encoding="utf-8")
    print(f"ui stopped in {took:.1f} s, {len(tree)} processes gone")


@pytest.mark.slow
def test_run_stopped_by_sigterm_while_dbt_runs_stops_dbt_fails_the_run_and_frees_the_warehouse(
    workspace, dbt_manifest, tmp_path
):
    command = [STEERPACK, "run", "--month", "2026-09", "--config", str(workspace.config_file)]
    process, _, err = start_logged(
        command, tmp_path / "logs", cwd=tmp_path, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        # dbt builds in the run's own process, into a candidate copy of the warehouse: once that copy has a
        # write-ahead log, dbt is writing models into it.
        candidate = candidate_path(workspace.warehouse)
        building = candidate.with_name(candidate.name + ".wal")

        def dbt_writing() -> bool:
            assert process.poll() is None, err.read_text(encoding="utf-8")[-3000:]
            return building.exists()

        wait_for(dbt_writing, 120, "dbt build to write the candidate warehouse", interval=0.05)
        tree = _tree(process.pid)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    stderr = err.read_text(encoding="utf-8")
    assert code == 128 + signal.SIGTERM, stderr[-3000:]
    assert alive(tree) == [], {pid: tree[pid] for pid in alive(tree)}

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert [run.status for run in runs] == [dg.DagsterRunStatus.FAILURE]
    assert (
        f"steerpack: stopped by SIGTERM; the run {runs[0].run_id} is marked failed, nothing of 2026-09 was published"
    ) in stderr

    with open(lock_path(workspace.warehouse), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError if anyone still held it
    pack_folder = workspace.output / "packs" / "2026-09"
    assert not pack_folder.exists() or not any(pack_folder.iterdir())
    with duckdb.connect(str(workspace.warehouse), read_only=True) as conn:  # the half-built marts never replaced it
        assert conn.execute(
            "select count(*) from information_schema.schemata where schema_name = 'marts'"
        ).fetchone() == (0,)
