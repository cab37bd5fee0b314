"""The bench harness at the `tiny` scale without the backfill (`steerpack bench --scale tiny --no-backfill`): a smoke
test over one month (keys and stages, not timings); the three-month backfill is the same `run_months` over a range,
which the demo tests run. `small` is measured by hand with the others: at 50 projects (a PDF of each page) and
20,000 work items it cost the suite a minute and a half of CPU to prove what ten projects prove."""

import json
import os
import time

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.synthetic.bench import TIMED_STEPS, run_bench
from pipelines.synthetic.bench_portfolio import SCALES, bench_projects

pytestmark = pytest.mark.slow


def test_the_bench_portfolio_mixes_every_plan_tool():
    projects = bench_projects(SCALES["small"])
    assert len(projects) == 50
    assert {p.plan_source for p in projects} == {"jira", "azure_devops", "ms_project", "smartsheet"}
    assert sum(p.plan_source in ("jira", "azure_devops") for p in projects) == 42
    assert {p.currency for p in projects} == {"USD", "EUR", "GBP"}


def test_the_tiny_portfolio_has_every_plan_tool_and_currency_at_a_tenth_of_small():
    projects = bench_projects(SCALES["tiny"])
    assert [p.plan_source for p in projects] == ["jira"] * 4 + ["azure_devops"] * 2 + ["ms_project"] * 2 + [
        "smartsheet"
    ] * 2
    assert [p.currency for p in projects] == ["USD", "USD", "USD", "EUR", "GBP"] * 2
    tiny, small = SCALES["tiny"], SCALES["small"]
    assert (tiny.sponsors, small.sponsors) == (2, 5)
    assert (tiny.work_items * 10, tiny.spend_lines * 10, tiny.incidents * 10) == (
        small.work_items,
        small.spend_lines,
        small.incidents,
    )


def test_steerpack_bench_tiny_runs_every_stage_of_one_month_and_writes_its_figures(tmp_path, dbt_manifest):
    out = tmp_path / "bench"
    said = []
    run_bench("tiny", out, say=said.append, backfill=False)  # what `steerpack bench --scale tiny --no-backfill` runs
    assert said[0] == "writing the tiny inbox (10 projects, 1 month(s)) ..."
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
    assert (figures["scale"], figures["projects"]) == ("tiny", 10)
    assert figures["rows"]["projects"] == 10
    # 6 of the 10 plan in Jira (4) or Azure DevOps (2): 2,000 // 6 = 333 items each. The other 4 have schedules of
    # 5 phases with 2 work packages and a milestone each: 20 tasks, plus the project's own summary task in the
    # 2 MS Project files (a Smartsheet sheet has no such row): 2 x 21 + 2 x 20. 10 projects x 100 spend lines.
    assert figures["rows"]["work_items"] == 6 * 333 and figures["rows"]["schedule_tasks"] == 2 * 21 + 2 * 20
    assert figures["rows"]["spend"] == 10 * 100 and figures["rows"]["incidents"] == 200
    assert set(figures["stage_seconds"]) == set(TIMED_STEPS)
    assert all(figures["stage_seconds"][s] > 0 for s in TIMED_STEPS)
    assert figures["messages_delivered"] == 3  # the head of PMO and tiny's two scoped sponsors
    # the forecast step, timed on its own, forecast every project of the month
    assert figures["forecast_projects"] == 10 and figures["forecast_seconds"] > 0
    assert figures["backfill_3_months_seconds"] is None and figures["duckdb_native_seconds"] > 0
    assert {"cores", "memory_gib", "python", "duckdb"} <= set(figures["machine"])
    assert "one month end to end" in (out / "bench.md").read_text(encoding="utf-8")
    assert not (out / "inbox").exists()  # the generated data is cleaned up; the figures stay


def test_steerpack_bench_passes_its_options_to_the_harness_and_prints_the_figures(tmp_path, monkeypatch):
    """The command's wiring, without a run (the harness is the test above): scale, folder and flags reach
    `run_bench`, and bench.md is printed back with where bench.json is."""
    import pipelines.synthetic.bench as bench

    calls = []

    def fake_run_bench(scale_name, out, say=print, reuse_inbox=False, backfill=True):
        calls.append((scale_name, out, reuse_inbox, backfill))
        say("writing ...")
        out.mkdir(parents=True)
        (out / "bench.md").write_text("# steerpack bench — small (50 projects)\n", encoding="utf-8")
        return {"total_seconds": 1.5}

    monkeypatch.setattr(bench, "run_bench", fake_run_bench)
    out = tmp_path / "bench"
    result = CliRunner().invoke(main, ["bench", "--scale", "small", "--no-backfill", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert calls == [("small", out.resolve(), False, False)]
    assert "# steerpack bench — small (50 projects)" in result.output
    assert f"written: {out / 'bench.json'} (one month 1.5 s)" in result.output
    result = CliRunner().invoke(main, ["bench", "--scale", "medium", "--reuse-inbox", "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert calls[-1] == ("medium", (tmp_path / "m").resolve(), True, True)


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
