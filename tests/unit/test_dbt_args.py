import datetime as dt
import json
import os

import pytest

from pipelines.dbt.command import DBT_PROJECT_DIR, build_args, dbt_command, dbt_environment, window_vars
from pipelines.partitions import months_between, months_of, parse_month_arg


def test_one_partition_is_a_window_of_one_month():
    assert window_vars([dt.date(2026, 10, 1)], {}) == {"month_start": "2026-10-01", "month_end": "2026-10-01"}


def test_a_range_is_one_window_from_its_first_to_its_last_month():
    months = months_of(["2026-03-01", "2025-11-01", "2026-01-01"])
    assert window_vars(months, {"base_currency": "EUR"}) == {
        "month_start": "2025-11-01",
        "month_end": "2026-03-01",
        "base_currency": "EUR",
    }


def test_build_args_pass_the_window_as_json_vars():
    args = build_args([dt.date(2026, 9, 1), dt.date(2026, 10, 1)], {"post_golive_window_days": 30})
    assert args[:4] == ["build", "--exclude", "test_type:unit", "--vars"]
    assert json.loads(args[4]) == {
        "month_start": "2026-09-01",
        "month_end": "2026-10-01",
        "post_golive_window_days": 30,
    }


def test_no_month_is_an_error():
    with pytest.raises(ValueError):
        window_vars([], {})


def test_dbt_reads_the_warehouse_from_the_environment(tmp_path):
    assert dbt_environment(tmp_path / "w.duckdb") == {
        "STEERPACK_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "STEERPACK_DUCKDB_MEMORY_LIMIT": "2GB",
    }


def test_month_helpers():
    assert parse_month_arg("2026-02") == dt.date(2026, 2, 1)
    assert parse_month_arg("2026-02-17") == dt.date(2026, 2, 1)
    with pytest.raises(ValueError, match="expected a month as YYYY-MM"):
        parse_month_arg("Feb 2026")
    assert months_between(dt.date(2025, 11, 1), dt.date(2026, 2, 1)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]


def test_every_dbt_command_says_where_the_project_its_profile_artifacts_and_logs_are(tmp_path):
    project = str(DBT_PROJECT_DIR)
    assert dbt_command(["run", "--vars", "{}"], target_path=tmp_path / "t", log_path=tmp_path / "l") == [
        *("run", "--vars", "{}", "--project-dir", project, "--profiles-dir", project),
        *("--target-path", str(tmp_path / "t"), "--log-path", str(tmp_path / "l")),
        "--no-send-anonymous-usage-stats",
    ]
    # None leaves a flag to dbt's default (the runner's parse says only what the command it serves said)
    assert dbt_command(["parse"], project_dir=None, profiles_dir=None) == ["parse", "--no-send-anonymous-usage-stats"]


def test_only_the_in_process_build_touches_dagster_dbts_non_public_helpers():
    from pathlib import Path

    import pipelines

    fenced = ("dagster_dbt.asset_utils", "dagster_dbt.core")
    users = sorted(
        path.relative_to(Path(pipelines.__file__).parent).as_posix()
        for path in Path(pipelines.__file__).parent.rglob("*.py")
        if any(name in path.read_text(encoding="utf-8") for name in fenced)
    )
    assert users == ["dbt/in_process.py"]


def test_the_dagster_dbt_helpers_the_in_process_build_uses_still_exist():
    """`pipelines/dbt/in_process.py` uses two helpers and an event class of the pinned dagster-dbt that its public
    API does not promise: a rename there must fail here, not in a monthly run."""
    import inspect

    from dagster_dbt.asset_utils import (
        extract_runtime_selection_from_args,
        get_updated_cli_invocation_params_for_context,
    )
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

    assert extract_runtime_selection_from_args(["build", "--select", "a b", "--exclude", "c", "--vars", "{}"]) == (
        ["build", "--vars", "{}"],
        ["a", "b"],
        ["c"],
    )
    assert {"context", "manifest", "dagster_dbt_translator", "runtime_selects", "runtime_excludes"} <= set(
        inspect.signature(get_updated_cli_invocation_params_for_context).parameters
    )
    assert "to_default_asset_events" in dir(DbtCoreCliEventMessage)


