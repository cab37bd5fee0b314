"""`steerpack bench`: a synthetic enterprise portfolio at a chosen scale, run end to end and measured.

The inbox comes from `bench_portfolio` (the scaled generator); this module is the measuring harness. On a fresh
warehouse each time:

1. one month end to end (ingest, quality checks, dbt, render, deliver to the outbox), timed per stage from the
   Dagster run's step events;
2. a three-month backfill (one ranged run);
3. the floor: DuckDB's own `read_csv` loading the month's CSV files into tables, no steerpack code.

Results go to `DIR/bench.json` and a readable `DIR/bench.md`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import yaml

from pipelines.core.environment import environment_variable
from pipelines.synthetic.bench_portfolio import BENCH_MONTHS, SCALES, write_bench_inbox

RUN_MONTH = BENCH_MONTHS[-1]
STAGE_OF_STEP = (
    ("_ingest", "ingest"),
    ("raw_quality_suites", "checks"),
    ("steerpack_dbt_models", "dbt"),
    ("steering_pack", "render"),
    ("pack_delivery", "deliver"),
)
TIMED_STEPS = ("ingest", "checks", "dbt", "render", "deliver")


def stage_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds per stage, summed over the run's steps (from their start and end events)."""
    started: dict[str, float] = {}
    totals = dict.fromkeys(TIMED_STEPS, 0.0)
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = record.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            stage = next((name for marker, name in STAGE_OF_STEP if marker in event.step_key), None)
            if stage and event.step_key in started:
                totals[stage] += record.timestamp - started[event.step_key]
    return {stage: round(seconds, 2) for stage, seconds in totals.items()}


def duckdb_native_seconds(folder: Path) -> tuple[float, int]:
    """The floor for ingest: DuckDB's own read_csv loading each CSV of the drop into a table.

    XLSX and XML files have no DuckDB reader here (the excel extension downloads from outside the package
    index), so they are left out: they are the register and schedule plans, a few per cent of the rows."""
    files = sorted(folder.rglob("*.csv"))
    with duckdb.connect() as conn:
        started = time.perf_counter()
        for number, path in enumerate(files):
            conn.execute(f"create table t{number} as select * from read_csv(?, header = true)", [str(path)])
        return round(time.perf_counter() - started, 2), len(files)


def largest_process_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # dbt runs in a child process
    return round(max(own, children) / 1024, 1)


class TreeMemorySampler:
    """The peak of this process's resident memory plus all its descendants' (dbt, parse and render workers), read
    from /proc twice a second: getrusage only knows the largest single process, and the workers run side by side."""

    def __init__(self, interval: float = 0.5):
        self.interval, self.peak_kb = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> TreeMemorySampler:
        if Path("/proc/self/status").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    @property
    def peak_mb(self) -> float | None:
        return round(self.peak_kb / 1024, 1) if self.peak_kb else None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in _process_tree(os.getpid())))


def _process_tree(pid: int) -> list[int]:
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # the process ended while we looked
                pending += [int(child) for child in children.read_text().split()]
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def row_counts(warehouse: Path, month: dt.date) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {
            table: conn.execute(f"select count(*) from raw.{table} where snapshot_month = ?", [month]).fetchone()[0]
            for table in ("projects", "work_items", "schedule_tasks", "spend", "incidents")
        }


def render_timings(warehouse: Path, month: dt.date, scratch: Path) -> tuple[float, float]:
    """Milliseconds per project page (HTML, written as the pack asset writes them: on every core), and seconds
    for the portfolio pack's PDF, on the run's marts."""
    from pipelines.core.packs import write_project_pages
    from reports.data import load_pack_data, load_project_pages
    from reports.render import html_to_pdf, render_pack_html

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        pages = load_project_pages(conn, month)
        data = load_pack_data(conn, month)
    started = time.perf_counter()
    write_project_pages(pages, scratch, with_pdf=False)
    per_page_ms = (time.perf_counter() - started) * 1000 / max(1, len(pages))
    started = time.perf_counter()
    html_to_pdf(render_pack_html(data, for_pdf=True))  # as write_pack prints it
    return round(per_page_ms, 1), round(time.perf_counter() - started, 2)


