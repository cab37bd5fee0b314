"""The thin path for real: Dagster materializes a month (ingest -> dbt -> pack -> outbox) on a temp warehouse."""

import datetime as dt
import email
import subprocess
from email import policy
from pathlib import Path

import pytest

from tests.helpers import materialize, query, tiny_register_sheets, write_sheets

pytestmark = pytest.mark.slow


SEP, OCT = "2026-09-01", "2026-10-01"


def test_a_month_goes_from_inbox_to_pack_and_outbox(workspace, dbt_manifest):
    result = materialize(workspace, SEP)
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {
        "raw/projects",
        "marts/dim_project",
        "marts/fct_project_month",
        "steering_pack",
        "pack_delivery",
    } <= materialized

    assert query(
        workspace, "select project_id, project_name, tier, sponsor, currency from marts.dim_project order by project_id"
    ) == [("ALPHA", "Alpha Billing", 1, "Ann Sponsor", "USD"), ("BETA", "Beta CRM", 3, "Bob Sponsor", "USD")]
    assert query(
        workspace, "select project_id, month, as_of, reported_status from marts.fct_project_month order by project_id"
    ) == [
        ("ALPHA", dt.date(2026, 9, 1), dt.date(2026, 9, 30), "Green"),
        ("BETA", dt.date(2026, 9, 1), dt.date(2026, 9, 30), "Amber"),
    ]

    pack = (workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html").read_text(encoding="utf-8")
    assert "Portfolio steering pack — September 2026" in pack
    assert "Data as of 30 Sep 2026" in pack
    assert 'data-project="ALPHA"' in pack and 'data-project="BETA"' in pack
    # no plan files, no spend: no EV yet, so no ratio, over no project
    assert 'id="headline"' in pack and "portfolio CPI — (over 0 projects), SPI — (over 0 projects)" in pack
    # nothing to draw without EV: the S-curve adds up the projects the headline ratios are over (none here)
    assert 'id="chart-s-curve"' not in pack and 'id="chart-indices"' not in pack
    assert pack.count("<svg") == 1  # the finish slip chart

    outbox = workspace.output / "outbox" / "2026-09"
    assert sorted(p.name for p in outbox.iterdir()) == ["bob@example.com.eml", "head.pmo@example.com.eml"]
    head = email.message_from_bytes((outbox / "head.pmo@example.com.eml").read_bytes(), policy=policy.default)
    bob = email.message_from_bytes((outbox / "bob@example.com.eml").read_bytes(), policy=policy.default)
    assert head["Subject"] == "Steering pack — 2026-09 — portfolio"
    assert bob["Message-ID"].strip() != head["Message-ID"].strip()
    assert query(
        workspace,
        "select recipient, scope, message_id, status, attempts from marts.delivery_log "
        "where month = ? order by recipient",
        [dt.date(2026, 9, 1)],
    ) == [
        ("bob@example.com", "BETA", bob["Message-ID"].strip(), "sent", 1),
        ("head.pmo@example.com", "portfolio", head["Message-ID"].strip(), "sent", 1),
    ]
    assert [part.get_filename() for part in head.iter_attachments()] == [
        "steering-pack-2026-09.pdf",
        "steering-pack-2026-09.xlsx",
        "steering-pack-2026-09.pptx",
        "steering-pack-2026-09.html",
    ]


def test_a_scoped_recipient_sees_only_their_projects(september_workspace):
    workspace = september_workspace  # September is materialized already
    raw = (workspace.output / "outbox" / "2026-09" / "bob@example.com.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "Steering pack — 2026-09 — BETA"
    assert [part.get_filename() for part in message.iter_attachments()] == [
        "steering-pack-2026-09.pdf",
        "steering-pack-2026-09.xlsx",
        "steering-pack-2026-09.pptx",
        "steering-pack-2026-09.html",
    ]
    text = message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()
    html_pack = next(p for p in message.iter_attachments() if p.get_filename().endswith(".html")).get_content()
    assert "Beta CRM" in text and "Beta CRM" in html_pack
    assert "ALPHA" not in text + html_pack and "Alpha Billing" not in text + html_pack
    # the grades counted over the reader's projects only (BETA: no plan, no spend, so Unknown)
    assert "0 Red, 0 Amber, 1 Unknown (not measurable), 0 Green (measured)" in text


def test_rerunning_a_month_leaves_counts_unchanged(september_workspace):
    workspace = september_workspace  # September is materialized already
    counts_sql = (
        "select (select count(*) from raw.projects), (select count(*) from raw.load_log), "
        "(select count(*) from marts.fct_project_month), (select count(*) from marts.dim_project)"
    )
    first = query(workspace, counts_sql)
    materialize(workspace, SEP, through_marts=True)
    assert query(workspace, counts_sql) == first == [(2, 6, 2, 2)]


def test_a_month_without_a_register_uses_the_latest_earlier_one(september_workspace):
    workspace = september_workspace  # September is materialized already
    # the October drop has a Jira export and no register (a month with no drop at all would block: DESIGN 4a)
    jira = workspace.inbox / "2026-10" / "jira"
    jira.mkdir(parents=True)
    (jira / "ALP.csv").write_text(
        (Path(__file__).parent.parent / "fixtures" / "plans" / "jira_cloud_quirks.csv").read_text(encoding="utf-8-sig"),
        encoding="utf-8",
    )
    materialize(workspace, OCT, through_marts=True)
    assert query(
        workspace,
        "select month, project_id, register_snapshot_month from marts.fct_project_month order by month, project_id",
    ) == [
        (dt.date(2026, 9, 1), "ALPHA", dt.date(2026, 9, 1)),
        (dt.date(2026, 9, 1), "BETA", dt.date(2026, 9, 1)),
        (dt.date(2026, 10, 1), "ALPHA", dt.date(2026, 9, 1)),
        (dt.date(2026, 10, 1), "BETA", dt.date(2026, 9, 1)),
    ]


def test_a_later_register_changes_only_its_own_month(september_workspace):
    workspace = september_workspace  # September is materialized already
    write_sheets(workspace.inbox / "2026-10" / "register" / "portfolio.xlsx", tiny_register_sheets("Red"))
    materialize(workspace, OCT, through_marts=True)
    materialize(workspace, SEP, through_marts=True)  # re-running September must not pick up October's register
    assert query(
        workspace,
        "select month, reported_status from marts.fct_project_month where project_id = 'ALPHA' order by month",
    ) == [(dt.date(2026, 9, 1), "Green"), (dt.date(2026, 10, 1), "Red")]


def test_hostile_text_from_the_register_stays_text_in_the_pack(workspace, dbt_manifest):
    sheets = tiny_register_sheets()
    sheets["Projects"][1][1] = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    write_sheets(workspace.inbox / "2026-09" / "register" / "portfolio.xlsx", sheets)
    materialize(workspace, SEP)
    pack = (workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html").read_text(encoding="utf-8")
    assert "<script>alert" not in pack and "<img src=x" not in pack
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pack
    # in the PDF it is printed as the text it is
    pdf = workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert '<script>alert("x")</script><img' in text.replace("\n", "")


def test_a_run_of_some_dbt_models_builds_those_only(september_workspace):
    """dbt builds in the run's process with dagster-dbt's selection for the run: one mart asked for is the one
    model built (its tests with it), and the other marts stay as September left them."""
    import dagster as dg

    from pipelines.resources import build_resources
    from pipelines.run.runner import QUIET_CONSOLE
    from tests.helpers import pipeline_assets

    workspace = september_workspace
    dim_project = dg.AssetKey(["marts", "dim_project"])
    project_months = "select count(*) from marts.fct_project_month"
    before = query(workspace, project_months)
    result = dg.materialize(
        pipeline_assets(workspace, with_checks=False, through_marts=True),
        selection=[dim_project],
        partition_key=SEP,
        resources=build_resources(workspace),
        instance=dg.DagsterInstance.ephemeral(),
        run_config=QUIET_CONSOLE,
    )
    assert result.success
    assert {event.asset_key for event in result.get_asset_materialization_events()} == {dim_project}
    checked = {evaluation.asset_key for evaluation in result.get_asset_check_evaluations()}
    assert checked == {dim_project}, checked  # dim_project's own dbt tests ran, and no other model's
    assert query(workspace, "select count(*) from marts.dim_project") == [(2,)]
    assert query(workspace, project_months) == before


def test_a_register_without_the_optional_sheets_scores_their_kpis_not_tracked(september_workspace):
    """The tiny register has none of the optional sheets (DESIGN §3: Decisions, Readiness, UAT, Cutovers, Surveys,
    Evidence): their KPIs are Not tracked with the sheet that would turn them on, never zero and never Green, on the
    scorecard mart and the pack's scorecard page; every KPI of DESIGN §5a has its row. ALPHA's one milestone,
    due 30 Apr and done 14 May, is late for tier 1 (tolerance 0): on-time rate 0 of 1, Missed."""
    workspace = september_workspace
    rows = {
        kpi: (value, status, reason)
        for kpi, value, status, reason in query(
            workspace,
            "select kpi, value, status, not_tracked_reason from marts.fct_kpi_scorecard_month "
            "where month = ? and project_id = 'ALPHA'",
            [SEP],
        )
    }
    assert len(rows) == 23
    assert rows["milestone_on_time_rate"][:2] == (0.0, "Missed")
    sheets = {
        "decision_latency": "Decisions",
        "release_readiness": "Readiness",
        "uat_completion": "UAT",
        "cutover_success": "Cutovers",
        "stakeholder_csat": "Surveys",
        "team_friction": "Surveys",
        "compliance_evidence": "Evidence",
    }
    for kpi, sheet in sheets.items():
        value, status, reason = rows[kpi]
        assert (value, status) == (None, "Not tracked"), kpi
        assert reason.startswith("needs ") and f"the register's {sheet} sheet" in reason, (kpi, reason)
    pack = (workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html").read_text(encoding="utf-8")
    scorecard = pack.split('<table id="scorecard-table">', 1)[1].split("</table>", 1)[0]
    for kpi in sheets:
        row = scorecard.split(f'<tr data-kpi="{kpi}"', 1)[1].split("</tr>", 1)[0]
        assert 'data-status="Not tracked"' in row and "Not tracked ◌" in row and "rag-Green" not in row, kpi
        assert "needs " in row and f"the register&#39;s {sheets[kpi]} sheet" in row, row