@pytest.mark.parametrize(
    ("args", "environ", "reuses"),
    [
        (["build", "--vars", "{}"], {}, True),
        (["run", "--select", "fct_project_month"], {}, True),
        (["compile"], {"DBT_FULL_REFRESH": "false"}, True),
        (["build", "--full-refresh"], {}, False),
        (["build", "-f"], {}, False),
        (["build"], {"DBT_FULL_REFRESH": "1"}, False),
        (["build", "--no-partial-parse"], {}, False),
        (["build"], {"DBT_PARTIAL_PARSE": "False"}, False),
        # as dbt's command line (click) reads a boolean from the environment
        (["build"], {"DBT_PARTIAL_PARSE": "f"}, False),
        (["build"], {"DBT_PARTIAL_PARSE": " on "}, True),
        (["build"], {"DBT_FULL_REFRESH": "n", "DBT_PARTIAL_PARSE": ""}, True),
        (["build"], {"DBT_FULL_REFRESH": "y"}, False),
        (["build"], {"DBT_FULL_REFRESH": "maybe"}, False),  # dbt's to refuse
        (["docs", "generate"], {}, True),
        (["docs", "serve"], {}, False),
        (["parse"], {}, False),
        (["--version"], {}, False),
        ([], {}, False),
    ],
)
def test_steerpack_dbt_reuses_its_parse_only_for_commands_that_run_nodes_without_a_full_refresh(args, environ, reuses):
    from pipelines.dbt.runner import reuses_parse

    assert reuses_parse(args, environ) is reuses


def test_an_environment_variable_set_for_a_with_is_restored_or_removed_after(monkeypatch):
    from pipelines.core.environment import environment_variable

    monkeypatch.setenv("STEERPACK_TEST_SET", "before")
    monkeypatch.delenv("STEERPACK_TEST_UNSET", raising=False)
    with environment_variable("STEERPACK_TEST_SET", "inside"), environment_variable("STEERPACK_TEST_UNSET", "x"):
        assert (os.environ["STEERPACK_TEST_SET"], os.environ["STEERPACK_TEST_UNSET"]) == ("inside", "x")
    assert os.environ["STEERPACK_TEST_SET"] == "before" and "STEERPACK_TEST_UNSET" not in os.environ


def test_a_stop_dbt_caught_is_found_even_under_the_error_its_clean_up_raised():
    """dbt returns what stopped it as its result's exception; a stop signal closing DuckDB under a running query
    turns it into the context of a plain error. Either way the stop is raised again, never taken for a failure."""
    from pipelines.dbt.runner import _stop_in

    stop = KeyboardInterrupt()
    try:
        try:
            raise stop
        except KeyboardInterrupt:
            raise RuntimeError("connection busy") from None  # `from None` hides it from tracebacks, not __context__
    except RuntimeError as error:
        cleanup_error = error
    assert _stop_in(stop) is stop
    assert _stop_in(cleanup_error) is stop
    assert _stop_in(RuntimeError("a node failed")) is None
    assert _stop_in(None) is None


def test_the_first_phase_leaves_out_what_reads_the_forecast_and_the_second_selects_only_that():
    from pipelines.dbt.phases import AFTER_FORECAST, after_forecast, before_forecast

    everything = ["build", "--exclude", "test_type:unit", "--select", "fqn:*", "--project-dir", "p"]
    assert before_forecast(everything) == [*everything, "--exclude", AFTER_FORECAST]
    assert after_forecast(everything) == [
        "build",
        "--exclude",
        "test_type:unit",
        "--project-dir",
        "p",
        "--select",
        AFTER_FORECAST,
    ]
    # no selection at all (a draft's `dbt run`) is everything too
    assert after_forecast(["run", "--vars", "{}"]) == ["run", "--vars", "{}", "--select", AFTER_FORECAST]
    # a run of some assets: each selected model, intersected with the forecast's readers (dbt's `a,b`)
    subset = ["build", "--select", "fqn:steerpack.marts.fct_forecast_month fqn:steerpack.marts.fct_project_month"]
    assert after_forecast(subset) == [
        "build",
        "--select",
        f"fqn:steerpack.marts.fct_forecast_month,{AFTER_FORECAST} "
        f"fqn:steerpack.marts.fct_project_month,{AFTER_FORECAST}",
    ]


@pytest.mark.slow
def test_dbt_selects_the_forecast_models_in_the_second_phase_only(dbt_manifest, tmp_path):
    """dbt's own selector on the project: the forecast's inputs are in phase 1, its readers in phase 2, and the
    two phases together are the whole build."""
    from dbt.cli.main import dbtRunner

    from pipelines.dbt.command import dbt_command
    from pipelines.dbt.phases import after_forecast, before_forecast

    def selected(args: list[str]) -> set[str]:
        command = dbt_command([*args, "--resource-type", "model", "--output", "name", "--quiet"], target_path=tmp_path)
        result = dbtRunner().invoke(command)
        assert result.success, result.exception
        return set(result.result)

    everything = selected(["ls"])
    first, second = selected(before_forecast(["ls"])), selected(after_forecast(["ls"]))
    assert {"fct_forecast_inputs_month", "fct_forecast_history_month", "fct_project_month"} <= first
    assert {"fct_forecast_month", "fct_forecast_distribution_month", "stg_forecast__monte_carlo_month"} <= second
    assert first.isdisjoint(second) and first | second == everything
