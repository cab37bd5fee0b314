"""The quality policy of DESIGN §4a: a row defect is quarantined with its reason and never blocks by itself."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.sources.incidents import parse_incident_file
from pipelines.sources.register import parse_register
from tests.helpers import tiny_register_sheets, write_sheets
from tests.test_exports_as_they_come import SERVICENOW_HEADER

INCIDENTS = [
    "INC001,Till down,2026-09-02 09:00:00,2026-09-02 11:00:00,,1 - Critical,Resolved,,Billing,Ops,",
    "INC002,No opened date,?,2026-09-03 11:00:00,,2 - High,Resolved,,Billing,Ops,",
    "INC003,Slow,2026-09-04 09:00:00,,,3 - Moderate,New,,Billing,Ops,",
]


def test_an_incident_without_an_opened_date_is_a_quarantined_row(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text(SERVICENOW_HEADER + "\n" + "\n".join(INCIDENTS) + "\n", encoding="utf-8")
    batch = parse_incident_file(path, "incidents.csv")
    assert batch.tables["incidents"]["incident_id"].tolist() == ["INC001", "INC003"]
    [reject] = batch.rejects
    assert (reject.source_row, reject.raw_record["number"]) == (3, "INC002")
    assert "opened date: required value is empty or unreadable" in reject.reason


@pytest.mark.parametrize("sheet, column, value, reason", [
    ("Projects", 2, 4, "4 is not a tier (1, 2 or 3)"),
    ("Projects", 7, -5, "-5 is negative"),
    ("Projects", 8, "dollars", "'dollars' is not an ISO currency code"),
    ("Projects", 13, "trello", "'trello' is not a plan source"),
    ("Projects", 10, dt.date(2025, 12, 1), "baseline_finish is before baseline_start"),
    ("RAID", 2, "Opportunity", "'Opportunity' is not a RAID type"),
])
def test_a_register_row_with_a_bad_value_is_quarantined_and_the_others_load(tmp_path, sheet, column, value, reason):
    sheets = tiny_register_sheets()
    sheets[sheet][1][column] = value
    batch = parse_register(write_sheets(tmp_path / "portfolio.xlsx", sheets), "portfolio.xlsx")
    table = {"Projects": "projects", "RAID": "raid"}[sheet]
    [reject] = [r for r in batch.rejects if r.table == table]
    assert reject.source_row == 2 and reason in reject.reason
    assert batch.rows_read[table] == batch.rows_loaded(table) + 1


@pytest.mark.slow
def test_a_month_whose_incident_extract_has_a_row_without_an_opened_date_publishes(workspace, dbt_manifest):
    from tests.test_pipeline import materialize, query

    folder = workspace.inbox / "2026-09" / "incidents"
    folder.mkdir(parents=True)
    (folder / "servicenow.csv").write_text(SERVICENOW_HEADER + "\n" + "\n".join(INCIDENTS) + "\n", encoding="utf-8")
    materialize(workspace, "2026-09-01")
    assert (workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html").exists()
    assert query(workspace, "select source_file, source_row, table_name from raw.quarantine") == [
        ("2026-09/incidents/servicenow.csv", 3, "incidents")]
    assert query(workspace, "select rows_read, rows_loaded, rows_quarantined from raw.load_log "
                            "where table_name = 'incidents'") == [(3, 2, 1)]


def test_send_for_a_month_without_a_published_pack_says_so_in_one_line_and_exits_1(workspace):
    from click.testing import CliRunner

    from pipelines.cli import main

    for extra in ([], ["--dry-run"]):
        result = CliRunner().invoke(main, ["send", "--month", "2026-09", "--config", str(workspace.config_file),
                                           *extra])
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "2026-09 has no published pack" in lines[0] and "steerpack run --month 2026-09" \
            in lines[0], result.output
        assert "Traceback" not in result.output


@pytest.mark.slow
def test_projects_without_spend_past_start_or_with_quarantined_spend_carry_their_data_gaps(workspace, dbt_manifest):
    from tests.test_pipeline import materialize, query

    # ALPHA (start 5 Jan 2026, codes WBS-A) gets one good and two unreadable spend lines; BETA (start 2 Mar 2026)
    # gets none: as of 30 Sep 2026 it is 6 months past its baseline start (datediff by month, 2026-03 to 2026-09).
    finance = workspace.inbox / "2026-09" / "finance"
    finance.mkdir(parents=True)
    (finance / "spend.csv").write_text(
        "document_id,line_no,posting_date,project_code,amount,currency,supplier,description,cost_type\n"
        "D1,1,2026-09-05,WBS-A,1000,USD,,,\nD2,1,2026-09-06,WBS-A,lots,USD,,,\nD3,1,2026-09-07,WBS-A,n/a?,USD,,,\n"
        "D4,1,2026-09-07,WBS-A,250,USD,,,\nD5,1,2026-09-08,WBS-A,400,USD,,,\n", encoding="utf-8")
    materialize(workspace, "2026-09-01")
    gaps = dict(query(workspace, "select project_id, data_gaps from marts.fct_project_month order by project_id"))
    assert gaps["ALPHA"] == ("2 spend line(s) on WBS-A quarantined (amount unreadable); "
                             "no plan rows for plan key ALP")
    assert gaps["BETA"] == ("no plan rows for plan key beta_plan; no spend although 6 month(s) past baseline start")
    assert query(workspace, "select count(*) from marts.fct_project_month where data_complete") == [(0,)]
    # the pack says so: a count on the executive page, the sentences on the project's page
    pack = (workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html").read_text(encoding="utf-8")
    assert '<span id="data-gaps-count">2 with data gaps</span>' in pack
    page = (workspace.output / "packs" / "2026-09" / "projects" / "BETA.html").read_text(encoding="utf-8")
    assert "<li>no spend although 6 month(s) past baseline start</li>" in page


def test_the_months_left_of_a_range_run_in_consecutive_runs():
    from pipelines.runner import consecutive_runs

    d = dt.date
    assert consecutive_runs([d(2025, 11, 1), d(2025, 12, 1), d(2026, 1, 1), d(2026, 3, 1), d(2026, 5, 1),
                             d(2026, 6, 1)]) == [[d(2025, 11, 1), d(2025, 12, 1), d(2026, 1, 1)], [d(2026, 3, 1)],
                                                 [d(2026, 5, 1), d(2026, 6, 1)]]
    assert consecutive_runs([]) == []


@pytest.mark.slow
def test_a_finance_file_whose_lines_are_all_unreadable_blocks_the_month_and_its_draft_shows_the_effect(
        tmp_path, dbt_manifest):
    from pipelines.resources.settings import load_settings
    from tests.helpers import write_config
    from tests.test_cli import steerpack
    from tests.test_exports_as_they_come import SAP_LIKE

    settings = load_settings(write_config(tmp_path, finance={"layouts": {"erp": SAP_LIKE}}))
    write_sheets(settings.inbox / "2026-09" / "register" / "portfolio.xlsx", tiny_register_sheets())
    finance = settings.inbox / "2026-09" / "finance"
    finance.mkdir(parents=True)
    # declared with a decimal comma, exported with decimal points: not one amount reads
    (finance / "erp.csv").write_text("WBS;Datum;Beleg;Pos;Betrag;Währung\nWBS-A;01.09.2026;D1;1;1234.56;USD\n"
                                     "WBS-A;02.09.2026;D2;1;99.10;USD\n", encoding="utf-8")
    done = steerpack("run", "--month", "2026-09", "--config", str(settings.config_file), cwd=tmp_path)
    assert done.returncode == 1
    assert "raw.spend 2026-09: more than 50% of a file's rows could not be loaded" in done.stderr
    assert ("e.g. 2026-09/finance/erp.csv: commonest reason \"Betrag: '1234.56' is not an amount\", rows "
            "quarantined 2, rows read 2") in done.stderr, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "Stack Trace" not in done.stderr  # a data problem, told in words
    assert not (settings.output / "packs" / "2026-09").exists()
    draft = (settings.output / "drafts" / "2026-09" / "steering-pack-2026-09-draft.html").read_text(encoding="utf-8")
    assert "DRAFT — not published" in draft
    assert "<li>2 spend line(s) on WBS-A quarantined (amount unreadable)" in draft  # on ALPHA's page of the draft
