"""Data-quality gates: each kind of rule catches a hand-made violation; ERROR blocks a month, WARN does not."""

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import (
    copy_workspace,
    materialize,
    query,
    run_month,
    tiny_register_sheets,
    tiny_workspace,
    write_sheets,
)

SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)


@pytest.fixture(scope="session")
def _september_with_fx_built(tmp_path_factory, dbt_manifest) -> Path:
    """The `workspace` plus a September finance drop holding only an EUR rate, with September materialized; built
    once per session (per xdist worker)."""
    folder = tmp_path_factory.mktemp("september_fx")
    settings = tiny_workspace(folder)
    finance = settings.inbox / "2026-09" / "finance"
    finance.mkdir(parents=True)
    (finance / "fx_rates.csv").write_text("month,currency,rate_to_base\n2026-09,EUR,1.1\n")
    materialize(settings, "2026-09-01")
    return folder


@pytest.fixture
def september_with_fx(_september_with_fx_built, tmp_path):
    """`_september_with_fx_built` copied for this test, instead of each test running the same month again."""
    return copy_workspace(_september_with_fx_built, tmp_path)


@pytest.mark.slow
def test_an_error_blocks_the_month_and_leaves_the_previous_pack_alone(september_with_fx):
    workspace = september_with_fx  # September's finance/fx_rates.csv (EUR), then September materialized
    september = workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html"
    before = september.read_bytes()
    sheets = tiny_register_sheets()
    sheets["Distribution"][2][3] = "BETA;GHOST"  # a scope naming a project that does not exist
    write_sheets(workspace.inbox / "2026-10" / "register" / "portfolio.xlsx", sheets)
    result = run_month(workspace, "2026-10-01")
    assert not result.success
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "raw_quality_suites" in started  # the one step checking every raw table
    assert not started & {"steerpack_dbt_models", "steering_pack", "pack_delivery"}
    assert not (workspace.output / "packs" / "2026-10").exists()
    assert not (workspace.output / "outbox" / "2026-10").exists()
    assert september.read_bytes() == before
    assert query(workspace, "select count(*) from marts.fct_project_month where month = ?", [OCT]) == [(0,)]
    assert query(
        workspace,
        "select table_name, rule, severity, failed_rows, examples from raw.quality_findings "
        "where snapshot_month = ? and severity = 'error'",
        [OCT],
    ) == [
        (
            "distribution",
            "scope_names_known_projects",
            "error",
            1,
            '[{"email": "bob@example.com", "project_id": "GHOST"}]',
        )
    ]


@pytest.mark.slow
def test_a_warning_lets_the_month_through_and_freshness_shows_missing_sources(september_with_fx):
    workspace = september_with_fx  # September's finance/fx_rates.csv (EUR), then September materialized
    sheets = tiny_register_sheets(reported_alpha="Purple")  # not a RAG word: a warning
    write_sheets(workspace.inbox / "2026-10" / "register" / "portfolio.xlsx", sheets)
    materialize(workspace, "2026-10-01")  # October's drop has no finance folder
    assert (workspace.output / "packs" / "2026-10" / "steering-pack-2026-10.html").exists()
    # (the tiny register's projects have no plan files either: that is a warning of its own)
    assert query(
        workspace,
        "select table_name, severity, failed_rows, rule from raw.quality_findings "
        "where snapshot_month = ? order by rule",
        [OCT],
    ) == [
        ("projects", "warn", 2, "every_project_has_a_plan"),
        (
            "projects",
            "warn",
            1,
            "expect_column_values_to_be_in_set(column='reported_status', value_set=['Green', 'Amber', 'Red'])",
        ),
    ]
    # the pack's data-quality page lists what was let through
    pack = (workspace.output / "packs" / "2026-10" / "steering-pack-2026-10.html").read_text(encoding="utf-8")
    findings = pack[pack.index('<table id="quality-findings">') :]
    assert "<tr><td>projects</td><td>every_project_has_a_plan</td><td>warn</td><td>2</td>" in findings
    assert (
        "<tr><td>projects</td><td>expect_column_values_to_be_in_set(column=&#39;reported_status&#39;, "
        "value_set=[&#39;Green&#39;, &#39;Amber&#39;, &#39;Red&#39;])</td><td>warn</td><td>1</td>"
    ) in findings
    assert query(
        workspace,
        "select source, snapshot_month_used, is_missing, months_stale, rows_read, rows_loaded "
        "from marts.fct_data_freshness where month = ? order by source",
        [OCT],
    ) == [("finance", SEP, True, 1, 1, 1), ("register", OCT, False, 0, 8, 8)]
