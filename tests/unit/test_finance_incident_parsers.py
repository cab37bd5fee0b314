"""Finance and incident exports: the real files, each layout and quirk, and bad rows quarantined with reasons."""

import datetime as dt

import pandas as pd
import pytest
from openpyxl import Workbook

from pipelines.config import ConfigError, load_settings, parse_settings
from pipelines.sources.common import SourceFormatError
from pipelines.sources.finance import parse_finance_file
from pipelines.sources.incidents import parse_incident_file
from tests.helpers import FIXTURES, REALDATA, requires_realdata, write_config

OXFORD_LAYOUTS = {
    "oxford_pcard_2017q1": {
        "date_format": "%d/%m/%Y",
        "thousands": ",",
        "columns": {
            "posting_date": "Date",
            "document_id": "Reference",
            "amount": "Value",
            "supplier": "Merchant",
            "description": "Transaction description",
            "project_code": "Transaction description 2",
        },
        "defaults": {"currency": "GBP", "cost_type": "purchase card"},
    },
    "oxford_pcard_2017q4": {
        "date_format": "%d/%m/%Y",
        "columns": {
            "posting_date": "FIN.TRANSACTION DATE",
            "amount": "FIN.TRANSACTION AMOUNT",
            "supplier": "MCH.MERCHANT NAME",
            "document_id": ["FIN.TRANSACTION DATE", "MCH.MERCHANT NAME", "FIN.TRANSACTION AMOUNT"],
        },
        "defaults": {"currency": "GBP"},
    },
}


def layouts(extra=None):
    return parse_settings({"finance": {"layouts": extra or {}}}).finance.spend_layouts()


def balanced(batch):
    return all(batch.rows_read[t] == batch.rows_loaded(t) + batch.rows_quarantined(t) for t in batch.rows_read)


@requires_realdata
def test_oxford_files_load_once_their_layouts_are_declared(tmp_path):
    config = write_config(tmp_path, finance={"layouts": OXFORD_LAYOUTS})
    declared = load_settings(config).finance.spend_layouts()
    q1 = parse_finance_file(REALDATA / "finance" / "oxford_pcard_jan-mar-2017.csv", "q1.csv", declared)
    q4 = parse_finance_file(REALDATA / "finance" / "oxford_pcard_oct-nov-2017.csv", "q4.csv", declared)
    assert (q1.file_format, q4.file_format) == ("finance:oxford_pcard_2017q1", "finance:oxford_pcard_2017q4")
    assert (q1.rows_loaded("spend"), len(q1.rejects), q4.rows_loaded("spend"), len(q4.rejects)) == (1141, 0, 747, 0)
    first = q1.tables["spend"].iloc[0]  # 01/01/2017,733390292,147.16,insightly crm,Software Rental,Active Sports ...
    assert (first["posting_date"].date(), first["document_id"], first["amount"], first["currency"]) == (
        dt.date(2017, 1, 1),
        "733390292",
        147.16,
        "GBP",
    )
    assert first["project_code"] == "Active Sports Partnership"
    big = q1.tables["spend"].set_index("document_id")["amount"]
    assert big.max() == 6000.00  # "6,000.00", thousands separator
    assert round(q1.tables["spend"]["amount"].sum(), 2) == 178660.96
    # the card statement has no document number: date|merchant|amount is the key, repeats get line 2, 3 ...
    assert q4.tables["spend"].iloc[3]["amount"] == 0.97  # ".97"
    assert not q4.tables["spend"].duplicated(["document_id", "line_no"]).any()
    assert round(q4.tables["spend"]["amount"].sum(), 2) == 3771.89


@requires_realdata
def test_oxford_files_without_a_layout_are_refused_naming_the_expected_layouts():
    with pytest.raises(
        SourceFormatError,
        match=r"^q4\.csv: header matches no finance layout \(found: "
        r"FIN\.TRANSACTION DATE, MCH\.MERCHANT NAME, FIN\.TRANSACTION AMOUNT\)",
    ):
        parse_finance_file(REALDATA / "finance" / "oxford_pcard_oct-nov-2017.csv", "q4.csv", layouts())


def test_sap_numbers_trailing_minus_and_bad_rows():
    batch = parse_finance_file(FIXTURES / "finance" / "sap_cji3_sep.csv", "sap.csv", layouts())
    spend = batch.tables["spend"]
    assert batch.file_format == "finance:sap_cji3" and balanced(batch)
    assert spend["amount"].tolist() == [1234.56, 765.44, -200.00]  # 1.234,56 / 765,44 / 200,00-
    assert spend["posting_date"].dt.date.tolist() == [dt.date(2026, 9, 3), dt.date(2026, 9, 3), dt.date(2026, 9, 15)]
    assert spend[["document_id", "line_no"]].values.tolist() == [["4900001", "1"], ["4900001", "2"], ["4900002", "1"]]
    assert [r.reason for r in batch.rejects] == [
        "row 5: Posting Date: '31.09.2026' is not a date",
        "row 6: Value TranCurr: 'zwölf' is not an amount",
    ]