def forecast_timing(settings, month: dt.date, scratch: Path) -> tuple[float, int]:
    """Seconds for the forecast step (DESIGN §5b: every project's Monte Carlo, read and written through the
    warehouse) on a copy of the run's warehouse, and the projects it forecast. The dbt stage includes it; this
    says how much of it is the Monte Carlo."""
    from pipelines.core.warehouse.forecasts import write_forecasts_to

    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / settings.warehouse.name
    shutil.copy2(settings.warehouse, copy)
    try:
        started = time.perf_counter()
        projects = write_forecasts_to(copy, [month], settings)
        return round(time.perf_counter() - started, 2), projects
    finally:
        copy.unlink(missing_ok=True)


def _workspace(folder: Path, inbox: Path) -> Path:
    """A steerpack.yaml for a fresh warehouse and output in `folder`, reading the shared bench inbox."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    config = folder / "steerpack.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "first_month": "2026-01",
                "inbox": str(inbox),
                "warehouse": "./warehouse/steerpack.duckdb",
                "output": "./output",
            }
        ),
        encoding="utf-8",
    )
    return config


def run_bench(
    scale_name: str, out: Path, say: Callable[[str], None] = print, reuse_inbox: bool = False, backfill: bool = True
) -> dict:
    from pipelines.config import load_settings
    from pipelines.core.delivery.plan import SEND_TAG
    from pipelines.run.runner import run_months

    scale = SCALES[scale_name]
    out.mkdir(parents=True, exist_ok=True)
    inbox = out / "inbox"
    started = time.perf_counter()
    # the one-month run reads only its own month's drop; the backfill reads all three
    months = BENCH_MONTHS if backfill else [RUN_MONTH]
    if reuse_inbox and all((inbox / f"{month:%Y-%m}").is_dir() for month in months):
        say(f"reusing the inbox in {inbox}")
    else:
        say(f"writing the {scale_name} inbox ({scale.projects} projects, {len(months)} month(s)) ...")
        write_bench_inbox(inbox, scale, months)
    generate_seconds = round(time.perf_counter() - started, 1)
    with TreeMemorySampler() as memory:  # the pipeline's runs only, not the timings below
        say(f"one month end to end ({RUN_MONTH:%Y-%m}) ...")
        month_settings = load_settings(_workspace(out / "month", inbox))
        with environment_variable("DAGSTER_HOME", str(out / "month" / ".dagster")):
            started = time.perf_counter()
            outcome = run_months(month_settings, [RUN_MONTH], extra_tags={SEND_TAG: "true"})
            total_seconds = round(time.perf_counter() - started, 2)
            with dg.DagsterInstance.get() as instance:
                stages = stage_seconds(instance, outcome.run_id)
        rows = row_counts(month_settings.warehouse, RUN_MONTH)
        messages = len(list((month_settings.output / "outbox" / f"{RUN_MONTH:%Y-%m}").glob("*.eml")))

        backfill_seconds = None
        if backfill:
            say(f"a {len(BENCH_MONTHS)}-month backfill ...")
            backfill_settings = load_settings(_workspace(out / "backfill", inbox))
            with environment_variable("DAGSTER_HOME", str(out / "backfill" / ".dagster")):
                started = time.perf_counter()
                run_months(backfill_settings, BENCH_MONTHS)
                backfill_seconds = round(time.perf_counter() - started, 2)
    say("the DuckDB floor and render timings ...")
    native_seconds, native_files = duckdb_native_seconds(inbox / f"{RUN_MONTH:%Y-%m}")
    per_page_ms, pdf_seconds = render_timings(month_settings.warehouse, RUN_MONTH, out / "month" / "scratch")
    forecast_seconds, forecast_projects = forecast_timing(month_settings, RUN_MONTH, out / "month" / "forecast")
    result = {
        "scale": scale_name,
        "projects": scale.projects,
        "rows": rows,
        "stage_seconds": stages,
        "total_seconds": total_seconds,
        "backfill_3_months_seconds": backfill_seconds,
        "backfill_vs_one_month": round(backfill_seconds / total_seconds, 2) if backfill_seconds else None,
        "peak_rss_mb": memory.peak_mb or largest_process_rss_mb(),
        "peak_rss_largest_process_mb": largest_process_rss_mb(),
        "duckdb_native_seconds": native_seconds,
        "duckdb_native_files": native_files,
        "ingest_vs_duckdb_ratio": round(stages["ingest"] / native_seconds, 2) if native_seconds else None,
        "render_ms_per_project": per_page_ms,
        "portfolio_pdf_seconds": pdf_seconds,
        "forecast_seconds": forecast_seconds,
        "forecast_projects": forecast_projects,
        "messages_delivered": messages,
        "inbox_generate_seconds": generate_seconds,
        "machine": machine(),
        "commit": source_version(),
    }
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out / "bench.md").write_text(bench_markdown(result), encoding="utf-8")
    for folder in ("month", "backfill") if reuse_inbox else ("inbox", "month", "backfill"):
        shutil.rmtree(out / folder, ignore_errors=True)  # gigabytes at large; the figures are what we keep
    return result


def source_version() -> str | None:
    """The commit the figures belong to (None outside a git checkout)."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def machine() -> dict:
    memory_kb = (
        next(
            (
                int(line.split()[1])
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")
            ),
            0,
        )
        if Path("/proc/meminfo").exists()
        else 0
    )
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
    }


