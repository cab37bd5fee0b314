"""Data-quality gates: each kind of rule catches a hand-made violation; ERROR blocks a month, WARN does not."""

import datetime as dt
import json
import re
import shutil

import pytest
from click.testing import CliRunner

import pipelines.core.quality.table_check as table_check
from pipelines.cli import main
from pipelines.core.quality.findings import ERROR, WARN
from pipelines.core.quality.suites import load_suites
from pipelines.core.quality.table_check import validate_table
from tests.helpers import GOOD, PLAN_FIXTURES, insert, tiny_register_sheets, write_sheets

SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)


VARIABLES = {"base_currency": "USD"}


def failures(conn, table):
    return {(f.rule.split("(")[0], f.severity): f for f in validate_table(conn, load_suites()[table], SEP, VARIABLES)}


def second_row(table, change):
    """Another good row (its own key) with one value spoiled."""
    other = {
        "projects": {"project_id": "P2", "finance_codes": "WBS-2", "plan_key": "TWO"},  # its own plan
        "work_items": {"item_key": "ONE-2"},
        "schedule_tasks": {"task_uid": "2"},
        "spend": {"document_id": "D2"},
        "incidents": {"incident_id": "INC2"},
        "distribution": {"email": "b@example.com"},
    }[table]
    return {**GOOD[table], **other, **change}


def test_good_rows_pass_every_suite(conn):
    for table in GOOD:
        insert(conn, table, [GOOD[table]])
    assert {table: list(failures(conn, table)) for table in GOOD} == {table: [] for table in GOOD}


def test_a_month_without_rows_of_a_table_runs_no_gx_and_passes(conn, monkeypatch):
    """An optional sheet not in the register, or a source not in this drop, has no rows for the month: GX has
    nothing to check (it would only cost its 0.15 s), and the month passes. Rows in another month do not count."""

    def no_gx(*_):
        raise AssertionError("GX ran on a month without rows")

    insert(conn, "projects", [GOOD["projects"]])  # September's rows, nothing for October
    monkeypatch.setattr(table_check, "gx_findings", no_gx)
    assert validate_table(conn, load_suites()["projects"], OCT, VARIABLES) == []
    with pytest.raises(AssertionError, match="GX ran"):
        validate_table(conn, load_suites()["projects"], SEP, VARIABLES)


# Row defects are quarantined by the parsers (DESIGN §4a), so their rules here are a safety net that warns;
# what makes a month's numbers wrong (a duplicate project, a missing FX rate, an unknown scope) still blocks.
@pytest.mark.parametrize(
    "table, change, rule, severity",
    [
        ("projects", {"project_id": None}, "expect_column_values_to_not_be_null", WARN),  # non-null key
        ("projects", {"tier": 4}, "expect_column_values_to_be_in_set", WARN),  # tier 1-3
        ("projects", {"reported_status": "Purple"}, "expect_column_values_to_be_in_set", WARN),  # RAG words
        ("projects", {"plan_source": "trello"}, "expect_column_values_to_be_in_set", WARN),  # plan sources
        ("projects", {"bac": -5.0}, "expect_column_values_to_be_between", WARN),  # non-negative BAC
        ("projects", {"currency": "usd"}, "expect_column_values_to_match_regex", WARN),
        (
            "projects",
            {"baseline_finish": dt.date(2025, 12, 1)},
            "expect_column_pair_values_a_to_be_greater_than_b",
            WARN,
        ),  # baseline start <= finish
        ("schedule_tasks", {"percent_complete": 101.0}, "expect_column_values_to_be_between", WARN),  # 0-100
        (
            "schedule_tasks",
            {"baseline_finish": dt.date(2025, 12, 1)},
            "expect_column_pair_values_a_to_be_greater_than_b",
            WARN,
        ),  # an inverted task baseline is reported, the month goes on
        ("incidents", {"priority": 7}, "expect_column_values_to_be_in_set", WARN),  # priorities 1-5
        ("work_items", {"story_points": -1.0}, "expect_column_values_to_be_between", WARN),
        ("spend", {"currency": "EUR"}, "fx_rate_for_every_currency_and_month", ERROR),  # cross-table: no rate
        ("distribution", {"scope": "P1;P9"}, "scope_names_known_projects", ERROR),  # cross-table: unknown project
    ],
)
def test_each_rule_catches_its_violation(conn, table, change, rule, severity):
    for other in GOOD:
        insert(conn, other, [GOOD[other]] + ([second_row(table, change)] if other == table else []))
    found = validate_table(conn, load_suites()[table], SEP, VARIABLES)
    # the spoiled value fails the rule made for it, on exactly its row, and trips no other error
    triples = [(f.rule.split("(")[0], f.severity, f.failed_rows) for f in found]
    assert (rule, severity, 1) in triples
    assert [t for t in triples if t[1] == ERROR and t != (rule, severity, 1)] == []


