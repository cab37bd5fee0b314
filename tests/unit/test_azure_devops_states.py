"""Azure DevOps states classified by Azure Boards' state categories (DESIGN §5, review N5): the built-in states of
the four processes, `azure_devops.state_categories` for custom ones, an export's `State Category` column over both,
the Resolved switch and Resolved Date; a state in no map loads, counts as not done and is a quality warning."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipelines.core.quality.findings import WARN
from pipelines.core.quality.suites import load_suites
from pipelines.core.quality.table_check import validate_table
from pipelines.core.warehouse.load import replace_snapshot
from pipelines.sources.azure_devops import STATE_CATEGORIES
from pipelines.sources.plans import AgileReadOptions, parse_plan_file

SEP = dt.date(2026, 9, 1)
STAGING_YML = Path(__file__).parents[2] / "dbt_project/models/staging/azure_devops/_azure_devops__models.yml"
HEADER = "ID,Work Item Type,Title,State,Area Path,Story Points,Created Date,Resolved Date,Closed Date"


def write_export(path: Path, states, header: str = HEADER) -> Path:
    """One User Story per state, ids from 1; dates left empty."""
    empty = "," * (header.count(",") - 4)
    lines = [header] + [f"{i},User Story,Item {i},{state},Contoso\\Portal{empty}" for i, state in enumerate(states, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def parse(path: Path, categories=None, resolved_counts_as_done=True, name="2026-09/azure_devops/board.csv"):
    options = AgileReadOptions(
        azure_devops_state_categories=categories or {}, resolved_counts_as_done=resolved_counts_as_done
    )
    return parse_plan_file(path, name, ["Story Points"], options=options)


def values_of(batch, column: str) -> list:
    """A column of the loaded work items in file order, None where it is null."""
    return [None if pd.isna(v) else v for v in batch.tables["work_items"][column].tolist()]


def categories_of(batch) -> list:
    return values_of(batch, "status_category")


@pytest.mark.parametrize(
    "process, states, expected",
    [
        ("Basic", ["To Do", "Doing", "Done"], ["To Do", "In Progress", "Done"]),
        (
            "Agile",
            ["New", "Active", "Resolved", "Closed", "Removed"],
            ["To Do", "In Progress", "Done", "Done", "Removed"],
        ),
        (
            "Scrum",
            ["New", "Approved", "Committed", "In Progress", "Done", "Removed"],
            ["To Do", "To Do", "In Progress", "In Progress", "Done", "Removed"],
        ),
        ("CMMI", ["Proposed", "Active", "Resolved", "Closed"], ["To Do", "In Progress", "Done", "Done"]),
    ],
)
def test_the_built_in_states_of_each_process(tmp_path, process, states, expected):
    batch = parse(write_export(tmp_path / f"{process}.csv", states))
    assert categories_of(batch) == expected
    assert values_of(batch, "resolution") == ["Removed" if c == "Removed" else None for c in expected]


def test_state_names_match_without_case(tmp_path):
    batch = parse(write_export(tmp_path / "b.csv", ["CLOSED", "active", "to do"]))
    assert categories_of(batch) == ["Done", "In Progress", "To Do"]


def test_a_mapped_custom_state_counts_as_its_category(tmp_path):
    config = {"In Review": "In Progress", "uat": "In Progress", "PIR": "Completed", "Parked": "Removed"}
    batch = parse(write_export(tmp_path / "b.csv", ["In Review", "UAT", "PIR", "Parked", "Idea"]), config)
    assert categories_of(batch) == ["In Progress", "In Progress", "Done", "Removed", None]
    assert values_of(batch, "resolution") == [None, None, None, "Removed", None]


def test_the_config_map_wins_over_a_built_in_state(tmp_path):
    batch = parse(write_export(tmp_path / "b.csv", ["Active", "Done"]), {"active": "Completed", "Done": "Resolved"})
    assert categories_of(batch) == ["Done", "Done"]
    switched_off = parse(
        write_export(tmp_path / "c.csv", ["Done"]), {"Done": "Resolved"}, resolved_counts_as_done=False
    )
    assert categories_of(switched_off) == ["In Progress"]


def test_an_unmapped_state_loads_with_no_category(tmp_path):
    batch = parse(write_export(tmp_path / "b.csv", ["Released", "Active", "Deployment"]))
    items = batch.tables["work_items"]
    assert batch.rejects == [] and len(items) == 3  # the items load: never quarantined for their state
    assert items["status"].tolist() == ["Released", "Active", "Deployment"]
    assert categories_of(batch) == [None, "In Progress", None]


@pytest.mark.parametrize("counts_as_done, expected", [(True, "Done"), (False, "In Progress")])
def test_the_resolved_category_follows_the_switch(tmp_path, counts_as_done, expected):
    path = write_export(tmp_path / "b.csv", ["Resolved", "Closed", "Ready for QA"])
    batch = parse(path, {"Ready for QA": "Resolved"}, resolved_counts_as_done=counts_as_done)
    assert categories_of(batch) == [expected, "Done", expected]


def test_a_resolved_item_finishes_on_its_resolved_date(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text(
        f"{HEADER}\n"
        "1,User Story,Resolved only,Resolved,Contoso,3,9/1/2026 9:00 AM,9/10/2026 4:00 PM,\n"
        "2,User Story,Closed,Closed,Contoso,3,9/1/2026 9:00 AM,9/10/2026 4:00 PM,9/12/2026 10:00 AM\n"
        "3,User Story,Closed without a Resolved Date,Closed,Contoso,3,9/1/2026 9:00 AM,,9/12/2026 10:00 AM\n"
        "4,User Story,Closed without a Closed Date,Closed,Contoso,3,9/1/2026 9:00 AM,9/11/2026 8:00 AM,\n"
        "5,User Story,Resolved again after closing,Resolved,Contoso,3,9/1/2026 9:00 AM,9/20/2026 1:00 PM,9/12/2026\n"
        "6,User Story,Mapped onto Resolved,Ready for QA,Contoso,3,9/1/2026 9:00 AM,9/14/2026 2:00 PM,\n"
        "7,User Story,Active,Active,Contoso,3,9/1/2026 9:00 AM,,\n",
        encoding="utf-8",
    )
    items = parse(path, {"Ready for QA": "Resolved"}).tables["work_items"].set_index("item_key")
    assert pd.isna(items.loc["7", "resolved_at"])  # not finished
    assert items["resolved_at"].drop("7").to_dict() == {
        "1": pd.Timestamp("2026-09-10 16:00"),  # Closed Date is empty for a Resolved item: it was lost before
        "2": pd.Timestamp("2026-09-12 10:00"),  # Completed: its Closed Date
        "3": pd.Timestamp("2026-09-12 10:00"),
        "4": pd.Timestamp("2026-09-11 08:00"),  # Completed without a Closed Date: its Resolved Date
        "5": pd.Timestamp("2026-09-20 13:00"),  # Resolved: its Resolved Date, whatever the Closed Date says
        "6": pd.Timestamp("2026-09-14 14:00"),
    }


def test_an_unreadable_resolved_date_is_quarantined_with_its_column(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text(f"{HEADER}\n1,User Story,Bad,Resolved,Contoso,3,9/1/2026,someday,\n", encoding="utf-8")
    batch = parse(path)
    assert [r.reason for r in batch.rejects] == ["row 2: Resolved Date: 'someday' is not a date"]


def test_a_state_category_column_wins(tmp_path):
    header = "ID,Work Item Type,Title,State,State Category,Area Path"
    path = tmp_path / "b.csv"
    path.write_text(
        f"{header}\n"
        "1,User Story,Custom done,Released,Completed,Contoso\n"
        "2,User Story,Analytics spelling,In Test,InProgress,Contoso\n"
        "3,User Story,Over a built-in state,Active,completed,Contoso\n"
        "4,User Story,Over the config,UAT,Proposed,Contoso\n"
        "5,User Story,Empty category cell,Closed,,Contoso\n"
        "6,User Story,Unknown category,New,Bogus,Contoso\n"
        "7,User Story,Resolved category,Ready for QA,Resolved,Contoso\n",
        encoding="utf-8",
    )
    assert categories_of(parse(path, {"UAT": "Completed"})) == [
        "Done",
        "In Progress",
        "Done",
        "To Do",
        "Done",  # an empty cell: the state's category
        "To Do",  # not one of the five categories: the state's category
        "Done",
    ]
    assert categories_of(parse(path, resolved_counts_as_done=False))[-1] == "In Progress"


def test_the_staging_test_lists_the_parsers_built_in_states():
    """The dbt test that a built-in state never has a null category names the parser's built-in states."""
    columns = yaml.safe_load(STAGING_YML.read_text(encoding="utf-8"))["models"][0]["columns"]
    tests = next(c for c in columns if c["name"] == "status_category")["data_tests"]
    where = next(t["not_null"]["config"]["where"] for t in tests if isinstance(t, dict) and "not_null" in t)
    listed = set(where.split(" in (", 1)[1].rstrip(") \n").replace("'", "").replace("\n", " ").split(", "))
    assert {state.strip() for state in listed} == set(STATE_CATEGORIES)


