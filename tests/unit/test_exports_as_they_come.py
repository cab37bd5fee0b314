"""Exports as the tools and Excel really write them (DESIGN §3): encodings detected or declared, numbers in
either locale, blank lines between records, Excel serial dates in a CSV."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.config import parse_settings
from pipelines.sources.delimited import detect_encoding, read_delimited
from pipelines.sources.finance import parse_finance_file
from pipelines.sources.incidents import parse_incident_file
from pipelines.sources.plans import parse_plan_file
from tests.helpers import SAP_LIKE, SERVICENOW_HEADER, STORY_POINTS, jira_csv


def test_a_windows_1252_jira_export_keeps_its_accents_and_says_how_it_was_read(tmp_path):
    path = tmp_path / "jira.csv"
    text = jira_csv(["Prix 1 200 € – « naïve » “quoted”", "Ærøskøbing señor"]).replace("Story 1", "Résumé café")
    path.write_bytes(text.encode("cp1252"))
    batch = parse_plan_file(path, "jira.csv", STORY_POINTS)
    assert batch.tables["work_items"]["summary"].tolist() == ["Résumé café", "Story 2"]
    assert batch.encoding == "Windows-1252"
    assert "read as Windows-1252 (detected: the file is not UTF-8)" in batch.notes


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Issue key,Summary\nA-1,Café\n", "cp1252"),  # fits cp1250 as well: Excel on a Western Windows wins
        ("Issue key,Summary\nA-1,Müller Straße, Ørsted\n", "cp1252"),
        ("Issue key,Summary\nA-1,Привет мир, это тестовая задача\nA-2,Сервер недоступен\n", "cp1251"),
    ],
)
def test_detection_prefers_windows_1252_only_where_it_reads_as_well(text, expected):
    assert detect_encoding(text.encode(expected)) == expected


def test_a_servicenow_dump_re_saved_by_excel_with_a_blank_line_after_every_record_loads_every_record(tmp_path):
    records = [
        f"INC00{n},Caisse bloquée n°{n},2026-06-0{n} 09:00:00,,,2 - High,New,,Café POS,Ops," for n in range(1, 6)
    ]
    path = tmp_path / "incidents.csv"
    path.write_bytes((SERVICENOW_HEADER + "\r\n\r\n" + "\r\n\r\n".join(records) + "\r\n\r\n").encode("cp1252"))
    batch = parse_incident_file(path, "incidents.csv")
    incidents = batch.tables["incidents"]
    assert incidents["incident_id"].tolist() == [f"INC00{n}" for n in range(1, 6)]
    assert incidents["title"].tolist()[0] == "Caisse bloquée n°1"
    assert batch.rows_read["incidents"] == 5 and batch.rejects == []
    assert incidents["source_row"].tolist() == [3, 5, 7, 9, 11]  # the rows as a spreadsheet shows them


def test_a_declared_encoding_overrides_detection(tmp_path):
    path = tmp_path / "incidents.csv"
    record = "INC001,Сбой кассы,2026-06-01 09:00:00,,,2 - High,New,,POS,Ops,"
    path.write_bytes((SERVICENOW_HEADER + "\n" + record + "\n").encode("koi8_r"))
    settings = parse_settings({"incidents": {"encoding": "koi8_r"}})
    batch = parse_incident_file(path, "incidents.csv", settings.encoding_for("incidents"))
    assert batch.tables["incidents"]["title"].tolist() == ["Сбой кассы"]
    assert "read as koi8_r (declared)" in batch.notes


def spend(tmp_path, layout: dict, lines: list[str], header: str, encoding: str = "utf-8"):
    settings = parse_settings({"finance": {"layouts": {"erp": layout}}})
    path = tmp_path / "spend.csv"
    path.write_bytes((header + "\n" + "\n".join(lines) + "\n").encode(encoding))
    return parse_finance_file(path, "spend.csv", settings.finance.spend_layouts())


def test_a_decimal_comma_layout_infers_its_thousands_mark(tmp_path):
    # DESIGN §8's own example declares `decimal: ","` and no thousands mark: `.` groups thousands then
    batch = spend(
        tmp_path,
        SAP_LIKE,
        [
            "WBS-A;01.10.2026;D1;1;35.003,64;EUR",
            "WBS-A;02.10.2026;D1;2;1.234,56-;EUR",
            "WBS-A;03.10.2026;D2;1;(1 234,56);EUR",
            "WBS-A;03.10.2026;D3;1;€ 7,5;EUR",
            "WBS-A;04.10.2026;D4;1;12.5;EUR",
        ],
        "WBS;Datum;Beleg;Pos;Betrag;Währung",
        "cp1252",
    )
    assert batch.tables["spend"]["amount"].tolist() == [35003.64, -1234.56, -1234.56, 7.5]
    assert [r.source_row for r in batch.rejects] == [6]  # `12.5` groups nothing by threes: unreadable, not 125
    assert "Betrag: '12.5' is not an amount" in batch.rejects[0].reason


def test_a_decimal_point_layout_reads_grouped_amounts_and_refuses_ambiguous_ones(tmp_path):
    layout = {
        "columns": {
            "project_code": "Code",
            "posting_date": "Date",
            "document_id": "Doc",
            "amount": "Amount",
            "currency": "Currency",
        },
        "date_format": "%Y-%m-%d",
    }
    batch = spend(
        tmp_path,
        layout,
        [
            'W,2026-10-01,D1,"1,234.56",USD',
            "W,2026-10-01,D2,$12.00,USD",
            'W,2026-10-01,D3,"12,5",USD',
            "W,45931,D4,10,USD",
        ],
        "Code,Date,Doc,Amount,Currency",
    )
    assert batch.tables["spend"]["amount"].tolist() == [1234.56, 12.0, 10.0]
    assert [r.source_row for r in batch.rejects] == [4]
    # an Excel serial date in a CSV: 45931 days after 1899-12-30
    assert batch.tables["spend"]["posting_date"].tolist()[-1] == dt.datetime(2025, 10, 1)


def test_every_delimited_source_notes_a_utf16_or_windows_file_in_validate(tmp_path):
    path = tmp_path / "fx_rates.csv"
    path.write_bytes("month,currency,rate_to_base\n2026-10,EUR,1.08\n".encode("utf-16"))
    table = read_delimited(path, "fx_rates.csv")
    assert table.encoding == "UTF-16" and table.column("currency").tolist() == ["EUR"]


def test_a_spend_file_whose_lines_mostly_fail_blocks_the_month_naming_the_file_and_the_column(tmp_path):
    from pipelines.config import load_settings
    from pipelines.core.validate import format_report, validate_drop
    from tests.helpers import tiny_register_sheets, write_config, write_sheets

    write_sheets(tmp_path / "inbox" / "2026-09" / "register" / "portfolio.xlsx", tiny_register_sheets())
    finance = tmp_path / "inbox" / "2026-09" / "finance"
    finance.mkdir(parents=True)
    header = "WBS;Datum;Beleg;Pos;Betrag;Währung\n"

    def lines(amounts: list[str]) -> str:
        return "".join(f"WBS-A;{n + 1:02d}.09.2026;D{n + 1};1;{amount};USD\n" for n, amount in enumerate(amounts))

    # declared with a decimal comma, written with decimal points: 8 of 12 lines unreadable (`99.10`)
    (finance / "erp.csv").write_text(header + lines(["99.10"] * 8 + ["12"] * 4), encoding="utf-8")
    settings = load_settings(write_config(tmp_path, finance={"layouts": {"erp": SAP_LIKE}}))
    [report] = validate_drop(settings, [dt.date(2026, 9, 1)])
    blocking = [f for f in report.findings if f.rule == "file_mostly_quarantined"]
    assert [(f.severity, f.table) for f in blocking] == [("error", "spend")]
    [example] = blocking[0].examples
    assert (example["source_file"], example["rows_read"], example["rows_quarantined"]) == (
        "2026-09/finance/erp.csv",
        12,
        8,
    )
    assert example["commonest_reason"].startswith("Betrag: '")
    assert "fix the errors before the monthly run" in format_report([report], settings)
    # at the default share, one bad line of three is only a quarantined line
    (finance / "erp.csv").write_text(header + lines(["1.234,56", "99.10", "12"]), encoding="utf-8")
    [report] = validate_drop(settings, [dt.date(2026, 9, 1)])
    assert not [f for f in report.findings if f.rule == "file_mostly_quarantined"]
    # below quality.block_file_min_rows (10) rows, two bad lines of three say nothing of the layout: a warning
    (finance / "erp.csv").write_text(header + lines(["99.10", "1.5.0", "12"]), encoding="utf-8")
    [report] = validate_drop(settings, [dt.date(2026, 9, 1)])
    assert not [f for f in report.findings if f.rule == "file_mostly_quarantined"]
    [small] = [f for f in report.findings if f.rule == "small_file_rows_quarantined"]
    assert (small.severity, small.examples[0]["rows_read"], small.examples[0]["rows_quarantined"]) == ("warn", 3, 2)
