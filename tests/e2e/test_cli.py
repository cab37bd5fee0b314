"""The `steerpack` command as a PMO analyst uses it: one clear message per mistake, a pack when all is well."""

import pytest

from tests.helpers import steerpack, tiny_register_sheets, write_sheets


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
