"""The quality policy of DESIGN §4a: a row defect is quarantined with its reason and never blocks by itself."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.sources.incidents import parse_incident_file
from pipelines.sources.register import parse_register
from tests.helpers import SERVICENOW_HEADER, tiny_register_sheets, write_sheets

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


@pytest.mark.parametrize(
    "sheet, column, value, reason",
    [
        ("Projects", 2, 4, "4 is not a tier (1, 2 or 3)"),
        ("Projects", 7, -5, "-5 is negative"),
        ("Projects", 8, "dollars", "'dollars' is not an ISO currency code"),
        ("Projects", 13, "trello", "'trello' is not a plan source"),
        ("Projects", 10, dt.date(2025, 12, 1), "baseline_finish is before baseline_start"),
        ("RAID", 2, "Opportunity", "'Opportunity' is not a RAID type"),
    ],
)
def test_a_register_row_with_a_bad_value_is_quarantined_and_the_others_load(tmp_path, sheet, column, value, reason):
    sheets = tiny_register_sheets()
    sheets[sheet][1][column] = value
    batch = parse_register(write_sheets(tmp_path / "portfolio.xlsx", sheets), "portfolio.xlsx")
    table = {"Projects": "projects", "RAID": "raid"}[sheet]
    [reject] = [r for r in batch.rejects if r.table == table]
    assert reject.source_row == 2 and reason in reject.reason
    assert batch.rows_read[table] == batch.rows_loaded(table) + 1


def test_send_for_a_month_without_a_published_pack_says_so_in_one_line_and_exits_1(workspace):
    from click.testing import CliRunner

    from pipelines.cli import main

    for extra in ([], ["--dry-run"]):
        result = CliRunner().invoke(
            main, ["send", "--month", "2026-09", "--config", str(workspace.config_file), *extra]
        )
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert (
            len(lines) == 1
            and "2026-09 has no published pack" in lines[0]
            and "steerpack run --month 2026-09" in lines[0]
        ), result.output
        assert "Traceback" not in result.output


def test_the_months_left_of_a_range_run_in_consecutive_runs():
    from pipelines.run.isolation import consecutive_runs

    d = dt.date
    assert consecutive_runs(
        [d(2025, 11, 1), d(2025, 12, 1), d(2026, 1, 1), d(2026, 3, 1), d(2026, 5, 1), d(2026, 6, 1)]
    ) == [[d(2025, 11, 1), d(2025, 12, 1), d(2026, 1, 1)], [d(2026, 3, 1)], [d(2026, 5, 1), d(2026, 6, 1)]]
    assert consecutive_runs([]) == []


def _incident_rows(readable: int, unreadable: int) -> list[str]:
    good = [f"INC{n:03d},Slow,2026-09-04 09:00:00,,,3 - Moderate,New,,Billing,Ops," for n in range(readable)]
    bad = [f"INC9{n:02d},Lost,soon,,,3 - Moderate,New,,Billing,Ops," for n in range(unreadable)]
    return good + bad


@pytest.mark.parametrize(
    "readable, unreadable, blocking, warned",
    [
        (0, 1, [], ["small_file_rows_quarantined"]),  # one bad row of one: a row, not a layout
        (5, 15, ["file_mostly_quarantined"], []),  # 15 of 20 unreadable: the file's date format, it blocks
        (12, 8, [], []),  # 8 of 20: bad rows, quarantined
    ],
)
def test_the_file_share_rule_needs_block_file_min_rows_rows(workspace, readable, unreadable, blocking, warned):
    from pipelines.core.validate import validate_drop

    folder = workspace.inbox / "2026-09" / "incidents"
    folder.mkdir(parents=True)
    rows = _incident_rows(readable, unreadable)
    (folder / "servicenow.csv").write_text(SERVICENOW_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    [report] = validate_drop(workspace, [dt.date(2026, 9, 1)])
    shares = [f for f in report.findings if f.table == "incidents" and f.rule.endswith("quarantined")]
    assert [f.rule for f in shares if f.severity == "error"] == blocking
    assert [f.rule for f in shares if f.severity == "warn"] == warned
