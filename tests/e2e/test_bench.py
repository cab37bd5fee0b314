"""`steerpack bench --scale small --no-backfill`: a smoke test of the harness over one month (keys and stages, not
timings); the three-month backfill is the same `run_months` over a range, which the demo tests run."""

import json
import os
import time

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.synthetic.bench import TIMED_STEPS
from pipelines.synthetic.bench_portfolio import SCALES, bench_projects

pytestmark = pytest.mark.slow


def test_the_bench_portfolio_mixes_every_plan_tool():
    projects = bench_projects(SCALES["small"])
    assert len(projects) == 50
    assert {p.plan_source for p in projects} == {"jira", "azure_devops", "ms_project", "smartsheet"}
    assert sum(p.plan_source in ("jira", "azure_devops") for p in projects) == 42
    assert {p.currency for p in projects} == {"USD", "EUR", "GBP"}


def test_steerpack_bench_small_runs_every_stage_of_one_month_and_writes_its_figures(tmp_path, dbt_manifest):
    out = tmp_path / "bench"
    result = CliRunner().invoke(main, ["bench", "--scale", "small", "--no-backfill", "--out", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert {
        "scale",
        "projects",
        "rows",
        "stage_seconds",
        "total_seconds",
        "backfill_3_months_seconds",
        "peak_rss_mb",
        "peak_rss_largest_process_mb",
        "duckdb_native_seconds",
        "ingest_vs_duckdb_ratio",
        "render_ms_per_project",
        "machine",
    } <= set(figures)
    assert (figures["scale"], figures["projects"]) == ("small", 50)
    assert figures["rows"]["projects"] == 50
    # 42 of the 50 plan in Jira or Azure DevOps: 20,000 // 42 = 476 items each. The other 8 have schedules of
    # 5 phases with 2 work packages and a milestone each: 20 tasks, plus the project's own summary task in the
    # 4 MS Project files (a Smartsheet sheet has no such row): 4 x 21 + 4 x 20. 50 projects x 200 spend lines.
    assert figures["rows"]["work_items"] == 42 * 476 and figures["rows"]["schedule_tasks"] == 4 * 21 + 4 * 20
    assert figures["rows"]["spend"] == 10_000 and figures["rows"]["incidents"] == 2_000
    assert set(figures["stage_seconds"]) == set(TIMED_STEPS)
    assert all(figures["stage_seconds"][s] > 0 for s in TIMED_STEPS)
    assert figures["messages_delivered"] == 6  # the head of PMO and five scoped sponsors
    assert figures["backfill_3_months_seconds"] is None and figures["duckdb_native_seconds"] > 0
    assert {"cores", "memory_gib", "python", "duckdb"} <= set(figures["machine"])
    assert "one month end to end" in (out / "bench.md").read_text(encoding="utf-8")
    assert not (out / "inbox").exists()  # the generated data is cleaned up; the figures stay


def test_the_memory_sampler_counts_child_processes():
    import subprocess
    import sys

    from pipelines.synthetic.bench import TreeMemorySampler, _process_tree, _rss_kb

    child = subprocess.Popen([sys.executable, "-c", "b = bytearray(200 * 1024 * 1024); import time; time.sleep(3)"])
    try:
        time.sleep(1.0)
        assert child.pid in _process_tree(os.getpid())
        assert _rss_kb(child.pid) > 200 * 1024  # the child's 200 MB are resident
        with TreeMemorySampler(interval=0.05) as memory:
            time.sleep(0.3)
        assert memory.peak_mb > _rss_kb(os.getpid()) / 1024 + 200
    finally:
        child.kill()
        child.wait()
