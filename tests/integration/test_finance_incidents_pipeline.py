"""Spend, FX and incidents through Dagster and dbt: dedup of overlapping extracts, currency, mapping, latest state."""

import datetime as dt
import shutil

import dagster as dg
import pytest

from pipelines.resources import build_resources
from tests.helpers import FIXTURES, REALDATA, materialize, pipeline_assets, query, requires_realdata, run_month

pytestmark = pytest.mark.slow


AUG, SEP, OCT = dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)


HEADER = "document_id,line_no,posting_date,project_code,amount,currency,supplier,description,cost_type\n"


def drop(settings, month: dt.date, name: str, text: str) -> None:
    folder = settings.inbox / f"{month:%Y-%m}" / "finance"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def actual_cost(settings, month):
    return dict(
        query(
            settings,
            "select coalesce(project_id, '(unmapped)'), round(sum(amount_base), 2) "
            "from intermediate.int_spend_converted where month = ? group by 1",
            [month],
        )
    )


def test_overlapping_extracts_credit_notes_and_currency(workspace, dbt_manifest):
    # September's extract carries history (August) and September; October's overlaps September again.
    drop(
        workspace,
        SEP,
        "ap.csv",
        HEADER + "D1,1,2026-08-20,WBS-A,1000.00,USD,Acme,Aug work,Services\n"
        "D2,1,2026-09-10,WBS-A,2000.00,USD,Acme,Sep work,Services\n"
        "D2,2,2026-09-10,WBS-A,500.00,USD,Acme,Sep work,Services\n"
        "E1,1,2026-08-31,WBS-B,100.00,EUR,Euro AG,Aug licence,Licences\n"
        "X1,1,2026-09-15,WBS-NOBODY,75.00,USD,Old vendor,Unmapped,Hosting\n",
    )
    sap = (FIXTURES / "finance" / "sap_cji3_sep.csv").read_text(encoding="utf-8")
    drop(workspace, SEP, "sap_cji3_sep.csv", sap.replace("WBS-ERP", "WBS-B"))  # BETA's code in the tiny register
    drop(workspace, SEP, "fx_rates.csv", "month,currency,rate_to_base\n2026-08,EUR,1.05\n2026-09,EUR,1.10\n")
    drop(
        workspace,
        OCT,
        "ap.csv",
        HEADER + "D2,1,2026-09-10,WBS-A,2000.00,USD,Acme,Sep work,Services\n"
        "D2,2,2026-09-10,WBS-A,500.00,USD,Acme,Sep work,Services\n"
        "D3,1,2026-10-05,WBS-A,4000.00,USD,Acme,Oct work,Services\n"
        "D4,1,2026-11-02,WBS-A,9999.00,USD,Acme,Posted after as_of,Services\n",
    )
    drop(workspace, OCT, "fx_rates.csv", "month,currency,rate_to_base\n2026-10,EUR,1.20\n")
    # (intermediate views show the window of the latest run, so each month is read right after its run)
    materialize(workspace, "2026-09-01", through_marts=True)
    # ALPHA by hand: Sep = 1000 + 2000 + 500 = 3500. BETA: E1 100 EUR at August's 1.05 = 105.00; the SAP file's
    # 1234.56 + 765.44 - 200.00 (credit note) = 1800 EUR at September's 1.10 = 1980.00; together 2085.00.
    assert actual_cost(workspace, SEP) == {"ALPHA": 3500.00, "BETA": 2085.00, "(unmapped)": 75.00}
    materialize(workspace, "2026-10-01", through_marts=True)
    # October adds only D3 (D2 is repeated, D4 posts after 31 Oct): 7500; a new rate leaves posted lines alone.
    assert actual_cost(workspace, OCT) == {"ALPHA": 7500.00, "BETA": 2085.00, "(unmapped)": 75.00}
    assert query(
        workspace,
        "select month, project_code, spend_lines, amount_base from marts.fct_spend_unmapped_month order by month",
    ) == [(SEP, "WBS-NOBODY", 1, 75.0), (OCT, "WBS-NOBODY", 1, 75.0)]
    # the SAP file's two bad rows are quarantined; every file balances
    assert query(workspace, "select source_row, reason from raw.quarantine where source = 'finance'") == [
        (5, "row 5: Posting Date: '31.09.2026' is not a date"),
        (6, "row 6: Value TranCurr: 'zwölf' is not an amount"),
    ]
    assert query(workspace, "select count(*) from raw.load_log where rows_read <> rows_loaded + rows_quarantined") == [
        (0,)
    ]