def test_unique_natural_keys_per_snapshot(conn):
    insert(conn, "schedule_tasks", [GOOD["schedule_tasks"], GOOD["schedule_tasks"]])
    insert(conn, "schedule_tasks", [GOOD["schedule_tasks"]], month=OCT)  # another month is no duplicate
    found = failures(conn, "schedule_tasks")
    assert found[("expect_compound_columns_to_be_unique", ERROR)].failed_rows == 2
    example = found[("expect_compound_columns_to_be_unique", ERROR)].examples[0]
    assert (example["source_file"], example["task_uid"]) == ("schedule_tasks.file", "1")


def test_a_table_validated_in_chunks_gets_the_findings_of_the_whole_table(conn):
    # 7 rows in chunks of 2: a duplicate key whose two rows sit in different chunks, negative points in two
    # chunks, an unknown status category, and a resolution before creation.
    good = GOOD["work_items"]
    rows = [
        good,
        {**good, "item_key": "ONE-2", "story_points": -1.0},
        {**good, "item_key": "ONE-3"},
        {**good, "item_key": "ONE-4", "status_category": "Doing"},
        {**good, "item_key": "ONE-5", "story_points": -2.0},
        {**good, "item_key": "ONE-3"},
        {**good, "item_key": "ONE-7", "resolved_at": dt.datetime(2025, 1, 1)},
    ]
    insert(conn, "work_items", rows)
    suite = load_suites()["work_items"]
    assert "expect_compound_columns_to_be_unique" in {e.expectation_type for e in suite.whole_table.expectations}
    chunked = validate_table(conn, suite, SEP, VARIABLES, chunk_rows=2)
    at_once = validate_table(conn, suite, SEP, VARIABLES)
    counted = {f.rule.split("(")[0]: f.failed_rows for f in chunked}
    assert (
        counted
        == {f.rule.split("(")[0]: f.failed_rows for f in at_once}
        == {
            "expect_compound_columns_to_be_unique": 2,
            "expect_column_values_to_be_between": 2,
            "expect_column_values_to_be_in_set": 1,
            "expect_column_pair_values_a_to_be_greater_than_b": 1,
        }
    )
    points = next(f for f in chunked if f.rule.startswith("expect_column_values_to_be_between"))
    assert [e["item_key"] for e in points.examples] == ["ONE-2", "ONE-5"]  # one from each chunk, in file order
    duplicate = next(f for f in chunked if f.rule.startswith("expect_compound_columns_to_be_unique"))
    assert [(e["item_key"], e["source_row"]) for e in duplicate.examples] == [("ONE-3", 4), ("ONE-3", 7)]


def test_every_register_project_needs_a_plan_now_or_earlier(conn):
    insert(conn, "projects", [GOOD["projects"], {**GOOD["projects"], "project_id": "P2", "plan_key": "TWO"}])
    insert(conn, "work_items", [{**GOOD["work_items"], "plan_key": "ONE"}], month=dt.date(2026, 7, 1))
    found = failures(conn, "projects")
    finding = found[("every_project_has_a_plan", WARN)]
    assert finding.failed_rows == 1 and finding.examples[0]["project_id"] == "P2"