def test_generic_layout_from_xlsx(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "document_id",
            "line_no",
            "posting_date",
            "project_code",
            "amount",
            "currency",
            "supplier",
            "description",
            "cost_type",
        ]
    )
    sheet.append(["D1", 1, dt.datetime(2026, 9, 30), "WBS-A", 1500.25, "usd", "Acme", "Licences", "Software"])
    sheet.append(["D2", 1, dt.datetime(2026, 9, 30), "WBS-A", -250, "USD", "Acme", "Credit", "Software"])
    workbook.save(tmp_path / "ap.xlsx")
    batch = parse_finance_file(tmp_path / "ap.xlsx", "ap.xlsx", layouts())
    spend = batch.tables["spend"]
    assert batch.file_format == "finance:generic"
    assert spend["amount"].tolist() == [1500.25, -250.0]
    assert spend["currency"].tolist() == ["USD", "USD"]
    assert spend["posting_date"].dt.date.tolist() == [dt.date(2026, 9, 30)] * 2


def test_fx_rates_file(tmp_path):
    path = tmp_path / "fx_rates.csv"
    path.write_text("month,currency,rate_to_base\n2026-08,EUR,1.10\n2026-09-01,eur,1.12\n2026-10,GBP,-1\n")
    batch = parse_finance_file(path, "fx_rates.csv", layouts())
    rates = batch.tables["fx_rates"]
    assert rates.assign(month=rates["month"].dt.date)[["month", "currency", "rate_to_base"]].values.tolist() == [
        [dt.date(2026, 8, 1), "EUR", 1.10],
        [dt.date(2026, 9, 1), "EUR", 1.12],
    ]
    assert batch.rejects[0].reason == "row 4: rate_to_base: '-1' is not a positive rate"


def test_a_layout_must_name_its_key_columns(tmp_path):
    config = write_config(tmp_path, finance={"layouts": {"bad": {"columns": {"amount": "Betrag"}}}})
    with pytest.raises(ConfigError, match=r"bad value for 'finance\.layouts\.bad\.columns'.*posting_date, document_id"):
        load_settings(config)


@requires_realdata
@pytest.mark.parametrize(
    "name, rows, numbers",
    [
        ("uci_incident_event_log_first5998_excel_resaved.csv", 5998, 890),
        ("uci_incident_event_log_first198_original_format.csv", 198, 32),
    ],
)
def test_uci_event_logs_load_every_row(name, rows, numbers):
    batch = parse_incident_file(REALDATA / "incidents" / name, name)
    incidents = batch.tables["incidents"]
    assert batch.file_format == "servicenow_event_log_csv"
    assert (batch.rows_read["incidents"], len(incidents), len(batch.rejects)) == (rows, rows, 0)
    assert incidents["incident_id"].nunique() == numbers
    # INC0000045's last event (sys_mod_count 4): Closed, resolved 29/2/2016 11:29, closed 5/3/2016 12:00
    last = incidents[incidents["incident_id"] == "INC0000045"].sort_values("modification_count").iloc[-1]
    assert (last["state"], last["modification_count"], last["priority"]) == ("Closed", 4, 3)
    assert last["resolved_at"] == pd.Timestamp("2016-02-29 11:29")
    assert last["closed_at"] == pd.Timestamp("2016-03-05 12:00")
    assert last["updated_at"] == pd.Timestamp("2016-03-05 12:00")
    assert pd.isna(last["cmdb_ci"]) and pd.isna(last["caused_by"])  # "?" means no value


def test_servicenow_list_priorities_and_missing_priority():
    batch = parse_incident_file(FIXTURES / "incidents" / "servicenow_list.csv", "sn.csv")
    incidents = batch.tables["incidents"]
    assert batch.file_format == "servicenow_csv" and balanced(batch)
    assert incidents["incident_id"].tolist() == ["INC0010001", "INC0010002", "INC0010002", "INC0010003"]
    assert incidents["priority"].tolist() == [1, 2, 2, 4]
    assert incidents.iloc[0]["opened_at"] == pd.Timestamp("2026-06-02 09:00")
    assert incidents.iloc[3]["cmdb_ci"] == "MOBILE APP"
    assert [r.reason for r in batch.rejects] == ["row 6: priority: no priority 1-5 could be read"]


def test_pagerduty_priority_from_urgency_and_resolve_time_from_last_change():
    batch = parse_incident_file(FIXTURES / "incidents" / "pagerduty.csv", "pd.csv")
    incidents = batch.tables["incidents"].set_index("incident_id")
    assert incidents["priority"].to_dict() == {"PABC123": 1, "PABC124": 4, "PABC125": 2}
    assert incidents.loc["PABC123", "resolved_at"] == pd.Timestamp("2026-06-03 12:00")
    assert pd.isna(incidents.loc["PABC125", "resolved_at"])  # acknowledged: its last change is no resolution
    assert incidents.loc["PABC124", "opened_at"] == pd.Timestamp("2026-06-04 08:00")  # UTC, naive
    assert [r.reason for r in batch.rejects] == ["row 5: created_at: 'yesterday' is not a date-time"]


def test_jira_service_management_incidents():
    batch = parse_incident_file(FIXTURES / "incidents" / "jsm.csv", "jsm.csv")
    incidents = batch.tables["incidents"].set_index("incident_id")
    assert batch.file_format == "jira_service_management_csv"
    assert incidents["priority"].to_dict() == {"ITSD-1": 1, "ITSD-3": 5}  # Highest, Lowest
    assert incidents.loc["ITSD-1", "service"] == "Workday HR"
    assert incidents.loc["ITSD-1", "resolved_at"] == pd.Timestamp("2026-07-01 13:00")
    assert [r.reason for r in batch.rejects] == ["row 3: Issue Type: 'Service request' is not an incident"]
