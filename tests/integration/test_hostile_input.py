"""Hostile and broken input (issue 14): each case builds its bad input here and asserts the clear error or the
right behaviour, and that nothing is written outside the output folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipelines.core import files
from pipelines.core.packs import scoped_pack_paths
from tests.helpers import tiny_register_sheets, write_sheets

SEP = dt.date(2026, 9, 1)


def files_outside(root: Path, output: Path) -> list[Path]:
    """Pack files (html, pdf, xlsx, eml) anywhere under `root` but outside `output`."""
    return [
        path
        for path in root.rglob("*")
        if path.suffix in (".html", ".pdf", ".xlsx", ".eml")
        and output not in path.parents
        and "inbox" not in path.parts
    ]


@pytest.mark.slow
def test_a_register_row_with_a_traversal_id_blocks_the_month_and_writes_nothing(workspace, tmp_path, dbt_manifest):
    from tests.helpers import run_month

    escape = tmp_path / "escaped" / "x"
    sheets = tiny_register_sheets()
    sheets["Projects"].append(
        [
            str(escape),
            "Absolute",
            2,
            "S",
            "M",
            "Green",
            "Build",
            1000,
            "USD",
            dt.date(2026, 1, 5),
            dt.date(2026, 12, 18),
            None,
            None,
            "jira",
            "ABS",
            "WBS-X",
            "",
        ]
    )
    sheets["Projects"][1][0] = "../../../../escaped/alpha"
    sheets["Distribution"].append(["abs@example.com", "Abs", "Sponsor", str(escape)])
    write_sheets(workspace.inbox / "2026-09" / "register" / "portfolio.xlsx", sheets)
    result = run_month(workspace, "2026-09-01")
    assert not result.success
    evaluations = [e for e in result.get_asset_check_evaluations() if e.asset_key.path == ["raw", "projects"]]
    assert [e.passed for e in evaluations] == [False]
    failed = [f for f in evaluations[0].metadata["findings"].value if f["severity"] == "error"]
    assert [(f["failed_rows"], "safe name" in f["description"]) for f in failed] == [(2, True)]
    assert files_outside(tmp_path, workspace.output) == [] and not (tmp_path / "escaped").exists()
    assert not (workspace.output / "packs" / "2026-09").exists()


@pytest.mark.slow
def test_a_corrected_rerun_re_renders_the_scoped_packs_already_sent(september_workspace):
    workspace = september_workspace  # September is materialized already
    from tests.helpers import materialize, query

    scoped = scoped_pack_paths(workspace.output, SEP, frozenset({"BETA"}))
    assert "Beta CRM" in scoped["html"].read_text(encoding="utf-8")
    sheets = tiny_register_sheets()
    sheets["Projects"][2][1] = "Beta CRM corrected"
    write_sheets(workspace.inbox / "2026-09" / "register" / "portfolio.xlsx", sheets)
    materialize(workspace, "2026-09-01")
    # bob's message went out with the first run and is not sent twice; his scoped pack shows the corrected data
    assert query(workspace, "select recipient, status, attempts from marts.delivery_log order by recipient") == [
        ("bob@example.com", "sent", 1),
        ("head.pmo@example.com", "sent", 1),
    ]
    html = scoped["html"].read_text(encoding="utf-8")
    assert "Beta CRM corrected" in html and "Alpha Billing" not in html
    assert sorted(p.name for p in scoped["folder"].iterdir()) == [
        "steering-pack-2026-09.html",
        "steering-pack-2026-09.pdf",
        "steering-pack-2026-09.pptx",
        "steering-pack-2026-09.xlsx",
    ]
    assert not list((workspace.output / files.STAGING_FOLDER).glob("*"))


@pytest.mark.slow
def test_validate_names_both_rows_of_a_recipient_listed_with_two_scopes(workspace):
    from click.testing import CliRunner

    from pipelines.cli import main

    sheets = tiny_register_sheets()
    sheets["Distribution"].append(["BOB@Example.com", "Bob again", "Sponsor", "portfolio"])
    sheets["Distribution"].append(["carol@example.com, eve@evil.example", "Carol", "Sponsor", "ALPHA"])
    write_sheets(workspace.inbox / "2026-09" / "register" / "portfolio.xlsx", sheets)
    result = CliRunner().invoke(main, ["validate", "--month", "2026-09", "--config", str(workspace.config_file)])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip().startswith("ERROR")]
    assert any(
        "different scopes" in line and "portfolio.xlsx row 3: email 'bob@example.com', scope 'BETA'" in line
        for line in lines
    ), result.output
    # both rows, so the analyst sees which one to keep
    assert "and 2026-09/register/portfolio.xlsx row 4: email 'BOB@Example.com', scope 'portfolio'" in result.output
    assert any("could not be read" in line and "holds 2 addresses" in line for line in lines), result.output
    assert "fix the errors before the monthly run" in result.output
