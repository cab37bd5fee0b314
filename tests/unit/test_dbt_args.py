import datetime as dt
import json

import pytest

from pipelines.dbt_project import build_args, dbt_environment, window_vars
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