def test_a_missing_fx_rate_stops_the_month_naming_currency_and_month(workspace, dbt_manifest):
    drop(workspace, SEP, "ap.csv", HEADER + "G1,1,2026-09-03,WBS-B,10.00,GBP,UK Ltd,Licence,Licences\n")
    # The quality check stops the month before dbt, naming the currency and the month ...
    result = run_month(workspace, "2026-09-01")
    assert not result.success
    evaluation = next(
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.asset_key.path == ["raw", "spend"]
    )
    finding = evaluation.metadata["findings"].value[0]
    assert (finding["rule"], finding["severity"], finding["examples"]) == (
        "fx_rate_for_every_currency_and_month",
        "error",
        [{"currency": "GBP", "posting_month": "2026-09", "lines": 1, "source_file": "2026-09/finance/ap.csv"}],
    )
    assert not (workspace.output / "packs" / "2026-09").exists()
    # The month's draft: dbt (in this process) cannot compute it either, so the draft holds the findings alone
    from pipelines.run.drafts import render_draft

    draft = render_draft(workspace, dt.date(2026, 9, 1), ["raw.spend: no FX rate for GBP in 2026-09"]).read_text(
        encoding="utf-8"
    )
    assert "DRAFT — not published" in draft and "Its numbers could not be computed." in draft
    assert "raw.spend: no FX rate for GBP in 2026-09" in draft


def test_without_the_check_dbt_itself_refuses_a_missing_rate(workspace, dbt_manifest):
    # ... and dbt would refuse too, so no path (a check removed from a suite, a run of dbt by hand) converts at 1.0
    drop(workspace, SEP, "ap.csv", HEADER + "G1,1,2026-09-03,WBS-B,10.00,GBP,UK Ltd,Licence,Licences\n")
    result = dg.materialize(
        pipeline_assets(workspace, with_checks=False),
        partition_key="2026-09-01",
        resources=build_resources(workspace),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    failure = "\n".join(str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure)
    assert "no FX rate for GBP in 2026-09 (spend line G1/1 of 2026-09/finance/ap.csv)" in failure


@requires_realdata
def test_event_logs_keep_each_incidents_latest_state(workspace, dbt_manifest):
    for month, name in (
        (SEP, "uci_incident_event_log_first198_original_format.csv"),
        (OCT, "uci_incident_event_log_first5998_excel_resaved.csv"),
    ):
        folder = workspace.inbox / f"{month:%Y-%m}" / "incidents"
        folder.mkdir(parents=True)
        shutil.copy(REALDATA / "incidents" / name, folder)
    states = {}
    for partition in ("2026-09-01", "2026-10-01"):
        materialize(workspace, partition, through_marts=True)
        states.update(
            {
                (row[0], row[1]): row[2:]
                for row in query(
                    workspace,
                    "select month, incident_id, incident_state, resolved_at from "
                    "intermediate.int_incidents_as_of_month where incident_id in ('INC0000045', 'INC0000101')",
                )
            }
        )
    assert query(
        workspace,
        "select snapshot_month, count(*), count(distinct incident_id) "
        "from staging.stg_servicenow__incidents group by 1 order by 1",
    ) == [(SEP, 32, 32), (OCT, 890, 890)]
    # INC0000101's log stops at "Active" (sys_mod_count 3) in the short file, and reaches "Closed" in the long one
    assert states[(SEP, "INC0000101")][0] == "Active"
    assert states[(OCT, "INC0000101")][0] == "Closed"
    assert states[(SEP, "INC0000045")] == ("Closed", dt.datetime(2016, 2, 29, 11, 29))
    assert query(workspace, "select count(*) from intermediate.int_incidents_as_of_month where month = ?", [OCT]) == [
        (890,)
    ]


def test_incidents_map_to_projects_by_service_or_ci_ignoring_case(workspace, dbt_manifest):
    folder = workspace.inbox / "2026-09" / "incidents"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "incidents" / "servicenow_list.csv", folder)
    materialize(workspace, "2026-09-01", through_marts=True)
    # the tiny register: ALPHA runs "Billing", BETA runs "CRM"; none runs Mobile App -> unmapped, but kept
    assert query(workspace, "select count(*), count(project_id) from intermediate.int_incidents_as_of_month") == [
        (3, 0)
    ]  # INC0010002 exported twice counts once; INC0010004 (no priority) is quarantined
    text = (workspace.inbox / "2026-09" / "incidents" / "servicenow_list.csv").read_text()
    (folder / "servicenow_list.csv").write_text(text.replace("Mobile API Gateway", "billing"))
    materialize(workspace, "2026-09-01", through_marts=True)
    assert query(
        workspace,
        "select incident_id, project_id from intermediate.int_incidents_as_of_month where project_id is not null",
    ) == [("INC0010002", "ALPHA")]
