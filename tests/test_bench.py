"""`steerpack bench --scale small`: a smoke test of the harness (keys and stages, not timings)."""

import json

import pytest
from click.testing import CliRunner

from pipelines.bench import SCALES, STAGES, bench_projects
from pipelines.cli import main

pytestmark = pytest.mark.slow


def test_the_bench_portfolio_mixes_every_plan_tool():
    projects = bench_projects(SCALES["small"])
    assert len(projects) == 50
    assert {p.plan_source for p in projects} == {"jira", "azure_devops", "ms_project", "smartsheet"}
    assert {p.currency for p in projects} == {"USD", "EUR", "GBP"}


def test_steerpack_bench_small_runs_every_stage_and_writes_its_figures(tmp_path, dbt_manifest):
    out = tmp_path / "bench"
    result = CliRunner().invoke(main, ["bench", "--scale", "small", "--out", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert {"scale", "projects", "rows", "stage_seconds", "total_seconds", "backfill_3_months_seconds",
            "peak_rss_mb", "duckdb_native_seconds", "ingest_vs_duckdb_ratio", "render_ms_per_project",
            "machine"} <= set(figures)
    assert (figures["scale"], figures["projects"]) == ("small", 50)
    assert figures["rows"]["projects"] == 50
    # 40 agile projects x 500 items, 10 schedules x 16 tasks, 50 x 200 spend lines, 2,000 incidents
    assert figures["rows"]["work_items"] == 20_000 and figures["rows"]["schedule_tasks"] == 160
    assert figures["rows"]["spend"] == 10_000 and figures["rows"]["incidents"] == 2_000
    assert set(figures["stage_seconds"]) == set(STAGES) and all(figures["stage_seconds"][s] > 0 for s in STAGES)
    assert figures["messages_delivered"] == 6  # the head of PMO and five scoped sponsors
    assert figures["backfill_3_months_seconds"] > 0 and figures["duckdb_native_seconds"] > 0
    assert {"cores", "memory_gib", "python", "duckdb"} <= set(figures["machine"])
    assert "one month end to end" in (out / "bench.md").read_text(encoding="utf-8")
    assert not (out / "inbox").exists()  # the generated data is cleaned up; the figures stay
