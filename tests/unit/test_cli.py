"""The `steerpack` command as a PMO analyst uses it: one clear message per mistake, a pack when all is well."""

from click.testing import CliRunner

from pipelines.cli import main
from tests.helpers import write_config


def test_a_missing_inbox_is_one_clear_message(tmp_path):
    config = write_config(tmp_path, inbox="./no-such-inbox")
    result = CliRunner().invoke(main, ["run", "--month", "2026-09", "--config", str(config)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: inbox folder not found: {tmp_path / 'no-such-inbox'} "
        "(set 'inbox' in steerpack.yaml, or run 'steerpack demo' to write one)"
    )


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
