"""`dbt build --full-refresh` rebuilds every month the warehouse holds, whatever window its vars name.

The incremental marts compute only the window's months; a full refresh starts them from nothing, so with a
one-month window it used to leave only that month (architecture review §3.6).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipelines.dbt.command import window_vars
from tests.helpers import materialize, query, run_dbt, tiny_register_sheets, write_sheets

pytestmark = pytest.mark.slow
OCT = "2026-10-01"
# every mart built month by month (dim_project is a full table already)
INCREMENTAL_MARTS = (
    "fct_project_month",
    "fct_portfolio_month",
    "fct_project_change_month",
    "fct_milestone_month",
    "fct_benefit_readiness",
    "fct_post_golive_incidents",
    "fct_raid_month",
    "fct_change_month",
    "fct_data_freshness",
    "fct_distribution_month",
    "fct_quarantine_month",
    "fct_spend_unmapped_month",
    "fct_kpi_scorecard_month",
    "fct_decision_month",
    "fct_release_month",
    "fct_release_readiness_month",
    "fct_vendor_delivery_month",
)


def marts(settings) -> dict[str, list[tuple]]:
    return {name: query(settings, f"select * from marts.{name} order by all") for name in INCREMENTAL_MARTS}


def test_a_full_refresh_with_a_one_month_window_keeps_every_month(september_workspace, tmp_path):
    workspace = september_workspace  # September already run
    write_sheets(workspace.inbox / "2026-10" / "register" / "portfolio.xlsx", tiny_register_sheets("Amber"))
    materialize(workspace, OCT, through_marts=True)
    before = marts(workspace)
    assert query(workspace, "select distinct month from marts.fct_project_month order by month") == [
        (dt.date(2026, 9, 1),),
        (dt.date(2026, 10, 1),),
    ]

    dbt_vars = window_vars([dt.date(2026, 10, 1)], workspace.dbt_vars())
    done = run_dbt(
        ["build", "--full-refresh", "--exclude", "test_type:unit", "--vars", json.dumps(dbt_vars)],
        tmp_path,
        workspace.warehouse,
    )
    assert done.returncode == 0, done.stdout[-4000:]

    after = marts(workspace)
    assert query(workspace, "select distinct month from marts.fct_project_month order by month") == [
        (dt.date(2026, 9, 1),),
        (dt.date(2026, 10, 1),),
    ]
    assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
    assert after == before
