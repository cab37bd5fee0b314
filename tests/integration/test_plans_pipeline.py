"""Plans through Dagster and dbt: every file of a month loads or is reported, and rows map to their projects."""

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.helpers import (
    PLAN_FIXTURES,
    copy_workspace,
    materialize,
    register_header,
    run_month,
    smartsheet_workbook,
    tiny_register_sheets,
    tiny_workspace,
    write_sheets,
)

pytestmark = pytest.mark.slow


SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)


def plan_register() -> dict:
    sheets = tiny_register_sheets()
    header = register_header("Projects")
    beta = dict(zip(header, sheets["Projects"][2]))
    beta.update(plan_source="ms_project", plan_key="compact_no_indent")
    gamma = dict(
        beta,
        project_id="GAMMA",
        project_name="Gamma Shop",
        plan_source="azure_devops",
        plan_key="Contoso\\Shop",
        finance_codes="WBS-G",
    )
    delta = dict(
        beta,
        project_id="DELTA",
        project_name="Delta ERP",
        plan_source="smartsheet",
        plan_key="erp_plan",
        finance_codes="WBS-D",
    )
    sheets["Projects"] = [
        header,
        sheets["Projects"][1],
        *[[row.get(c) for c in header] for row in (beta, gamma, delta)],
    ]
    return sheets


def drop_plans(inbox, month: dt.date, broken: bool = True) -> None:
    folder = inbox / f"{month:%Y-%m}"
    write_sheets(folder / "register" / "portfolio.xlsx", plan_register())
    (folder / "jira").mkdir(parents=True)
    shutil.copy(PLAN_FIXTURES / "jira_cloud_quirks.csv", folder / "jira" / "ALP.csv")
    (folder / "azure_devops").mkdir()
    ado = (PLAN_FIXTURES / "ado_partly_quoted.csv").read_text(encoding="utf-8")
    ado += "205,Bug,Neighbour team,,Active,Contoso\\ShopLegacy,,2,4/20/2026 9:00:00 AM,,\n"
    (folder / "azure_devops" / "shop.csv").write_text(ado, encoding="utf-8")
    (folder / "ms_project").mkdir()
    shutil.copy(PLAN_FIXTURES / "compact_no_indent.xml", folder / "ms_project")
    (folder / "smartsheet").mkdir()
    smartsheet_workbook(folder / "smartsheet" / "erp_plan.xlsx")
    if broken:
        (folder / "jira" / "garbage.csv").write_bytes(bytes(range(256)) * 8)
        (folder / "ms_project" / "half.xml").write_bytes((PLAN_FIXTURES / "compact_no_indent.xml").read_bytes()[:500])


@pytest.fixture(scope="session")
def _september_plans_built(tmp_path_factory, dbt_manifest) -> Path:
    """The `workspace` with September's good plans (`drop_plans(..., broken=False)`) materialized through the marts
    (no pack rendered, nothing delivered: no test of this module reads September's pack, outbox or delivery log),
    built once per session (per xdist worker)."""
    folder = tmp_path_factory.mktemp("september_plans")
    settings = tiny_workspace(folder)
    drop_plans(settings.inbox, SEP, broken=False)
    materialize(settings, "2026-09-01", through_marts=True)
    return folder


@pytest.fixture
def september_plans(_september_plans_built, tmp_path):
    """`_september_plans_built` copied for this test: for tests whose story starts with September's good plans
    materialized, instead of each running the same month again."""
    return copy_workspace(_september_plans_built, tmp_path)


def rows(settings, sql, params=()):
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def test_a_month_of_plans_loads_and_broken_files_are_reported(workspace, dbt_manifest):
    drop_plans(workspace.inbox, SEP)
    # the good files load; the unreadable ones are in the load log, and the quality gate holds the month back
    result = run_month(workspace, "2026-09-01", through_marts=True)
    assert not result.success
    blocked = {
        e.asset_check_evaluation_data.asset_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
        and e.asset_check_evaluation_data.severity.value == "ERROR"
    }
    assert blocked == {"raw/work_items", "raw/schedule_tasks"}
    log = rows(
        workspace,
        "select source_file, file_format, rows_read, rows_loaded, rows_quarantined, error "
        "from raw.load_log where source <> 'register' order by source_file",
    )
    assert [row[:5] for row in log] == [
        ("2026-09/azure_devops/shop.csv", "azure_devops_csv", 5, 4, 1),
        ("2026-09/jira/ALP.csv", "jira_csv", 5, 4, 1),
        ("2026-09/jira/garbage.csv", "unrecognised", 0, 0, 0),
        ("2026-09/ms_project/compact_no_indent.xml", "mspdi_xml", 5, 4, 1),
        ("2026-09/ms_project/half.xml", "unrecognised", 0, 0, 0),
        ("2026-09/smartsheet/erp_plan.xlsx", "smartsheet_xlsx", 6, 5, 1),
    ]
    errors = {row[0]: row[5] for row in log if row[5]}
    assert errors == {
        "2026-09/jira/garbage.csv": "2026-09/jira/garbage.csv: binary data, not a text export",
        "2026-09/ms_project/half.xml": "2026-09/ms_project/half.xml: not well-formed XML (line 1, column 487): "
        "unclosed token",
    }
    assert rows(workspace, "select count(*) from raw.quarantine where source <> 'register'") == [(4,)]
    # every row read is loaded or quarantined, file by file
    assert rows(workspace, "select count(*) from raw.load_log where rows_read <> rows_loaded + rows_quarantined") == [
        (0,)
    ]


