"""Re-running a past month on a warehouse that holds later months (DESIGN §2, §6)."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
import pytest

from pipelines.observe.failures import failure_summary
from pipelines.resources import build_resources
from tests.helpers import PLAN_FIXTURES, materialize, pipeline_assets, query, tiny_register_sheets, write_sheets

pytestmark = pytest.mark.slow


SEP, OCT = "2026-09-01", "2026-10-01"


def october_register() -> dict:
    """October: BETA closed and dropped from the register, GAMMA new."""
    sheets = tiny_register_sheets()
    gamma = list(sheets["Projects"][1])
    gamma[:2] = ["GAMMA", "Gamma Portal"]
    gamma[14:16] = ["GAM", "WBS-G"]
    sheets["Projects"] = [sheets["Projects"][0], sheets["Projects"][1], gamma]
    sheets["Changes"] = sheets["Changes"][:1]
    sheets["Distribution"] = sheets["Distribution"][:2]
    return sheets


def test_rerunning_an_early_month_after_a_later_one_changes_only_that_month(september_workspace):
    workspace = september_workspace  # September is materialized already
    write_sheets(workspace.inbox / "2026-10" / "register" / "portfolio.xlsx", october_register())
    materialize(workspace, OCT, through_marts=True)
    october_sql = (
        "select project_id, month, project_name, reported_status, bac, rag_overall from marts.fct_project_month "
        "where month = ? order by project_id"
    )
    october = query(workspace, october_sql, [dt.date(2026, 10, 1)])
    assert [row[0] for row in october] == ["ALPHA", "GAMMA"]

    materialize(workspace, SEP, through_marts=True)  # a corrected September, after October

    assert query(workspace, october_sql, [dt.date(2026, 10, 1)]) == october
    assert query(
        workspace, "select project_id from marts.fct_project_month where month = ? order by 1", [dt.date(2026, 9, 1)]
    ) == [("ALPHA",), ("BETA",)]
    # every project any snapshot named, described by its latest snapshot
    assert query(
        workspace, "select project_id, project_name, register_snapshot_month from marts.dim_project order by project_id"
    ) == [
        ("ALPHA", "Alpha Billing", dt.date(2026, 10, 1)),
        ("BETA", "Beta CRM", dt.date(2026, 9, 1)),
        ("GAMMA", "Gamma Portal", dt.date(2026, 10, 1)),
    ]


def test_a_backfill_whose_middle_month_is_blocked_publishes_the_others(workspace, tmp_path, dbt_manifest):
    from tests.helpers import assert_no_library_output, steerpack

    for month in ("2026-08", "2026-10"):
        write_sheets(workspace.inbox / month / "register" / "portfolio.xlsx", tiny_register_sheets())
    broken = tiny_register_sheets()
    del broken["RAID"]
    write_sheets(workspace.inbox / "2026-09" / "register" / "portfolio.xlsx", broken)
    done = steerpack(
        "backfill", "--from", "2026-08", "--to", "2026-10", "--config", str(workspace.config_file), cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    assert_no_library_output(done.stdout + done.stderr)  # progress, findings and results only (DESIGN §10)
    packs = workspace.output / "packs"
    assert sorted(p.name for p in packs.iterdir()) == ["2026-08", "2026-10"]  # September: nothing, as before
    assert "1 month(s) blocked by the quality gate" in done.stderr
    assert "2026-09:\n  raw.projects: the month's register could not be read" in done.stderr
    assert "sheet 'RAID' missing" in done.stderr
    assert f"2026-10: {packs / '2026-10' / 'steering-pack-2026-10.html'}" in done.stdout
    assert query(workspace, "select distinct month from marts.fct_project_month order by 1") == [
        (dt.date(2026, 8, 1),),
        (dt.date(2026, 10, 1),),
    ]
    # September gets a draft, marked on every page, its blocking findings first; nothing is sent
    draft = workspace.output / "drafts" / "2026-09" / "steering-pack-2026-09-draft.html"
    assert f"a draft of 2026-09 (not published, never sent): {draft}" in done.stderr
    html = draft.read_text(encoding="utf-8")
    assert (
        html.index("DRAFT — not published")
        < html.index("the month&#39;s register could not be read")
        < html.index('<table id="projects">')
    )
    assert html.count('class="draft-banner draft-mark"') == 2  # each project page of the draft
    assert (draft.with_suffix(".pdf")).read_bytes().startswith(b"%PDF")
    assert not (workspace.output / "outbox").exists()


def _every_mart(workspace) -> dict[str, list]:
    tables = query(
        workspace,
        "select table_name from information_schema.tables where table_schema = 'marts' "
        "and table_type = 'BASE TABLE' order by 1",
    )
    return {name: query(workspace, f'select * from marts."{name}" order by all') for (name,) in tables}


def test_a_month_whose_dbt_tests_fail_leaves_every_mart_as_it_was_and_says_which_rows(workspace, dbt_manifest):
    """dbt build writes a model, then tests it: a failing test used to leave the month's marts rewritten while
    the pack on disk showed the previous ones. Now dbt builds a copy that replaces the warehouse only once every
    test passed. The quality gate catches what it knows before dbt; dbt's tests are the net for the rest. Here
    raw rows change behind the gate's back (as a load by hand or by an older steerpack could leave them): a
    status category no parser would pass, and a renamed project that models not depending on it would show."""
    jira = workspace.inbox / "2026-09" / "jira"
    jira.mkdir(parents=True)
    (jira / "ALP.csv").write_text(
        (PLAN_FIXTURES / "jira_cloud_quirks.csv").read_text(encoding="utf-8-sig"), encoding="utf-8"
    )
    materialize(workspace, SEP)
    before = _every_mart(workspace)
    assert [row[0] for row in before["fct_project_month"]] == ["ALPHA", "BETA"]
    pack = workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html"
    pack_before = pack.read_bytes()

    with duckdb.connect(str(workspace.warehouse)) as conn:
        conn.execute("update raw.work_items set status_category = 'Completato' where item_key in ('ALP-1', 'ALP-3')")
        conn.execute("update raw.projects set project_name = 'Beta CRM Renamed' where project_id = 'BETA'")
    instance = dg.DagsterInstance.ephemeral()
    assets = pipeline_assets(workspace)
    dbt_models = next(a for a in assets if a.op.name == "steerpack_dbt_models")
    dbt_onwards = dg.AssetSelection.assets(dbt_models).downstream()
    result = dg.materialize(
        assets,
        selection=dbt_onwards,
        partition_key=SEP,
        resources=build_resources(workspace),
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success

    assert _every_mart(workspace) == before  # every mart row as it was
    assert pack.read_bytes() == pack_before  # and the pack with them
    assert not (workspace.warehouse.parent / ".candidate").exists()
    summary = failure_summary(instance, result.run_id)
    assert "the marts were not published and stay as they were" in summary
    assert (
        "stg_jira__work_items.status_category must be one of To Do, In Progress, Done (dbt test "
        "accepted_values): 1 failing row(s), e.g. value_field='Completato', n_records=2"
    ) in summary
    assert "Traceback" not in summary
