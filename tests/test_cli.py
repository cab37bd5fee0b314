"""The `steerpack` command as a PMO analyst uses it: one clear message per mistake, a pack when all is well."""

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from tests.helpers import run_logged, tiny_register_sheets, write_config, write_sheets

STEERPACK = str(Path(sys.executable).with_name("steerpack"))


def steerpack(*args, cwd):
    return run_logged([STEERPACK, *args], cwd / "logs", timeout=300, cwd=cwd)


@pytest.mark.slow
def test_run_on_a_tiny_inbox_produces_the_pack(workspace, dbt_manifest, tmp_path):
    done = steerpack("run", "--month", "2026-09", "--config", str(workspace.config_file), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pack = workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.html"
    assert f"2026-09: {pack}" in done.stdout
    assert "Alpha Billing" in pack.read_text(encoding="utf-8")
    assert "2026-09 delivered" in done.stderr  # progress per month, for a non-terminal
    # the run went through the persistent instance, so it shows in the UI
    assert any((tmp_path / ".dagster").rglob("*.db"))


@pytest.mark.slow
def test_a_register_missing_a_sheet_stops_the_run_naming_file_and_sheet(workspace, dbt_manifest, tmp_path):
    sheets = tiny_register_sheets()
    del sheets["RAID"]
    write_sheets(workspace.inbox / "2026-09" / "register" / "portfolio.xlsx", sheets)
    done = steerpack("run", "--month", "2026-09", "--config", str(workspace.config_file), cwd=tmp_path)
    assert done.returncode == 1
    assert "data-quality errors block the month" in done.stderr
    assert "the month's register could not be read" in done.stderr
    assert "2026-09/register/portfolio.xlsx: sheet 'RAID' missing" in done.stderr
    assert not (workspace.output / "packs" / "2026-09").exists()


def test_a_missing_inbox_is_one_clear_message(tmp_path):
    config = write_config(tmp_path, inbox="./no-such-inbox")
    result = CliRunner().invoke(main, ["run", "--month", "2026-09", "--config", str(config)])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: inbox folder not found: {tmp_path / 'no-such-inbox'} "
                                     "(set 'inbox' in steerpack.yaml, or run 'steerpack demo' to write one)")


def test_an_unknown_config_key_is_one_clear_message(tmp_path):
    config = write_config(tmp_path, warehose="./w.duckdb")
    result = CliRunner().invoke(main, ["backfill", "--from", "2026-01", "--to", "2026-02", "--config", str(config)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {config}: unknown key 'warehose'"


def test_a_month_before_first_month_is_refused(tmp_path):
    config = write_config(tmp_path, first_month="2025-01")
    (tmp_path / "inbox").mkdir()
    result = CliRunner().invoke(main, ["run", "--month", "2024-12", "--config", str(config)])
    assert result.exit_code == 1
    assert "2024-12 is before first_month 2025-01" in result.output


def test_a_malformed_month_is_refused():
    result = CliRunner().invoke(main, ["run", "--month", "October"])
    assert result.exit_code == 2
    assert "expected a month as YYYY-MM, got 'October'" in result.output


def test_backfill_refuses_an_inverted_range(tmp_path):
    config = write_config(tmp_path)
    result = CliRunner().invoke(main, ["backfill", "--from", "2026-05", "--to", "2026-02", "--config", str(config)])
    assert result.exit_code == 2
    assert "--to 2026-02 is before --from 2026-05" in result.output
