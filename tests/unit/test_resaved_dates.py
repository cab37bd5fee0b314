"""Exports re-saved by Excel: numeric dates in the user's locale, read by one reader for every delimited source
(DESIGN §3). The order of day and month is inferred per column, borrowed from another column of the file, taken
from `<source>.date_order`, or asked for in one finding."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipelines.sources.columns import DateDialect, parse_tool_datetimes
from pipelines.sources.common import SourceFormatError
from pipelines.sources.incidents import parse_incident_file
from pipelines.sources.plans import AgileReadOptions, parse_plan_file

JIRA_HEADER = (
    "Issue key,Issue id,Summary,Issue Type,Status,Status Category,Created,Resolved,Custom field (Story Points)"
)
ADO_HEADER = "ID,Work Item Type,Title,State,Area Path,Story Points,Created Date,Closed Date"
SERVICENOW_HEADER = "number,opened_at,resolved_at,closed_at,priority,state,business_service"
POINTS = ["Custom field (Story Points)"]


def jira_export(tmp_path, rows: list[tuple[str, str]], name: str = "ALP.csv"):
    """A Jira export whose rows are (Created, Resolved)."""
    lines = [JIRA_HEADER]
    for number, (created, resolved) in enumerate(rows, start=1):
        status = "Done,Done" if resolved else "In Progress,In Progress"
        lines.append(f"ALP-{number},{10000 + number},Item {number},Story,{status},{created},{resolved},3")
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def parse_jira(path, date_order: str | None = None):
    return parse_plan_file(path, path.name, POINTS, options=AgileReadOptions(jira_date_order=date_order))


def items(batch) -> pd.DataFrame:
    return batch.tables["work_items"].set_index("item_key")


def test_a_jira_export_resaved_day_first_loads_every_row_with_its_dates(tmp_path):
    path = jira_export(
        tmp_path,
        [
            ("05/02/2023 15:22", "13/02/2023 09:05"),
            ("13/01/2023 10:30", ""),
            ("11/01/2023 08:00", "01/03/2023 17:45"),
        ],
    )
    batch = parse_jira(path)
    loaded = items(batch)
    assert (batch.rows_read["work_items"], len(loaded), batch.rejects) == (3, 3, [])
    assert loaded["created_at"].tolist() == [
        pd.Timestamp("2023-02-05 15:22"),  # 5 February, not 2 May
        pd.Timestamp("2023-01-13 10:30"),
        pd.Timestamp("2023-01-11 08:00"),
    ]
    assert loaded.loc["ALP-1", "resolved_at"] == pd.Timestamp("2023-02-13 09:05")
    assert loaded.loc["ALP-3", "resolved_at"] == pd.Timestamp("2023-03-01 17:45")
    assert pd.isna(loaded.loc["ALP-2", "resolved_at"])
    assert batch.notes == [
        "Created: numeric dates read day-month-year (inferred from '13/01/2023 10:30')",
        "Resolved: numeric dates read day-month-year (inferred from '13/02/2023 09:05')",
    ]
    # the notes reach raw.load_log
    assert "inferred from '13/01/2023 10:30'" in batch.load_log_frame(dt.date(2023, 3, 1))["notes"].iloc[0]


def test_month_first_two_digit_years_and_a_twelve_hour_clock(tmp_path):
    path = jira_export(
        tmp_path,
        [
            ("1/11/23 3:22 PM", "1/13/23 9:05 AM"),
            ("12/1/23 12:00 AM", "12/2/23 12:30 PM"),
            ("2/3/23 4:51 p. m.", ""),
        ],
    )
    batch = parse_jira(path)
    loaded = items(batch)
    assert batch.rejects == []
    assert loaded["created_at"].tolist() == [
        pd.Timestamp("2023-01-11 15:22"),
        pd.Timestamp("2023-12-01 00:00"),  # 12 AM is midnight
        pd.Timestamp("2023-02-03 16:51"),
    ]
    assert loaded["resolved_at"].tolist()[:2] == [pd.Timestamp("2023-01-13 09:05"), pd.Timestamp("2023-12-02 12:30")]
    assert batch.notes == [
        "Created: numeric dates read month-day-year (as Resolved in the same file: no value of its own tells)",
        "Resolved: numeric dates read month-day-year (inferred from '1/13/23 9:05 AM')",
    ]


AMBIGUOUS = [("05/02/2023 15:22", "06/03/2023 10:00"), ("01/03/2023 10:30", "")]


@pytest.mark.parametrize(
    "date_order, created, resolved",
    [
        ("dmy", ["2023-02-05 15:22", "2023-03-01 10:30"], "2023-03-06 10:00"),
        ("mdy", ["2023-05-02 15:22", "2023-01-03 10:30"], "2023-06-03 10:00"),
    ],
)
def test_all_ambiguous_dates_read_in_the_configured_order(tmp_path, date_order, created, resolved):
    batch = parse_jira(jira_export(tmp_path, AMBIGUOUS), date_order)
    loaded = items(batch)
    assert batch.rejects == []
    assert loaded["created_at"].tolist() == [pd.Timestamp(value) for value in created]
    assert loaded.loc["ALP-1", "resolved_at"] == pd.Timestamp(resolved)
    order = {"dmy": "day-month-year", "mdy": "month-day-year"}[date_order]
    assert batch.notes[0] == f"Created: numeric dates read {order} (from jira.date_order: no value of its own tells)"


def test_all_ambiguous_dates_without_a_configured_order_are_one_finding_for_the_file(tmp_path):
    path = jira_export(tmp_path, AMBIGUOUS, name="ALP-resaved.csv")
    with pytest.raises(SourceFormatError) as raised:
        parse_jira(path)
    assert str(raised.value) == (
        "ALP-resaved.csv: column 'Created' has numeric dates that read both day-month-year and month-day-year "
        "(e.g. '05/02/2023 15:22') and no value in the file tells which; add `jira.date_order: dmy` or "
        "`jira.date_order: mdy` to steerpack.yaml"
    )


def test_a_column_that_cannot_tell_borrows_the_order_another_column_settled(tmp_path):
    # Created could be either; Resolved's 25/02 can only be day first: one re-save, one locale
    path = jira_export(tmp_path, [("05/02/2023 15:22", "25/02/2023 11:00"), ("01/03/2023 10:30", "")])
    batch = parse_jira(path, date_order="mdy")  # the file's own evidence wins over the config
    loaded = items(batch)
    assert loaded["created_at"].tolist() == [pd.Timestamp("2023-02-05 15:22"), pd.Timestamp("2023-03-01 10:30")]
    assert loaded.loc["ALP-1", "resolved_at"] == pd.Timestamp("2023-02-25 11:00")
    assert batch.notes[0] == (
        "Created: numeric dates read day-month-year (as Resolved in the same file: no value of its own tells)"
    )


def test_columns_that_settle_different_orders_lend_none_to_a_column_that_cannot_tell():
    def series(*values):
        return pd.Series(list(values), dtype="str")

    columns = {
        "Created": series("13/01/2023"),
        "Resolved": series("01/13/2023"),
        "Due date": series("02/03/2023"),
    }
    with pytest.raises(SourceFormatError, match=r"^f\.csv: column 'Due date' has numeric dates"):
        parse_tool_datetimes(columns, DateDialect(()), None, "jira.date_order", "f.csv")
    read = parse_tool_datetimes(columns, DateDialect(()), "dmy", "jira.date_order", "f.csv")
    assert read.columns["Created"].values.tolist() == [pd.Timestamp("2023-01-13")]
    assert read.columns["Resolved"].values.tolist() == [pd.Timestamp("2023-01-13")]
    assert read.columns["Due date"].values.tolist() == [pd.Timestamp("2023-03-02")]


def test_jira_own_dates_and_numeric_dates_in_one_column_both_read(tmp_path):
    path = jira_export(
        tmp_path,
        [
            ("15/Apr/26 11:59 PM", "16/04/2026 10:00"),
            ("16/04/2026 10:00", "3/May/26 9:15 AM"),
            ("03/05/2026 09:15", ""),
            ("45931", ""),  # an Excel serial day: 1 October 2025
            ("2026-05-04", ""),  # year first stays ISO
        ],
    )
    batch = parse_jira(path)
    loaded = items(batch)
    assert batch.rejects == []
    assert loaded["created_at"].tolist() == [
        pd.Timestamp("2026-04-15 23:59"),
        pd.Timestamp("2026-04-16 10:00"),
        pd.Timestamp("2026-05-03 09:15"),
        pd.Timestamp("2025-10-01"),
        pd.Timestamp("2026-05-04"),
    ]
    assert loaded["resolved_at"].tolist()[:2] == [pd.Timestamp("2026-04-16 10:00"), pd.Timestamp("2026-05-03 09:15")]


def test_a_jira_export_only_in_its_own_format_has_no_note(tmp_path):
    batch = parse_jira(jira_export(tmp_path, [("15/Apr/26 11:59 PM", "16/Apr/26 9:00 AM"), ("1/May/26 8:00 AM", "")]))
    assert items(batch)["created_at"].tolist() == [pd.Timestamp("2026-04-15 23:59"), pd.Timestamp("2026-05-01 08:00")]
    assert batch.notes == []


def test_a_column_with_both_orders_reads_the_majority_and_quarantines_the_rest(tmp_path):
    path = jira_export(
        tmp_path,
        [
            ("13/01/2023 10:00", ""),
            ("25/01/2023 11:00", ""),
            ("01/28/2023 12:00", ""),  # month first: no 28th month
            ("02/03/2023 09:00", ""),  # either way: read as the column's majority, 2 March
            ("31/02/2023 09:00", ""),  # neither way a date
        ],
    )
    batch = parse_jira(path)
    loaded = items(batch)
    assert list(loaded.index) == ["ALP-1", "ALP-2", "ALP-4"]
    assert loaded["created_at"].tolist() == [
        pd.Timestamp("2023-01-13 10:00"),
        pd.Timestamp("2023-01-25 11:00"),
        pd.Timestamp("2023-03-02 09:00"),
    ]
    assert {r.source_row: r.reason for r in batch.rejects} == {
        4: "row 4: Created: '01/28/2023 12:00' is a month-day-year date in a column whose other dates are "
        "day-month-year",
        6: "row 6: Created: '31/02/2023 09:00' is not a date",
    }
    assert batch.notes == [
        "Created: numeric dates read day-month-year (inferred from '13/01/2023 10:00'); 1 row(s) written "
        "month-day-year (e.g. '01/28/2023 12:00') quarantined"
    ]


def test_a_column_split_evenly_between_the_orders_asks_for_date_order(tmp_path):
    path = jira_export(tmp_path, [("13/01/2023 10:00", ""), ("01/28/2023 12:00", "")])
    with pytest.raises(SourceFormatError, match=r"as many rows of day-month-year dates .* `jira\.date_order: dmy`"):
        parse_jira(path)
    batch = parse_jira(path, "mdy")
    assert items(batch)["created_at"].tolist() == [pd.Timestamp("2023-01-28 12:00")]
    assert [r.source_row for r in batch.rejects] == [2]


def ado_export(tmp_path, rows: list[tuple[str, str]]):
    """An Azure DevOps query export whose rows are (Created Date, Closed Date)."""
    lines = [ADO_HEADER]
    for number, (created, closed) in enumerate(rows, start=101):
        state = "Closed" if closed else "Active"
        lines.append(f"{number},User Story,Story {number},{state},Contoso\\Shop,3,{created},{closed}")
    path = tmp_path / "ado.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def parse_ado(path, date_order: str | None = None):
    return parse_plan_file(path, path.name, POINTS, options=AgileReadOptions(azure_devops_date_order=date_order))


def test_an_azure_devops_export_resaved_day_first_reads_day_first(tmp_path):
    batch = parse_ado(ado_export(tmp_path, [("13/04/2026 23:59", "02/05/2026 09:00"), ("01/04/2026 08:30", "")]))
    loaded = items(batch)
    assert batch.rejects == []
    assert loaded["created_at"].tolist() == [pd.Timestamp("2026-04-13 23:59"), pd.Timestamp("2026-04-01 08:30")]
    assert loaded.loc["101", "resolved_at"] == pd.Timestamp("2026-05-02 09:00")  # Closed Date, borrowed order
    assert batch.notes == [
        "Created Date: numeric dates read day-month-year (inferred from '13/04/2026 23:59')",
        "Closed Date: numeric dates read day-month-year (as Created Date in the same file: no value of its own tells)",
    ]


def test_an_azure_devops_export_all_ambiguous_in_its_own_us_format_reads_month_first(tmp_path):
    path = ado_export(tmp_path, [("4/5/2026 11:59:43 PM", "5/6/2026 9:00:00 AM"), ("1/2/2026 9:00:00 AM", "")])
    batch = parse_ado(path)
    loaded = items(batch)
    assert loaded["created_at"].tolist() == [pd.Timestamp("2026-04-05 23:59:43"), pd.Timestamp("2026-01-02 09:00")]
    assert loaded.loc["101", "resolved_at"] == pd.Timestamp("2026-05-06 09:00")
    assert batch.notes == []  # the tool's own format
    # unless the config says the user's locale is day first
    configured = items(parse_ado(path, "dmy"))
    assert configured["created_at"].tolist() == [pd.Timestamp("2026-05-04 23:59:43"), pd.Timestamp("2026-02-01 09:00")]


def servicenow_export(tmp_path, rows: list[tuple[str, str, str]]):
    """A ServiceNow incident list whose rows are (opened_at, resolved_at, closed_at)."""
    lines = [SERVICENOW_HEADER]
    for number, (opened, resolved, closed) in enumerate(rows, start=1):
        lines.append(f"INC00{number},{opened},{resolved},{closed},2 - High,Resolved,Mobile App")
    path = tmp_path / "servicenow.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_servicenow_list_resaved_day_first_loads(tmp_path):
    path = servicenow_export(
        tmp_path,
        [
            ("13/06/2026 09:00", "13/06/2026 11:00", "16/06/2026 11:00"),
            ("02/06/2026 10:00", "03/06/2026 13:00", ""),
            ("2026-06-04 08:00:00", "", ""),  # the instance's own ISO
        ],
    )
    batch = parse_incident_file(path, "servicenow.csv")
    incidents = batch.tables["incidents"].set_index("incident_id")
    assert batch.rejects == []
    assert incidents["opened_at"].tolist() == [
        pd.Timestamp("2026-06-13 09:00"),
        pd.Timestamp("2026-06-02 10:00"),
        pd.Timestamp("2026-06-04 08:00"),
    ]
    assert incidents.loc["INC002", "resolved_at"] == pd.Timestamp("2026-06-03 13:00")
    assert incidents.loc["INC001", "closed_at"] == pd.Timestamp("2026-06-16 11:00")
    assert batch.notes[0] == "opened_at: numeric dates read day-month-year (inferred from '13/06/2026 09:00')"


def test_an_all_ambiguous_incident_export_asks_for_incidents_date_order(tmp_path):
    path = servicenow_export(tmp_path, [("02/06/2026 10:00", "03/06/2026 13:00", "")])
    with pytest.raises(SourceFormatError) as raised:
        parse_incident_file(path, "2026-06/incidents/servicenow.csv")
    message = str(raised.value)
    assert message.startswith("2026-06/incidents/servicenow.csv: column 'opened_at' has numeric dates")
    assert "(e.g. '02/06/2026 10:00')" in message and "`incidents.date_order: dmy`" in message
    batch = parse_incident_file(path, "servicenow.csv", date_order="mdy")
    assert batch.tables["incidents"]["opened_at"].tolist() == [pd.Timestamp("2026-02-06 10:00")]
    assert batch.tables["incidents"]["resolved_at"].tolist() == [pd.Timestamp("2026-03-06 13:00")]


def test_a_jira_service_management_export_asks_for_incidents_date_order_too(tmp_path):
    path = tmp_path / "jsm.csv"
    path.write_text(
        "Summary,Issue key,Issue id,Issue Type,Status,Priority,Created,Resolved\n"
        "VPN down,ITSD-1,20001,Incident,Resolved,Highest,01/07/2026 09:00,01/07/2026 13:00\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceFormatError, match=r"column 'Created' .* `incidents\.date_order: dmy`"):
        parse_incident_file(path, "jsm.csv")
    batch = parse_incident_file(path, "jsm.csv", date_order="dmy")
    assert batch.tables["incidents"]["opened_at"].tolist() == [pd.Timestamp("2026-07-01 09:00")]


def test_pagerduty_offsets_are_read_as_the_utc_time_they_name(tmp_path):
    path = tmp_path / "pd.csv"
    path.write_text(
        "id,incident_number,title,status,urgency,priority,service,created_at,last_status_change_at\n"
        "PABC1,1,Down,resolved,high,P1,API,2026-06-03T12:00:00+02:00,2026-06-03T12:30:00Z\n",
        encoding="utf-8",
    )
    incidents = parse_incident_file(path, "pd.csv").tables["incidents"]
    assert incidents["opened_at"].tolist() == [pd.Timestamp("2026-06-03 10:00")]
    assert incidents["resolved_at"].tolist() == [pd.Timestamp("2026-06-03 12:30")]