def test_rows_map_to_projects_by_key_area_path_and_file_stem(september_plans):
    workspace = september_plans  # drop_plans(workspace.inbox, SEP, broken=False), then September materialized
    mapped = dict(
        rows(
            workspace, "select item_key, project_id from intermediate.int_work_items_as_of_month where month = ?", [SEP]
        )
    )
    assert mapped == {
        "ALP-1": "ALPHA",
        "ALP-2": "ALPHA",
        "ALP-3": "ALPHA",
        "ALP-100": "ALPHA",
        "201": "GAMMA",
        "202": "GAMMA",
        "203": "GAMMA",  # 202 sits in Contoso\Shop\API
        "205": None,
    }  # Contoso\ShopLegacy merely starts with the same letters
    tasks = rows(
        workspace,
        "select project_id, plan_source, count(*) from intermediate.int_schedule_tasks_as_of_month "
        "where month = ? group by all order by 1",
        [SEP],
    )
    assert tasks == [("BETA", "ms_project", 4), ("DELTA", "smartsheet", 5)]
    flags = dict(
        rows(
            workspace,
            "select item_key, (is_done, is_out_of_scope) from intermediate.int_work_items_as_of_month where month = ?",
            [SEP],
        )
    )
    assert flags["ALP-1"] == (True, False) and flags["ALP-3"] == (False, True)  # resolved Won't Do
    assert flags["203"] == (False, True) and flags["201"] == (True, False)  # Removed / Done


def test_rerunning_a_month_replaces_its_plans_exactly_and_later_exports_win(september_plans):
    workspace = september_plans  # drop_plans(workspace.inbox, SEP, broken=False), then September materialized
    counts_sql = (
        "select source, count(*) from raw.work_items group by 1 union all "
        "select source, count(*) from raw.schedule_tasks group by 1 order by 1"
    )
    first = rows(workspace, counts_sql)
    materialize(workspace, "2026-09-01", through_marts=True)
    assert (
        rows(workspace, counts_sql) == first == [("azure_devops", 4), ("jira", 4), ("ms_project", 4), ("smartsheet", 5)]
    )
    assert rows(workspace, "select count(*) from raw.load_log where snapshot_month = ?", [SEP]) == [(10,)]
    # October's Jira export lacks ALP-2 and has ALP-1 re-opened; ALP-2 is still served from September's
    folder = workspace.inbox / "2026-10" / "jira"
    folder.mkdir(parents=True)
    text = (PLAN_FIXTURES / "jira_cloud_quirks.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header, login = text[0], "".join(text[1:3]).replace(",Done,ALP,High,Done,", ",Reopened,ALP,High,,")
    (folder / "ALP.csv").write_text(
        header + login.replace("\n,Done,ALP-100", "\n,In Progress,ALP-100"), encoding="utf-8"
    )
    materialize(workspace, "2026-10-01", through_marts=True)
    october = dict(
        rows(
            workspace,
            "select item_key, (snapshot_month, item_status) from "
            "intermediate.int_work_items_as_of_month where month = ? and work_item_source = 'jira'",
            [OCT],
        )
    )
    assert october["ALP-1"] == (OCT, "Reopened")
    assert october["ALP-2"] == (SEP, "In Progress")
    assert rows(workspace, "select count(*) from raw.work_items where snapshot_month = ?", [SEP]) == [(8,)]


def test_an_unreadable_plan_is_served_from_its_previous_export_and_the_month_publishes(september_plans):
    workspace = september_plans  # drop_plans(workspace.inbox, SEP, broken=False), then September materialized
    drop_plans(workspace.inbox, OCT, broken=False)
    # October's export of Beta's schedule is truncated: its September export serves it, and the pack says so
    (workspace.inbox / "2026-10" / "ms_project" / "compact_no_indent.xml").write_bytes(
        (PLAN_FIXTURES / "compact_no_indent.xml").read_bytes()[:500]
    )
    result = materialize(workspace, "2026-10-01")  # the whole pack: "the month publishes"
    warned = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.asset_key.to_user_string() == "raw/schedule_tasks"
    ]
    findings = warned[0].metadata["findings"].value
    assert [(f["rule"], f["severity"], f["examples"][0]["served_from"]) for f in findings] == [
        ("unreadable_file_served_from_earlier_snapshot", "warn", "2026-09")
    ]
    assert rows(
        workspace,
        "select month, project_id, ev is not null from marts.fct_project_month "
        "where project_id = 'BETA' order by month",
    ) == [(SEP, "BETA", True), (OCT, "BETA", True)]
    [(gaps,)] = rows(
        workspace, "select data_gaps from marts.fct_project_month where project_id = 'BETA' and month = ?", [OCT]
    )
    assert gaps is None or "no plan rows" not in gaps  # served rows are plan rows