def bench_markdown(result: dict) -> str:
    rows = result["rows"]
    million_rows = max(1e-9, sum(rows.values()) / 1e6)
    lines = [
        f"# steerpack bench — {result['scale']} ({result['projects']} projects)",
        "",
        f"Machine: {result['machine']['cores']} cores, {result['machine']['memory_gib']} GiB, Python "
        f"{result['machine']['python']}, DuckDB {result['machine']['duckdb']}.",
        "",
        "| rows in the month's drop | |",
        "|---|---:|",
        *[f"| {table} | {count:,} |" for table, count in rows.items()],
        "",
        "| stage | seconds | seconds per million rows |",
        "|---|---:|---:|",
        *[
            f"| {stage} | {seconds:.1f} | {seconds / million_rows:.1f} |"
            for stage, seconds in result["stage_seconds"].items()
        ],
        f"| **one month end to end** | **{result['total_seconds']:.1f}** | |",
        "",
        f"- three-month backfill: {result['backfill_3_months_seconds']:.1f} s "
        f"({result['backfill_vs_one_month']} x one month)"
        if result["backfill_3_months_seconds"] is not None
        else "- three-month backfill: not measured (`--no-backfill`)",
        f"- peak RSS: {result['peak_rss_mb']:.0f} MB, steerpack and all its processes together "
        f"(the largest single process: {result['peak_rss_largest_process_mb']:.0f} MB)",
        f"- DuckDB's own read_csv of the drop's {result['duckdb_native_files']} CSV files: "
        f"{result['duckdb_native_seconds']:.1f} s; steerpack's ingest is "
        f"{result['ingest_vs_duckdb_ratio']} x that",
        f"- rendering: {result['render_ms_per_project']} ms per project page (HTML); the portfolio PDF in "
        f"{result['portfolio_pdf_seconds']} s",
        f"- the forecast step (Monte Carlo, {result['forecast_projects']} projects x the configured trials, read "
        f"and written through the warehouse): {result['forecast_seconds']} s of the dbt stage",
        f"- messages delivered to the outbox: {result['messages_delivered']}",
        "",
    ]
    return "\n".join(lines)