def test_an_azure_devops_project_is_planned_by_items_at_or_below_its_area_path(conn):
    ado = {**GOOD["projects"], "plan_source": "azure_devops"}
    insert(
        conn,
        "projects",
        [
            {**ado, "project_id": "P1", "plan_key": "Contoso\\Portal"},
            {**ado, "project_id": "P2", "plan_key": "Contoso\\Port"},
            {**ado, "project_id": "P3", "plan_key": "Contoso\\Portal\\Search"},
        ],
    )
    conn.execute(
        "insert into raw.work_items (snapshot_month, source, source_file, source_row, plan_key, item_key) "
        "values (?, 'azure_devops', 'ado.csv', 2, 'Contoso\\Portal\\Search', '1')",
        [SEP],
    )
    finding = failures(conn, "projects")[("every_project_has_a_plan", WARN)]
    assert [example["project_id"] for example in finding.examples] == ["P2"]  # 'Contoso\Port' is not a parent


def test_an_unbalanced_load_log_fails(conn):
    conn.execute(
        "insert into raw.load_log values (?, 'jira', 'jira/x.csv', 'work_items', 'jira_csv', 10, 8, 1, null, null)",
        [SEP],
    )
    found = failures(conn, "work_items")
    assert found[("load_log_balances", ERROR)].examples == [
        {"source_file": "jira/x.csv", "rows_read": 10, "rows_loaded": 8, "rows_quarantined": 1}
    ]


def test_missing_required_column_is_caught_by_the_suite():
    import great_expectations as gx  # noqa: F401  (the suite object needs GX loaded)
    import pandas as pd

    from pipelines.core.quality.gx_runner import gx_findings

    suite = load_suites()["fx_rates"]
    frame = pd.DataFrame({"month": ["2026-09-01"], "currency": ["EUR"]})  # rate_to_base missing
    rules = [f.rule for f in gx_findings(suite.table, suite.gx_suite, frame)]
    assert any(rule.startswith("expect_table_columns_to_match_set") for rule in rules)


def test_a_suite_with_an_unknown_severity_is_refused(tmp_path):
    from pipelines.core.quality.suites import load_suite

    path = tmp_path / "raid.json"
    path.write_text(
        json.dumps(
            {
                "name": "x",
                "expectations": [
                    {
                        "type": "expect_column_values_to_not_be_null",
                        "kwargs": {"column": "raid_id"},
                        "meta": {"severity": "fatal"},
                    }
                ],
            }
        )
    )
    with pytest.raises(
        ValueError, match="raid.json: expectation expect_column_values_to_not_be_null has severity 'fatal'"
    ):
        load_suite(path)


