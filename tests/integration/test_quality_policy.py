"""The quality policy of DESIGN §4a: a row defect is quarantined with its reason and never blocks by itself."""

from __future__ import annotations

import pytest

from tests.helpers import SERVICENOW_HEADER, tiny_register_sheets, write_sheets

UNREADABLE_INCIDENT = "INC002,No opened date,?,2026-09-03 11:00:00,,2 - High,Resolved,,Billing,Ops,"


@pytest.mark.slow
def test_a_one_row_incident_extract_whose_row_is_unreadable_publishes_with_a_gap(workspace, dbt_manifest):
    """One bad row of one says nothing of the file's layout (quality.block_file_min_rows): the row is quarantined,
    the month publishes, and ALPHA, which runs the row's service (Billing), has a data gap for it."""
    from tests.helpers import materialize, query

    folder = workspace.inbox / "2026-09" / "incidents"
    folder.mkdir(parents=True)
    (folder / "servicenow.csv").write_text(SERVICENOW_HEADER + "\n" + UNREADABLE_INCIDENT + "\n", encoding="utf-8")
    materialize(workspace, "2026-09-01")
    assert (workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html").exists()
    assert query(workspace, "select source_file, source_row, table_name, record_key from raw.quarantine") == [
        ("2026-09/incidents/servicenow.csv", 2, "incidents", "Billing")
    ]
    assert query(
        workspace, "select rows_read, rows_loaded, rows_quarantined from raw.load_log where table_name = 'incidents'"
    ) == [(1, 0, 1)]
    assert query(
        workspace,
        "select rule, severity from raw.quality_findings where table_name = 'incidents' and rule like '%quarantined'",
    ) == [("small_file_rows_quarantined", "warn")]
    gaps = dict(query(workspace, "select project_id, data_gaps from marts.fct_project_month"))
    # (`?` is an export's empty marker: the opened date is missing)
    assert "1 incident row(s) on Billing quarantined (a required value missing)" in gaps["ALPHA"]
    assert "incident" not in gaps["BETA"]  # BETA runs CRM, not Billing


@pytest.mark.slow
def test_projects_without_spend_past_start_or_with_quarantined_spend_carry_their_data_gaps(workspace, dbt_manifest):
    from tests.helpers import materialize, query

    # ALPHA (start 5 Jan 2026, codes WBS-A) gets one good and two unreadable spend lines; BETA (start 2 Mar 2026)
    # gets none: as of 30 Sep 2026 it is 6 months past its baseline start (datediff by month, 2026-03 to 2026-09).
    finance = workspace.inbox / "2026-09" / "finance"
    finance.mkdir(parents=True)
    (finance / "spend.csv").write_text(
        "document_id,line_no,posting_date,project_code,amount,currency,supplier,description,cost_type\n"
        "D1,1,2026-09-05,WBS-A,1000,USD,,,\nD2,1,2026-09-06,WBS-A,lots,USD,,,\nD3,1,2026-09-07,WBS-A,n/a?,USD,,,\n"
        "D4,1,2026-09-07,WBS-A,250,USD,,,\nD5,1,2026-09-08,WBS-A,400,USD,,,\n",
        encoding="utf-8",
    )
    materialize(workspace, "2026-09-01")
    gaps = dict(query(workspace, "select project_id, data_gaps from marts.fct_project_month order by project_id"))
    assert gaps["ALPHA"] == (
        "2 spend line(s) on WBS-A quarantined (amount unreadable); "
        "no plan rows loaded for plan key ALP (plan_source jira) in this or an earlier drop"
    )
    assert gaps["BETA"] == (
        "no plan rows loaded for plan key beta_plan (plan_source ms_project) in this or an earlier drop; "
        "no spend although 6 month(s) past baseline start"
    )
    assert query(workspace, "select count(*) from marts.fct_project_month where data_complete") == [(0,)]
    # the pack says so: a count on the executive page, the sentences on the project's page
    pack = (workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html").read_text(encoding="utf-8")
    assert '<span id="data-gaps-count">2 with data gaps</span>' in pack
    page = (workspace.output / "packs" / "2026-09" / "projects" / "BETA.html").read_text(encoding="utf-8")
    assert "<li>no spend although 6 month(s) past baseline start</li>" in page


@pytest.mark.slow
def test_a_finance_file_whose_lines_are_all_unreadable_blocks_the_month_and_its_draft_shows_the_effect(
    tmp_path, dbt_manifest
):
    from pipelines.config import load_settings
    from tests.helpers import SAP_LIKE, steerpack, write_config

    settings = load_settings(write_config(tmp_path, finance={"layouts": {"erp": SAP_LIKE}}))
    write_sheets(settings.inbox / "2026-09" / "register" / "portfolio.xlsx", tiny_register_sheets())
    finance = settings.inbox / "2026-09" / "finance"
    finance.mkdir(parents=True)
    # declared with a decimal comma, exported with decimal points: not one amount of twelve reads
    (finance / "erp.csv").write_text(
        "WBS;Datum;Beleg;Pos;Betrag;Währung\n"
        + "".join(f"WBS-A;{day:02d}.09.2026;D{day};1;1234.56;USD\n" for day in range(1, 13)),
        encoding="utf-8",
    )
    done = steerpack("run", "--month", "2026-09", "--config", str(settings.config_file), cwd=tmp_path)
    assert done.returncode == 1
    assert "raw.spend 2026-09: more than 50% of a file's rows could not be loaded" in done.stderr
    assert (
        "e.g. 2026-09/finance/erp.csv: commonest reason \"Betrag: '1234.56' is not an amount\", rows "
        "quarantined 12, rows read 12"
    ) in done.stderr, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "Stack Trace" not in done.stderr  # a data problem, told in words
    assert not (settings.output / "packs" / "2026-09").exists()
    draft = (settings.output / "drafts" / "2026-09" / "steering-pack-2026-09-draft.html").read_text(encoding="utf-8")
    assert "DRAFT — not published" in draft
    assert "<li>12 spend line(s) on WBS-A quarantined (amount unreadable)" in draft  # on ALPHA's page of the draft