def test_an_unmapped_state_is_a_warning_naming_the_state_the_file_the_count_and_the_config_line(tmp_path, conn):
    board = write_export(tmp_path / "board.csv", ["UAT", "UAT", "Active", "UAT", '"Say ""hi"""', "PIR"])
    other = write_export(tmp_path / "other.csv", ["UAT"])
    batches = [
        parse(board, {"PIR": "Completed"}, name="2026-09/azure_devops/board.csv"),
        parse(other, {"PIR": "Completed"}, name="2026-09/azure_devops/other.csv"),
    ]
    replace_snapshot(conn, SEP, ["azure_devops"], ["work_items"], batches)
    found = validate_table(conn, load_suites()["work_items"], SEP, {"base_currency": "USD"})
    finding = next(f for f in found if f.rule == "azure_devops_state_without_category")
    assert (finding.severity, finding.failed_rows) == (WARN, 3)  # one per file and state
    choices = "<Proposed|In Progress|Resolved|Completed|Removed>"
    assert finding.examples == [
        {
            "source_file": "2026-09/azure_devops/board.csv",
            "state": 'Say "hi"',
            "items": 1,
            "config_line": f'azure_devops: {{state_categories: {{"Say \\"hi\\"": {choices}}}}}',
        },
        {
            "source_file": "2026-09/azure_devops/board.csv",
            "state": "UAT",
            "items": 3,
            "config_line": f'azure_devops: {{state_categories: {{"UAT": {choices}}}}}',
        },
        {
            "source_file": "2026-09/azure_devops/other.csv",
            "state": "UAT",
            "items": 1,
            "config_line": f'azure_devops: {{state_categories: {{"UAT": {choices}}}}}',
        },
    ]
    # the line is YAML for the key it names; filled in with a category, the config accepts it
    line = finding.examples[0]["config_line"].replace(choices, "Completed")
    assert yaml.safe_load(line) == {"azure_devops": {"state_categories": {'Say "hi"': "Completed"}}}
    assert [f.rule for f in found if f.severity != WARN] == []


def test_mapped_and_built_in_states_raise_no_warning(tmp_path, conn):
    path = write_export(tmp_path / "board.csv", ["New", "Active", "UAT", "Closed"])
    replace_snapshot(conn, SEP, ["azure_devops"], ["work_items"], [parse(path, {"UAT": "In Progress"})])
    found = validate_table(conn, load_suites()["work_items"], SEP, {"base_currency": "USD"})
    assert "azure_devops_state_without_category" not in {f.rule for f in found}
