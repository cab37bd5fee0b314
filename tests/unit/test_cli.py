"""The `steerpack` command as a PMO analyst uses it: one clear message per mistake, a pack when all is well."""

import datetime as dt
import io
import logging
import warnings

import pytest
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


def test_library_output_goes_to_the_run_log_and_to_the_terminal_only_with_verbose(tmp_path):
    """Where dbt's log and library warnings go, decided without running anything."""
    from pipelines.run.library_output import library_output

    now = dt.datetime(2026, 11, 5, 9, 18, 41)
    quiet = library_output("backfill", False, tmp_path / "output", terminal=True, now=now, pid=4242)
    assert quiet.run_log == tmp_path / "output" / "logs" / "steerpack-backfill-20261105-091841-4242.log"
    assert (quiet.on_terminal, quiet.colours) == (False, False)
    verbose = library_output("run", True, tmp_path, terminal=True, now=now, pid=1)
    assert (verbose.on_terminal, verbose.colours) == (True, True)
    # --verbose into a file or a pipe: shown, never in colour
    piped = library_output("run", True, tmp_path, terminal=False, now=now, pid=1)
    assert (piped.on_terminal, piped.colours) == (True, False)


@pytest.mark.parametrize("verbose", [False, True])
def test_routed_library_output_reaches_the_terminal_only_with_verbose(tmp_path, verbose):
    from pipelines.dbt import runner as dbt_runner
    from pipelines.run.library_output import DBT_LOGGER, LibraryOutput, routed

    plan = LibraryOutput(run_log=tmp_path / "logs" / "steerpack-run.log", on_terminal=verbose, colours=False)
    terminal = io.StringIO()
    with routed(plan, terminal=terminal):
        assert dbt_runner._console_route == (logging.getLogger(DBT_LOGGER), False)
        warnings.warn("a library's notice (a unit test)", UserWarning, stacklevel=1)
        logging.getLogger(DBT_LOGGER).info("\x1b[32mCompleted successfully\x1b[0m")
        logging.getLogger("dagster.builtin").debug("a debug record")
    assert dbt_runner._console_route is None  # dbt's own console again, as under `dagster dev`
    log = plan.run_log.read_text(encoding="utf-8")
    assert "UserWarning: a library's notice (a unit test)" in log
    assert "steerpack.dbt  Completed successfully" in log
    assert "\x1b[" not in log and "a debug record" not in log
    shown = terminal.getvalue()
    if verbose:
        assert "UserWarning" in shown and "Completed successfully" in shown and "\x1b[" not in shown
    else:
        assert shown == ""


def test_dbt_console_is_turned_off_and_its_file_log_kept():
    from pipelines.dbt.runner import console_log_flags

    build = ["build", "--log-path", "target/x"]
    assert console_log_flags(build, colours=False, environ={}) == [
        "--log-level",
        "none",
        "--log-level-file",
        "debug",  # dbt's default for dbt.log, which --log-level alone would turn off
        "--no-use-colors",
    ]
    assert console_log_flags(build, colours=True, environ={"DBT_LOG_LEVEL_FILE": "info"}) == [
        "--log-level",
        "none",
        "--use-colors",
    ]
    # the drafts' own choice stands
    assert console_log_flags(["run", "--log-level", "none"], colours=False, environ={}) == ["--no-use-colors"]


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--month", "2026-09"],
        ["backfill", "--from", "2026-08", "--to", "2026-09"],
        ["send", "--month", "2026-09"],
        ["demo"],
    ],
)
def test_commands_that_run_things_take_verbose(tmp_path, command):
    config = write_config(tmp_path, warehose="./w.duckdb")
    result = CliRunner().invoke(main, [*command, "--verbose", "--config", str(config)])
    assert result.output.strip() == f"Error: {config}: unknown key 'warehose'"
