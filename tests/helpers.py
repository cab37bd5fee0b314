"""Small builders for hand-made test inputs."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml
from openpyxl import Workbook

from pipelines.config import load_settings
from pipelines.core.warehouse.load import columns_of
from pipelines.partitions import monthly_partitions_for
from pipelines.resources import build_resources
from pipelines.run.runner import QUIET_CONSOLE
from pipelines.sources.register import SHEETS

D = dt.date


def write_sheets(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write a workbook whose sheets are given literally: the first row of each list is the header."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text typed with a leading apostrophe, not a formula
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def register_header(sheet: str) -> list[str]:
    return [column for column, _, _ in SHEETS[sheet][1]]


def tiny_register_sheets(reported_alpha: str = "Green") -> dict[str, list[list]]:
    """Two projects, one sponsor-scoped recipient and one portfolio recipient; values chosen by hand."""
    return {
        "Projects": [
            register_header("Projects"),
            [
                "ALPHA",
                "Alpha Billing",
                1,
                "Ann Sponsor",
                "Pat Manager",
                reported_alpha,
                "Execution",
                120000,
                "USD",
                D(2026, 1, 5),
                D(2026, 12, 18),
                D(2026, 11, 2),
                None,
                "jira",
                "ALP",
                "WBS-A",
                "Billing",
            ],
            [
                "BETA",
                "Beta CRM",
                3,
                "Bob Sponsor",
                "Quinn Manager",
                "amber",
                "Planning",
                "80,000.50",
                "usd",
                D(2026, 3, 2),
                D(2027, 2, 26),
                D(2027, 2, 1),
                None,
                "ms_project",
                "beta_plan",
                "WBS-B",
                "CRM",
            ],
        ],
        "Milestones": [
            register_header("Milestones"),
            ["ALPHA", "Design approved", D(2026, 4, 30), D(2026, 5, 15), D(2026, 5, 14)],
        ],
        "Benefits": [
            register_header("Benefits"),
            [
                "B1",
                "ALPHA",
                "Lower billing cost",
                "Ann Sponsor",
                "Cost per invoice",
                2.5,
                1.8,
                D(2027, 6, 30),
                D(2026, 10, 1),
            ],
        ],
        "RAID": [
            register_header("RAID"),
            [
                "R1",
                "ALPHA",
                "Risk",
                "Vendor late",
                "Pat Manager",
                "High",
                "Open",
                D(2026, 2, 1),
                D(2026, 10, 28),
                D(2026, 11, 15),
            ],
        ],
        "Changes": [
            register_header("Changes"),
            ["CR1", "BETA", "Add reporting", D(2026, 9, 1), D(2026, 9, 15), "Approved", 5000, 10],
        ],
        "Distribution": [
            register_header("Distribution"),
            ["Head.PMO@example.com", "Head of PMO", "PMO", "portfolio"],
            ["bob@example.com", "Bob Sponsor", "Sponsor", "BETA"],
        ],
    }


def write_config(folder: Path, **overrides) -> Path:
    """A steerpack.yaml in `folder` with relative paths, so path resolution is exercised too."""
    config = {
        "first_month": "2024-01",
        "inbox": "./inbox",
        "warehouse": "./warehouse/steerpack.duckdb",
        "output": "./output",
        **overrides,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "steerpack.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def tiny_workspace(folder: Path):
    """What the `workspace` fixture makes in `folder`: the config, and an inbox holding the tiny register for
    2026-09. The session-scoped "built" fixtures start from it too, so their first run sees the same inputs."""
    config = write_config(folder)
    write_sheets(folder / "inbox" / "2026-09" / "register" / "portfolio.xlsx", tiny_register_sheets())
    return load_settings(config)


def copy_workspace(built: Path, folder: Path):
    """A workspace a session-scoped fixture built once, copied into `folder` (a test's tmp_path): the config's
    paths are relative, so the copy is a workspace of its own, and the built one stays as it was."""
    shutil.copytree(built, folder, dirs_exist_ok=True)
    return load_settings(folder / "steerpack.yaml")


def run_dbt(args: list[str], folder: Path, warehouse: Path | None = None) -> subprocess.CompletedProcess:
    """The dbt command monthly runs use (`steerpack-dbt`) on the project, its target and log in `folder`, on
    `warehouse` when given (the profile reads its path from the environment)."""
    from pipelines.dbt.command import DBT_PROJECT_DIR, WAREHOUSE_ENV_VAR, dbt_command, dbt_executable

    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if warehouse is not None:
        env[WAREHOUSE_ENV_VAR] = str(warehouse)
    return subprocess.run(
        [dbt_executable(), *dbt_command(args, target_path=folder / "target", log_path=folder / "logs")],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def run_logged(command: list[str], folder: Path, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """Run a steerpack command with its output in files, not pipes.

    Dagster mirrors a run's stdout through `tail -F` helpers that can outlive the process for a moment; with
    pipes, waiting for their end-of-file would wait for those helpers too.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with out.open("w", encoding="utf-8") as stdout, err.open("w", encoding="utf-8") as stderr:
        process = subprocess.run(command, stdout=stdout, stderr=stderr, timeout=timeout, **kwargs)
    return subprocess.CompletedProcess(
        command, process.returncode, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
    )


def start_logged(command: list[str], folder: Path, **kwargs) -> tuple[subprocess.Popen, Path, Path]:
    """`run_logged` without waiting: the process, and the files its output goes to."""
    folder.mkdir(parents=True, exist_ok=True)
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with out.open("w", encoding="utf-8") as stdout, err.open("w", encoding="utf-8") as stderr:
        return subprocess.Popen(command, stdout=stdout, stderr=stderr, **kwargs), out, err


def pipeline_assets(settings, with_checks: bool = True, through_marts: bool = False) -> list:
    """Every asset (and quality check) of the monthly pack, partitioned from `settings.first_month` as
    `build_definitions` partitions them.

    `through_marts=True` leaves out the `steering_pack` and `pack_delivery` assets, so a run stops once dbt has
    built the marts: for tests that look only at the warehouse (raw, intermediate, marts), check results or
    events, never at the rendered pack, output files, outbox or delivery log. Rendering (PDFs via WeasyPrint,
    charts) and delivery are seconds of CPU per run that such a test would throw away. The default is the whole
    monthly pack, as `steerpack run` builds it."""
    from pipelines.assets import build_asset_checks, build_assets  # imported late: it loads dbt's manifest
    from pipelines.names import DELIVERY_KEY, PACK_KEY

    partitions = monthly_partitions_for(settings.first_month)
    assets = build_assets(partitions)
    if through_marts:
        assets = [asset for asset in assets if not set(asset.keys) & {PACK_KEY, DELIVERY_KEY}]
    return [*assets, *(build_asset_checks(partitions) if with_checks else [])]


def query(settings, sql, params=()):
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def run_month(settings, partition_key, through_marts: bool = False):
    """The whole monthly pack, quality checks included, on an ephemeral instance; success not asserted.
    `through_marts=True` stops at the marts (no pack rendered, nothing delivered): see `pipeline_assets`."""
    return dg.materialize(
        pipeline_assets(settings, through_marts=through_marts),
        partition_key=partition_key,
        resources=build_resources(settings),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        run_config=QUIET_CONSOLE,
    )


def materialize(settings, partition_key, through_marts: bool = False):
    """`run_month`, asserting that the run succeeded."""
    result = run_month(settings, partition_key, through_marts=through_marts)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLAN_FIXTURES = FIXTURES / "plans"


REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
# The real exports live beside the repository, not in it: a clone without them skips these tests and says why.
requires_realdata = pytest.mark.skipif(
    not REALDATA.is_dir(), reason=f"the real exports are not here ({REALDATA}): clone ../shared beside the repository"
)


def smartsheet_workbook(path: Path, end_header="Finish") -> Path:
    """Rows as Smartsheet exports them: hierarchy as outline levels, % as formatted fractions, locale dates."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Task Name",
            "Start",
            end_header,
            "Duration",
            "% Complete",
            "Status",
            "Assigned To",
            "Baseline Start",
            "Baseline Finish",
        ]
    )
    D = dt.datetime
    rows = [  # (level, name, start, finish, duration, fraction)
        (0, "Phase 1", D(2026, 1, 5), D(2026, 2, 27), "40d", 0.5),
        (1, "Design", D(2026, 1, 5), D(2026, 1, 30), "20d", 1),
        (1, "Build", D(2026, 2, 2), D(2026, 2, 27), "20d", 0.25),
        (1, "Phase 1 sign-off", D(2026, 2, 27), D(2026, 2, 27), "0", 1),
        (0, "Handover", D(2026, 3, 2), D(2026, 3, 6), "5d", 0),
    ]
    for level, name, start, finish, duration, fraction in rows:
        sheet.append([name, start, finish, duration, fraction, None, None, start, finish])
        number = sheet.max_row
        sheet.row_dimensions[number].outline_level = level
        sheet.cell(number, 5).number_format = "0%"
        for column in (2, 3, 8, 9):
            sheet.cell(number, column).number_format = "dd.mm.yyyy"  # a German user's locale
    sheet.append(["Bad % row", D(2026, 3, 9), "next week", "2d", "lots", None, None, None, None])
    workbook.save(path)
    return path


def jira_csv(descriptions: list[str]) -> str:
    rows = "".join(
        f'ALP-{n},{10000 + n},Story {n},Story,Done,Done,"{text}",\r\n' for n, text in enumerate(descriptions, start=1)
    )
    return "Issue key,Issue id,Summary,Issue Type,Status,Status Category,Description,Created\r\n" + rows


STORY_POINTS = ["Custom field (Story Points)", "Custom field (Story point estimate)"]


SOURCES = {
    "projects": "register",
    "distribution": "register",
    "work_items": "jira",
    "schedule_tasks": "ms_project",
    "spend": "finance",
    "incidents": "servicenow",
    "raid": "register",
}


def insert(conn, table, rows, month=dt.date(2026, 9, 1)):
    for number, row in enumerate(rows, start=2):
        record = {
            "snapshot_month": month,
            "source": SOURCES[table],
            "source_file": f"{table}.file",
            "source_row": number,
            **row,
        }
        columns = [c for c in columns_of(table) if c in record]
        conn.execute(
            f"insert into raw.{table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
            [record[c] for c in columns],
        )


GOOD = {
    "projects": dict(
        project_id="P1",
        project_name="One",
        tier=1,
        sponsor="S",
        project_manager="M",
        reported_status="Green",
        phase="Build",
        bac=1000.0,
        currency="USD",
        baseline_start=dt.date(2026, 1, 1),
        baseline_finish=dt.date(2026, 12, 31),
        go_live_planned=dt.date(2026, 11, 1),
        go_live_actual=None,
        plan_source="jira",
        plan_key="ONE",
        finance_codes="WBS-1",
        services="Svc",
    ),
    "distribution": dict(email="a@example.com", name="A", role="Sponsor", scope="P1"),
    "work_items": dict(
        plan_key="ONE",
        item_key="ONE-1",
        item_type="Story",
        summary="s",
        status="Done",
        status_category="Done",
        resolution="Done",
        priority="High",
        story_points=3.0,
        created_at=dt.datetime(2026, 1, 5),
        resolved_at=dt.datetime(2026, 2, 1),
        due_date=None,
    ),
    "schedule_tasks": dict(
        plan_key="plan",
        task_uid="1",
        task_name="T",
        outline_level=1,
        is_summary=False,
        is_milestone=False,
        start_date=dt.date(2026, 1, 1),
        finish_date=dt.date(2026, 2, 1),
        baseline_start=dt.date(2026, 1, 1),
        baseline_finish=dt.date(2026, 2, 1),
        baseline_cost=10.0,
        percent_complete=50.0,
    ),
    "spend": dict(
        document_id="D1",
        line_no="1",
        posting_date=dt.date(2026, 9, 5),
        project_code="WBS-1",
        amount=10.0,
        currency="USD",
    ),
    "incidents": dict(
        incident_id="INC1",
        title="t",
        priority=2,
        state="Resolved",
        opened_at=dt.datetime(2026, 9, 1, 9),
        resolved_at=dt.datetime(2026, 9, 1, 11),
        service="Svc",
    ),
}


STEERPACK = str(Path(sys.executable).with_name("steerpack"))


def steerpack(*args, cwd):
    return run_logged([STEERPACK, *args], cwd / "logs", timeout=300, cwd=cwd)


SAP_LIKE = {
    "delimiter": ";",
    "decimal": ",",
    "date_format": "%d.%m.%Y",
    "columns": {
        "project_code": "WBS",
        "posting_date": "Datum",
        "document_id": "Beleg",
        "line_no": "Pos",
        "amount": "Betrag",
        "currency": "Währung",
    },
}


SERVICENOW_HEADER = (
    "number,short_description,opened_at,resolved_at,closed_at,priority,state,cmdb_ci,"
    "business_service,assignment_group,caused_by"
)


# dbt's own log lines (its console, which dbt writes to stdout unless told otherwise), DESIGN §10
DBT_LOG_LINE = re.compile(
    r"Running with dbt=|Concurrency:|OK created|Completed successfully|Finished running|START sql"
)


def assert_no_library_output(output: str) -> None:
    """A CLI command's stdout and stderr hold progress, findings and results only: no dbt log line, no library
    warning (UserWarning, Dagster's BetaWarning and PreviewWarning), no terminal colour code (not a terminal)."""
    leaked = [line for line in output.splitlines() if DBT_LOG_LINE.search(line) or "Warning" in line]
    assert leaked == []
    assert "\x1b[" not in output


def process_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, command line), from ps."""
    # -ww: never cut the command line to the terminal's width (COLUMNS, or a tty on stderr, would cut it to 80
    # columns, and "dbt build" past column 80 went unseen in CI).
    ps = subprocess.Popen(["ps", "-ww", "-A", "-o", "pid=,ppid=,stat=,args="], stdout=subprocess.PIPE, text=True)
    listing, _ = ps.communicate(timeout=30)
    table = {}
    for line in listing.splitlines():
        pid, ppid, state, *args = line.split(None, 3)
        if int(pid) != ps.pid:
            table[int(pid)] = (int(ppid), state, args[0] if args else "")
    return table


def alive(pids) -> list[int]:
    table = process_table()
    return [pid for pid in pids if pid in table and not table[pid][1].startswith("Z")]


def wait_for(condition, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# marts.fct_kpi_scorecard_month's columns, for tests that render a pack from a hand-made warehouse
SCORECARD_COLUMNS = {
    "month": "date",
    "as_of": "date",
    "project_id": "varchar",
    "tier": "integer",
    "kpi": "varchar",
    "kpi_order": "integer",
    "kpi_label": "varchar",
    "better": "varchar",
    "kpi_unit": "varchar",
    "value": "double",
    "numerator": "double",
    "denominator": "double",
    "secondary_value": "double",
    "secondary_label": "varchar",
    "secondary_unit": "varchar",
    "target_met": "double",
    "target_near": "double",
    "status": "varchar",
    "not_tracked_reason": "varchar",
    "projects_met": "integer",
    "projects_tracked": "integer",
    "previous_value": "double",
}


# The forecast and narrative marts (DESIGN §5b, §5c), for tests that render a pack from a hand-made warehouse:
# `create_forecast_marts` makes them empty beside the other marts a test made.
FORECAST_COLUMNS = {
    "month": "date",
    "project_id": "varchar",
    "as_of": "date",
    "method": "varchar",
    "work_unit": "varchar",
    "remaining_work": "double",
    "history_weeks": "integer",
    "history_months": "integer",
    "trials": "integer",
    "forecast_seed": "decimal(20, 0)",
    "p50_finish": "date",
    "p85_finish": "date",
    "p95_finish": "date",
    "prob_by_baseline_finish": "double",
    "prob_by_go_live": "double",
    "baseline_finish": "date",
    "go_live_date": "date",
    "ieac_t_finish": "date",
    "forecast_status": "varchar",
    "status_reason": "varchar",
}
FORECAST_DISTRIBUTION_COLUMNS = {
    "month": "date",
    "project_id": "varchar",
    "finish_date": "date",
    "trials": "integer",
    "trials_share": "double",
}
NARRATIVE_COLUMNS = {
    "month": "date",
    "project_id": "varchar",
    "section": "varchar",
    "sentence_no": "integer",
    "sentence": "varchar",
}
FORECAST_MARTS = {
    "fct_forecast_month": FORECAST_COLUMNS,
    "fct_forecast_distribution_month": FORECAST_DISTRIBUTION_COLUMNS,
    "fct_status_narrative_month": NARRATIVE_COLUMNS,
}


def create_forecast_marts(conn) -> None:
    """The forecast and narrative marts, empty, in a hand-made warehouse whose `marts` schema exists."""
    for table, columns in FORECAST_MARTS.items():
        conn.execute(f"create table marts.{table} ({', '.join(f'{name} {kind}' for name, kind in columns.items())})")


def insert_mart_row(conn, table: str, **row) -> None:
    """One row of marts.<table>, the columns named."""
    conn.execute(
        f"insert into marts.{table} ({', '.join(row)}) values ({', '.join('?' for _ in row)})", list(row.values())
    )


# Every mart a pack, its project pages and its workbook read, with the columns they read: a hand-made warehouse
# (`hand_made_marts`) a unit test fills with the rows it needs, and renders from as a month's run does.
PACK_MART_COLUMNS = {
    "fct_project_month": """month date, project_id varchar, project_name varchar, tier integer, phase varchar,
        reported_status varchar, baseline_start date, baseline_finish date, go_live_planned date,
        go_live_actual date, go_live_date date, as_of date, bac double, pv double, ev double, ac double,
        ac_historical_base double, eac double, vac double, etc double, sv double, cv double,
        milestones_due integer, milestones_on_time integer, milestone_on_time_rate double, readiness_score double,
        benefits_ready boolean, days_to_go_live integer, cpi double, cpi_month double, spi double, spi_month double,
        spi_t double, tcpi double, tcpi_eac double, tspi double, eac_cpi_spi double, es_days double,
        at_days integer, pd_days double, ieac_t_finish date, percent_complete double, percent_spent double,
        cost_overrun_pct double, schedule_slip_pct double, slip_days integer, forecast_finish date,
        raid_fresh_pct double, rag_schedule varchar, rag_cost varchar, rag_benefits varchar,
        rag_incidents varchar, rag_overall varchar, watermelon boolean, unverified_green boolean,
        data_complete boolean, data_gaps varchar, not_graded_reason varchar, status_comment varchar""",
    "dim_project": "project_id varchar, sponsor varchar, project_manager varchar",
    "fct_portfolio_month": """month date, as_of date, projects_total integer, projects_red integer,
        projects_amber integer, projects_green integer, projects_unknown integer, watermelons integer,
        unverified_greens integer, new_reds integer, bac_total double, eac_total double, eac_bac_total double,
        eac_projects integer, pv_total double, ev_total double, ac_total double, ev_cpi_total double,
        portfolio_cpi double, portfolio_cpi_projects integer, portfolio_spi double, portfolio_spi_projects integer,
        milestone_on_time_rate double, go_lives_this_month integer, go_lives_next_month integer""",
    "fct_data_freshness": """month date, source varchar, snapshot_month_used date, is_missing boolean,
        rows_read integer, rows_loaded integer, rows_quarantined integer, unreadable_files integer""",
    "fct_quality_findings_month": """month date, table_name varchar, rule_name varchar, severity varchar,
        failed_rows integer, rule_description varchar""",
    "fct_project_change_month": """month date, project_id varchar, rag_overall varchar,
        previous_rag_overall varchar, rag_moved boolean, is_new_red boolean, slip_days_change integer,
        changed_since_last_month boolean""",
    "fct_raid_month": """month date, project_id varchar, raid_id varchar, raid_type varchar, raid_title varchar,
        raid_owner varchar, severity varchar, due_date date, is_open boolean, is_overdue boolean,
        days_since_update integer, needs_decision boolean""",
    "fct_change_month": """month date, project_id varchar, cr_id varchar, cr_title varchar, submitted_date date,
        decided_date date, decision varchar, is_pending boolean, days_pending integer, cost_impact double,
        schedule_impact_days integer, needs_decision boolean""",
    "fct_decision_month": """month date, project_id varchar, decision_id varchar, decision_title varchar,
        decision_owner varchar, raised_date date, needed_by_date date, decided_date date, decision_outcome varchar,
        is_open boolean, is_overdue boolean, days_open integer, latency_days integer, days_overdue integer,
        needs_decision boolean""",
    "fct_post_golive_incidents": """month date, project_id varchar, go_live_actual date, window_days integer,
        incidents_total integer, p1_count integer, p2_count integer, open_count integer, mttr_hours double,
        incidents_per_week double, baseline_per_week double, is_in_window boolean""",
    "fct_milestone_month": """month date, project_id varchar, milestone_name varchar, baseline_date date,
        forecast_date date, actual_date date, slip_days integer, is_due boolean, is_on_time boolean""",
    "fct_benefit_readiness": """month date, project_id varchar, benefit_id varchar, benefit_description varchar,
        benefit_owner varchar, metric varchar, checks_met integer, readiness_score double""",
    "fct_release_month": """month date, project_id varchar, release_name varchar, go_live_date date,
        days_to_go_live integer, is_in_go_no_go_window boolean, is_current_release boolean,
        readiness_items integer, readiness_done integer, readiness_pct double, readiness_open_overdue integer,
        uat_cases_planned integer, uat_cases_executed integer, uat_cases_passed integer,
        uat_completion_pct double, uat_pass_rate double, uat_as_of_date date, cutover_planned_date date,
        cutover_actual_date date, cutover_outcome varchar, open_high_raid integer,
        benefits_readiness_score double""",
    "fct_release_readiness_month": """month date, project_id varchar, release_name varchar,
        readiness_area varchar, items_applicable integer, items_done integer, items_open integer,
        readiness_pct double, open_items varchar""",
    "fct_kpi_scorecard_month": ", ".join(f"{name} {kind}" for name, kind in SCORECARD_COLUMNS.items()),
}


def hand_made_marts(conn) -> None:
    """Every mart the pack reads, empty (the forecast and narrative marts included), in `conn`'s new schema marts."""
    conn.execute("create schema marts")
    for table, columns in PACK_MART_COLUMNS.items():
        conn.execute(f"create table marts.{table} ({columns})")
    create_forecast_marts(conn)


# Debian's Chromium, headless, with nothing of its own reaching the network (updates, sync, QUIC probes)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch_chromium(playwright):
    """The suite's browser: `make test` installs Debian's Chromium (system-deps); playwright drives it."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