def test_validate_names_the_broken_file_reports_the_others_and_exits_1(workspace):
    jira = workspace.inbox / "2026-09" / "jira"
    jira.mkdir()
    shutil.copy(PLAN_FIXTURES / "jira_cloud_quirks.csv", jira / "ALP.csv")
    (jira / "broken.csv").write_bytes(b"\x00\x01\x02 not text" * 100)
    result = CliRunner().invoke(main, ["validate", "--month", "2026-09", "--config", str(workspace.config_file)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(
        "2026-09/jira/broken.csv" in line and "BLOCKS  2026-09/jira/broken.csv: binary data, not a text export" in line
        for line in lines
    )
    assert any(line.split()[:6] == ["2026-09/jira/ALP.csv", "jira_csv", "UTF-8", "5", "read", "4"] for line in lines)
    assert (
        "        1 × Custom field (Story Points): 'x' is not a number; Created: '31/Feb/26 1:30 PM' is not a date"
        in lines
    )
    assert any(line.split()[:2] == ["2026-09/register/portfolio.xlsx", "portfolio_register_xlsx"] for line in lines)
    assert (
        "ERROR  raw.work_items: a file of the drop could not be read at all (format, encoding, truncation)"
        in result.output
    )
    assert lines[-1] == "result: 1 error(s), 1 warning(s) — fix the errors before the monthly run: it would be blocked"
    assert not workspace.warehouse.exists()  # validate writes nothing


def test_validate_judges_an_unreadable_file_as_the_run_would_served_from_the_warehouses_earlier_snapshot(workspace):
    """The monthly run serves an unreadable plan from its previous export; validate used to call it an error
    because it never looked at the warehouse's earlier snapshots."""
    import duckdb

    from pipelines.core.warehouse.load import ensure_raw_schema

    workspace.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(workspace.warehouse)) as conn:
        ensure_raw_schema(conn)
        conn.execute(
            "insert into raw.load_log (snapshot_month, source, source_file, table_name, file_format, "
            "rows_read, rows_loaded, rows_quarantined) values "
            "(date '2026-08-01', 'jira', '2026-08/jira/ALP.csv', 'work_items', 'jira_csv', 4, 4, 0)"
        )
        conn.execute(
            "insert into raw.work_items (snapshot_month, source, source_file, source_row, plan_key, "
            "item_key) values (date '2026-08-01', 'jira', '2026-08/jira/ALP.csv', 2, 'ALP', 'ALP-1')"
        )
    before = workspace.warehouse.read_bytes()
    jira = workspace.inbox / "2026-09" / "jira"
    jira.mkdir()
    (jira / "ALP.csv").write_bytes(b"\x00\x01\x02 not text" * 100)
    result = CliRunner().invoke(main, ["validate", "--month", "2026-09", "--config", str(workspace.config_file)])
    assert result.exit_code == 0, result.output
    assert "  (earlier snapshots from the warehouse steerpack.duckdb: 1 month(s))" in result.output
    assert re.search(
        r"\n    2026-09/jira/ALP\.csv +UNREADABLE  2026-09/jira/ALP\.csv: binary data, not a text export\n"
        r"        what it held is served from the latest earlier snapshot",
        result.output,
    )
    assert "BETA" in result.output and "'ALPHA'" not in result.output  # ALPHA's plan is August's, as in the run
    assert (
        "WARN   raw.work_items: a file of the drop could not be read at all; what it held is served from the "
        "latest earlier snapshot (served_from) until it is fixed — 1 row(s); e.g. 2026-09/jira/ALP.csv: error "
        "'2026-09/jira/ALP.csv: binary data, not a text export', served from '2026-08'" in result.output
    )
    assert result.output.splitlines()[-1].startswith("result: 0 error(s)")
    assert workspace.warehouse.read_bytes() == before  # validate writes nothing


def test_validate_a_clean_drop_exits_0(workspace):
    result = CliRunner().invoke(main, ["validate", "--config", str(workspace.config_file)])
    assert result.exit_code == 0, result.output
    # the tiny register's two projects have no plan yet: reported, not blocking
    assert "WARN   raw.projects: each register project's plan_key has a plan" in result.output
    assert result.output.splitlines()[-1] == "result: 0 error(s), 1 warning(s) — ready for the monthly run"


def test_validate_lists_a_broken_register_with_its_reason(workspace):
    sheets = tiny_register_sheets()
    del sheets["Changes"]
    write_sheets(workspace.inbox / "2026-09" / "register" / "portfolio.xlsx", sheets)
    result = CliRunner().invoke(main, ["validate", "--config", str(workspace.config_file)])
    assert result.exit_code == 1
    assert (
        "2026-09/register/portfolio.xlsx  BLOCKS  2026-09/register/portfolio.xlsx: sheet 'Changes' missing"
        in result.output
    )


def test_a_raid_status_neither_open_nor_closed_is_warned_with_its_file_and_row(conn):
    """RAID statuses are compared without case or blanks (DESIGN §5): `closed`, ` Mitigated `, `IN PROGRESS` and
    no status are known; `Done` and `Cancelled` are not, and each is named with its file and row (rows 5 and 6)."""
    raid = dict(project_id="P1", type="Risk", title="T", owner="O", severity="High")
    statuses = ["closed", " Mitigated ", "IN PROGRESS", "Done", "Cancelled", None, "Accepted"]
    insert(conn, "raid", [{**raid, "raid_id": f"R{n}", "status": status} for n, status in enumerate(statuses)])
    insert(conn, "raid", [{**raid, "raid_id": "R9", "status": "Parked"}], month=OCT)  # another month
    finding = failures(conn, "raid")[("raid_status_known", WARN)]
    assert finding.failed_rows == 2
    assert finding.examples == [
        {"source_file": "raid.file", "source_row": 5, "raid_id": "R3", "status": "Done"},
        {"source_file": "raid.file", "source_row": 6, "raid_id": "R4", "status": "Cancelled"},
    ]
    assert ("expect_column_values_to_be_in_set", WARN) not in failures(conn, "raid")  # the case-sensitive set is gone


def test_an_fx_rate_is_needed_only_for_lines_posted_by_the_months_end(conn):
    """An accrual in EUR dated next month is not in this month's AC (dbt leaves it out): it needs no rate yet,
    and must not stop the month. A EUR line posted on the month's last day does need one."""
    insert(conn, "spend", [{**GOOD["spend"], "currency": "EUR", "posting_date": dt.date(2026, 10, 1)}])
    assert ("fx_rate_for_every_currency_and_month", ERROR) not in failures(conn, "spend")
    insert(
        conn, "spend", [{**GOOD["spend"], "document_id": "D2", "currency": "EUR", "posting_date": dt.date(2026, 9, 30)}]
    )
    finding = failures(conn, "spend")[("fx_rate_for_every_currency_and_month", ERROR)]
    assert finding.failed_rows == 1
    assert finding.examples == [
        {"currency": "EUR", "posting_month": "2026-09", "lines": 1, "source_file": "spend.file"}
    ]


NOV = dt.date(2026, 11, 1)


def insert_rate(conn, month, currency, rate_month, rate=1.1):
    conn.execute(
        "insert into raw.fx_rates (snapshot_month, source, source_file, source_row, month, currency, rate_to_base) "
        "values (?, 'finance', ?, 2, ?, ?, ?)",
        [month, f"{month:%Y-%m}/finance/fx_rates.csv", rate_month, currency, rate],
    )


def errors_of(conn, table, month, **variables):
    found = validate_table(conn, load_suites()[table], month, {**VARIABLES, **variables})
    return {f.rule: f for f in found if f.severity == ERROR}


def test_a_project_in_another_currency_needs_its_rate_for_the_month_at_the_gate(conn):
    """int_project_bac stops dbt (the whole window) without a rate for (month, project currency): the gate blocks
    the month instead, naming the project, its currency and the month (DESIGN §4a, audit N11)."""
    insert(
        conn,
        "projects",
        [
            GOOD["projects"],
            {**GOOD["projects"], "project_id": "P2", "currency": "eur", "finance_codes": "WBS-2", "plan_key": "TWO"},
        ],
    )
    insert_rate(conn, SEP, "EUR", dt.date(2026, 8, 1))  # another month's rate does not translate September's BAC
    finding = errors_of(conn, "fx_rates", SEP)["fx_rate_for_every_project_currency_and_month"]
    assert (finding.failed_rows, finding.examples) == (1, [{"project_id": "P2", "currency": "EUR", "month": "2026-09"}])
    insert_rate(conn, SEP, "EUR", SEP)
    assert "fx_rate_for_every_project_currency_and_month" not in errors_of(conn, "fx_rates", SEP)


def test_under_the_budget_rate_policy_a_project_with_a_budget_fx_rate_needs_no_months_rate(conn):
    insert(conn, "projects", [{**GOOD["projects"], "currency": "EUR", "budget_fx_rate": 1.08}])
    assert "fx_rate_for_every_project_currency_and_month" not in errors_of(
        conn, "fx_rates", SEP, fx_policy="budget_rate"
    )
    # the month's rate policy translates at the month's rate, budget_fx_rate or not
    assert "fx_rate_for_every_project_currency_and_month" in errors_of(conn, "fx_rates", SEP, fx_policy="current")
    assert "fx_rate_for_every_project_currency_and_month" in errors_of(conn, "fx_rates", SEP)


def test_the_bac_rate_is_checked_for_the_register_the_month_reads_not_only_its_own(conn):
    """A drop without a register reads the latest earlier one (int_projects_as_of_month): its EUR project needs
    October's rate; a register its gate blocked serves no later month, so its projects need none then."""
    insert(conn, "projects", [{**GOOD["projects"], "currency": "EUR"}])
    insert_rate(conn, SEP, "EUR", SEP)
    assert "fx_rate_for_every_project_currency_and_month" not in errors_of(conn, "fx_rates", SEP)
    finding = errors_of(conn, "fx_rates", OCT)["fx_rate_for_every_project_currency_and_month"]
    assert finding.examples == [{"project_id": "P1", "currency": "EUR", "month": "2026-10"}]
    conn.execute("insert into raw.quality_findings values (date '2026-09-01', 'projects', 'r', 'error', 1, 'd', '[]')")
    assert "fx_rate_for_every_project_currency_and_month" not in errors_of(conn, "fx_rates", OCT)


def test_a_line_of_an_earlier_extract_that_the_month_uses_needs_its_rate(conn):
    """October's extract holds an EUR accrual dated 3 November; November's drop has no finance export and no
    November EUR rate. dbt serves November that line (int_spend_as_of_month) and would stop: November is blocked,
    October (where the line is after as_of) is not."""
    insert(conn, "spend", [{**GOOD["spend"], "currency": "EUR", "posting_date": dt.date(2026, 11, 3)}], month=OCT)
    insert_rate(conn, OCT, "EUR", OCT)
    assert "fx_rate_for_every_currency_and_month" not in errors_of(conn, "spend", OCT)
    finding = errors_of(conn, "spend", NOV)["fx_rate_for_every_currency_and_month"]
    assert finding.examples == [
        {"currency": "EUR", "posting_month": "2026-11", "lines": 1, "source_file": "spend.file"}
    ]
    insert_rate(conn, NOV, "EUR", NOV)  # November's rate file alone lets the month through
    assert "fx_rate_for_every_currency_and_month" not in errors_of(conn, "spend", NOV)


def test_a_rate_or_a_line_from_a_blocked_month_is_not_what_the_month_reads(conn):
    """The rates and lines dbt reads skip a month whose gate blocked its finance files (serves_month)."""
    insert(conn, "spend", [{**GOOD["spend"], "currency": "EUR", "posting_date": dt.date(2026, 9, 5)}])
    insert_rate(conn, SEP, "EUR", SEP)
    assert "fx_rate_for_every_currency_and_month" not in errors_of(conn, "spend", OCT)
    conn.execute("insert into raw.quality_findings values (date '2026-09-01', 'spend', 'r', 'error', 1, 'd', '[]')")
    # September serves October nothing now: neither its EUR line nor its rate
    assert "fx_rate_for_every_currency_and_month" not in errors_of(conn, "spend", OCT)
    insert(conn, "spend", [{**GOOD["spend"], "document_id": "D2", "currency": "EUR"}], month=OCT)
    assert "fx_rate_for_every_currency_and_month" in errors_of(conn, "spend", OCT)


def test_a_project_in_another_currency_needs_its_rate_for_each_spend_lines_posting_month(conn):
    """int_spend_converted turns a USD line on a EUR project into EUR at its posting month's EUR rate: without
    it, dbt would stop; the gate names the project, its currency and the posting month."""
    insert(conn, "projects", [{**GOOD["projects"], "currency": "EUR"}], month=OCT)
    insert(conn, "spend", [GOOD["spend"]], month=OCT)  # USD, posted 5 September, on WBS-1
    insert_rate(conn, OCT, "EUR", OCT)  # the BAC's rate, not September's
    found = errors_of(conn, "spend", OCT)
    assert "fx_rate_for_every_currency_and_month" not in found  # a base-currency line needs no rate of its own
    finding = found["fx_rate_for_every_project_currency_of_its_spend"]
    assert finding.examples == [
        {"project_id": "P1", "currency": "EUR", "posting_month": "2026-09", "lines": 1, "source_file": "spend.file"}
    ]
    insert_rate(conn, OCT, "EUR", SEP)
    assert "fx_rate_for_every_project_currency_of_its_spend" not in errors_of(conn, "spend", OCT)
