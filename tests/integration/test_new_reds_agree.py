"""Audit N10: the headline's "(N new this month)", the changes list's "new Red" and the e-mail's "New reds this
month" count the same projects, a project Red in its first month included (DESIGN §5: one is_new_red column).

Only the two marts that count new Reds are built by dbt (fct_project_change_month, fct_portfolio_month), from a
hand-made fct_project_month; the pack and the e-mail are then rendered from that warehouse as a month's run
renders them. No ingest and no other model: a few seconds, not a pipeline run.
"""

import datetime as dt
import json
import re

import duckdb
import pytest

from pipelines.config import parse_settings
from pipelines.dbt.command import window_vars
from pipelines.partitions import months_between
from reports.data import load_pack_data
from reports.email import build_message
from reports.render import render_pack_html
from tests.helpers import SCORECARD_COLUMNS, run_dbt

pytestmark = pytest.mark.slow

SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)

# (project, name, September's overall grade or None when the project is new in October, October's)
PROJECTS = [
    ("FIRST", "First Light", None, "Red"),  # new this month and Red at once: a new Red
    ("TURNED", "Turned Red", "Amber", "Red"),  # a new Red
    ("STAYED", "Stayed Red", "Red", "Red"),  # Red already: not new
    ("CALM", "Calm Green", "Green", "Green"),
]

PROJECT_MONTH_COLUMNS = """
    project_id varchar, project_name varchar, month date, as_of date, tier integer, phase varchar,
    reported_status varchar, baseline_start date, baseline_finish date, go_live_planned date,
    go_live_actual date, go_live_date date, bac double, pv double, ev double, ac double, eac double,
    vac double, milestones_due integer, milestones_on_time integer, milestone_on_time_rate double,
    readiness_score double, benefits_ready boolean, days_to_go_live integer, cpi double, spi double,
    cost_overrun_pct double, schedule_slip_pct double, slip_days integer, forecast_finish date,
    rag_schedule varchar, rag_cost varchar, rag_benefits varchar, rag_incidents varchar, rag_overall varchar,
    watermelon boolean, unverified_green boolean, data_complete boolean, data_gaps varchar,
    not_graded_reason varchar
"""

# the other marts the pack reads, empty here
OTHER_MARTS = {
    "dim_project": "project_id varchar, sponsor varchar, project_manager varchar",
    "fct_data_freshness": "month date, source varchar, snapshot_month_used date, is_missing boolean, "
    "rows_read integer, rows_loaded integer, rows_quarantined integer, unreadable_files integer",
    "fct_quality_findings_month": "month date, table_name varchar, rule_name varchar, severity varchar, "
    "failed_rows integer, rule_description varchar",
    "fct_raid_month": "month date, needs_decision boolean, project_id varchar, raid_id varchar, raid_type varchar, "
    "raid_title varchar, raid_owner varchar, severity varchar, due_date date",
    "fct_change_month": "month date, needs_decision boolean, project_id varchar, cr_id varchar, cr_title varchar, "
    "submitted_date date, days_pending integer, cost_impact double, schedule_impact_days integer",
    "fct_post_golive_incidents": "month date, project_id varchar, go_live_actual date, incidents_total integer, "
    "p1_count integer, p2_count integer, open_count integer, mttr_hours double, incidents_per_week double, "
    "baseline_per_week double, is_in_window boolean",
    "fct_decision_month": "month date, needs_decision boolean, project_id varchar, decision_id varchar, "
    "decision_title varchar, decision_owner varchar, raised_date date, needed_by_date date, days_overdue integer",
    "fct_release_month": "month date, is_in_go_no_go_window boolean, project_id varchar, release_name varchar, "
    "go_live_date date, days_to_go_live integer, readiness_items integer, readiness_done integer, "
    "readiness_pct double, readiness_open_overdue integer, uat_cases_planned integer, uat_cases_executed integer, "
    "uat_cases_passed integer, uat_completion_pct double, uat_pass_rate double, uat_as_of_date date, "
    "cutover_planned_date date, cutover_actual_date date, cutover_outcome varchar, open_high_raid integer, "
    "benefits_readiness_score double",
}


def _warehouse(path):
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.execute(f"create table marts.fct_project_month ({PROJECT_MONTH_COLUMNS})")
        for table, columns in OTHER_MARTS.items():
            conn.execute(f"create table marts.{table} ({columns})")
        scorecard = ", ".join(f"{name} {kind}" for name, kind in SCORECARD_COLUMNS.items())
        conn.execute(f"create table marts.fct_kpi_scorecard_month ({scorecard})")
        for project_id, name, september, october in PROJECTS:
            for month, as_of, grade in ((SEP, dt.date(2026, 9, 30), september), (OCT, dt.date(2026, 10, 31), october)):
                if grade is None:
                    continue
                conn.execute(
                    """insert into marts.fct_project_month
                    (project_id, project_name, month, as_of, tier, reported_status, rag_overall, bac, slip_days,
                     watermelon, unverified_green, data_complete)
                    values (?, ?, ?, ?, 1, 'Green', ?, 1000.0, 0, false, false, true)""",
                    [project_id, name, month, as_of, grade],
                )


def test_the_headline_the_changes_list_and_the_email_count_the_same_new_reds(tmp_path, dbt_manifest):
    warehouse = tmp_path / "w.duckdb"
    _warehouse(warehouse)
    dbt_vars = window_vars(months_between(OCT, OCT), parse_settings({}).dbt_vars())
    done = run_dbt(
        ["run", "--select", "fct_project_change_month", "fct_portfolio_month", "--vars", json.dumps(dbt_vars)],
        tmp_path,
        warehouse,
    )
    assert done.returncode == 0, done.stdout[-4000:]

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        data = load_pack_data(conn, OCT)
        marts_new_reds = conn.execute(
            "select project_id from marts.fct_project_change_month where month = ? and is_new_red order by 1", [OCT]
        ).fetchall()
    assert marts_new_reds == [("FIRST",), ("TURNED",)]

    html = render_pack_html(data)
    [headline] = re.findall(r"(\d+) Red \((\d+) new this month\)", html)
    changes = html.split('<ul id="changes">')[1].split("</ul>")[0]
    listed = re.findall(r"<li>([^:<]+):\s*<strong class=\"rag rag-Red\">new Red</strong>", changes)

    recipient = {"recipient_email": "head.pmo@example.com", "recipient_name": "Head", "recipient_scope": "portfolio"}
    message = build_message(
        data, recipient, "pmo@example.com", [], dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), "<n10@example.com>"
    )
    text = message.get_body(("plain",)).get_content()
    [mailed] = re.findall(r"New reds this month: (.*)\.\n", text)
    mailed_names = [name.strip() for name in mailed.split(",")] if mailed != "none" else []

    assert headline == ("3", "2")  # FIRST, TURNED and STAYED are Red; FIRST and TURNED are new
    assert int(headline[1]) == len(listed) == len(mailed_names) == 2
    assert sorted(listed) == sorted(mailed_names) == ["First Light", "Turned Red"]
