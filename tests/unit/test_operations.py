"""The operating side: the monthly schedule, the new-drop sensor, the run queue and the warehouse lock."""

import datetime as dt
import json
import os
import zoneinfo

import dagster as dg
import pytest

from pipelines.config import load_settings, parse_settings
from pipelines.core.delivery.plan import SEND_TAG
from pipelines.core.warehouse.lock import WAREHOUSE_POOL
from pipelines.definitions import build_definitions
from pipelines.run.instance import prepare_environment
from pipelines.schedules import build_monthly_schedule, reporting_month
from pipelines.sensors import build_drop_sensor, drop_run_requests
from tests.helpers import pipeline_assets, tiny_register_sheets, write_config, write_sheets

# build_definitions reads dbt's manifest
pytestmark = pytest.mark.usefixtures("dbt_manifest")


UTC = dt.UTC


def repository():
    return build_definitions(parse_settings({})).get_repository_def()


def evaluate(schedule, moment):
    with dg.build_schedule_context(scheduled_execution_time=moment, repository_def=repository()) as context:
        return schedule.evaluate_tick(context)


def test_the_schedule_runs_the_month_just_ended_on_the_configured_day_time_and_zone():
    settings = parse_settings({"schedule": {"day_of_month": 3, "time": "06:00", "timezone": "Europe/London"}})
    schedule = build_monthly_schedule(settings)
    assert schedule.cron_schedule == "0 6 3 * *" and schedule.execution_timezone == "Europe/London"
    assert schedule.job_name == "monthly_pack"
    tick = evaluate(schedule, dt.datetime(2026, 11, 3, 6, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London")))
    [request] = tick.run_requests
    assert request.partition_key == "2026-10-01" and request.tags[SEND_TAG] == "true"
    assert request.run_key == "scheduled-2026-10-01"  # a re-evaluated tick cannot start a second run
    january = evaluate(schedule, dt.datetime(2027, 1, 3, 6, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London")))
    assert january.run_requests[0].partition_key == "2026-12-01"  # across the year end


def test_the_reporting_month_is_decided_in_the_configured_timezone():
    # 1 Dec 00:30 in Auckland is still 30 Nov in UTC: Auckland's run reports November, UTC's October.
    moment = dt.datetime(2026, 11, 30, 11, 30, tzinfo=UTC)
    assert reporting_month(moment, "Pacific/Auckland") == dt.date(2026, 11, 1)
    assert reporting_month(moment, "UTC") == dt.date(2026, 10, 1)


def test_the_schedule_skips_months_before_first_month():
    schedule = build_monthly_schedule(parse_settings({"first_month": "2026-11"}))
    tick = evaluate(schedule, dt.datetime(2026, 11, 3, 6, 0, tzinfo=UTC))
    assert tick.run_requests == [] and "before first_month" in tick.skip_message


def drop(inbox, month, reported="Green"):
    write_sheets(inbox / month / "register" / "portfolio.xlsx", tiny_register_sheets(reported))


def test_a_drop_runs_once_it_has_settled_and_again_when_a_file_changes(tmp_path):
    inbox = tmp_path / "inbox"
    drop(inbox, "2026-09")
    drop(inbox, "2026-10")
    drop(inbox, "2026-11")  # the month is not over: no partition yet
    runnable = ["2026-08-01", "2026-09-01", "2026-10-01"]

    requests, cursor = drop_run_requests(inbox, {}, runnable)
    assert requests == []  # first sight: the files may still be copying
    requests, cursor = drop_run_requests(inbox, cursor, runnable)
    assert [(r.partition_key, r.tags[SEND_TAG]) for r in requests] == [
        ("2026-09-01", "false"),
        ("2026-10-01", "true"),
    ]  # only the latest month is emailed
    assert drop_run_requests(inbox, cursor, runnable)[0] == []  # nothing new

    drop(inbox, "2026-09", reported="Red")  # a corrected register for September
    os.utime(inbox / "2026-09" / "register" / "portfolio.xlsx", ns=(1, 1))
    requests, cursor = drop_run_requests(inbox, cursor, runnable)
    assert requests == []
    requests, cursor = drop_run_requests(inbox, cursor, runnable)
    assert [r.partition_key for r in requests] == ["2026-09-01"]
    assert requests[0].run_key.startswith("drop-2026-09-")


def test_a_sensor_switched_on_over_built_months_runs_only_what_is_new_or_changed(tmp_path):
    inbox = tmp_path / "inbox"
    drop(inbox, "2026-09")
    drop(inbox, "2026-10")
    runnable = ["2026-09-01", "2026-10-01"]
    built = {"2026-09-01"}  # September's pack exists already; October's does not
    requests, cursor = drop_run_requests(inbox, {}, runnable, built)
    assert requests == []
    requests, cursor = drop_run_requests(inbox, cursor, runnable, built)
    assert [r.partition_key for r in requests] == ["2026-10-01"]
    drop(inbox, "2026-09", reported="Red")
    os.utime(inbox / "2026-09" / "register" / "portfolio.xlsx", ns=(2, 2))
    requests, cursor = drop_run_requests(inbox, cursor, runnable, built)
    requests, cursor = drop_run_requests(inbox, cursor, runnable, built)
    assert [r.partition_key for r in requests] == ["2026-09-01"]  # a correction to a built month still runs


def test_the_sensor_reports_run_requests_and_keeps_its_cursor(tmp_path):
    settings = load_settings(write_config(tmp_path))
    drop(settings.inbox, "2026-09")
    sensor = build_drop_sensor(settings)
    with dg.build_sensor_context(repository_def=repository(), instance=dg.DagsterInstance.ephemeral()) as context:
        first = sensor.evaluate_tick(context)
    assert first.run_requests == []
    with dg.build_sensor_context(
        cursor=first.cursor, repository_def=repository(), instance=dg.DagsterInstance.ephemeral()
    ) as context:
        second = sensor.evaluate_tick(context)
    assert [r.partition_key for r in second.run_requests] == ["2026-09-01"]
    assert second.run_requests[0].job_name == "monthly_pack"
    assert json.loads(second.cursor)["2026-09"]["ran"] == json.loads(first.cursor)["2026-09"]["seen"]


def test_every_warehouse_writer_is_in_the_warehouse_pool_and_the_instance_limits_it_to_one_run(tmp_path):
    settings = load_settings(write_config(tmp_path))
    prepare_environment(settings)
    with dg.DagsterInstance.get() as instance:
        pools = instance.get_concurrency_config().pool_config
        assert (pools.pool_granularity.value, pools.default_pool_limit) == ("run", 1)
    defs = build_definitions(settings)
    for asset in pipeline_assets(settings, with_checks=False):
        assert {node.pool for node in asset.node_def.iterate_node_defs()} == {WAREHOUSE_POOL}, asset
    assert {s.name for s in defs.schedules} == {"monthly_pack_schedule"}
    assert {s.name for s in defs.sensors} == {"new_drop_sensor", "ops_alert_on_failure"}
