"""Issue 26: a run's failure summary names every failed step, also when data-quality findings block a month.
Each test builds its failing run itself: a tiny Dagster job on an ephemeral instance, or fake runs."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from pipelines.observe.failures import blocked_months, failed_steps, failure_summary
from pipelines.run import isolation, runner

FINDING = {
    "month": "2026-09",
    "severity": "error",
    "rule": "project_id_unique",
    "description": "project_id must be unique",
    "failed_rows": 2,
    "examples": [],
}


def _failed_run_with_findings_and_a_broken_render():
    """raw/projects passes ingest and fails its blocking quality check; the render, which does not wait for it
    here, fails on its own (WeasyPrint dies)."""

    @dg.asset(key=dg.AssetKey(["raw", "projects"]))
    def projects() -> None:
        return None

    @dg.asset_check(asset=projects, name="quality_suite", blocking=True)
    def projects_quality() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"findings": dg.MetadataValue.json([FINDING])},
        )

    @dg.asset
    def steering_pack() -> None:
        raise RuntimeError("WeasyPrint died")

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([projects, projects_quality, steering_pack], instance=instance, raise_on_error=False)
    assert not result.success
    return instance, result.run_id


def test_the_summary_names_a_failed_step_beside_the_blocking_findings():
    instance, run_id = _failed_run_with_findings_and_a_broken_render()
    summary = failure_summary(instance, run_id)
    assert summary.splitlines() == [
        "data-quality errors block the month (nothing was published):",
        "raw.projects 2026-09: project_id must be unique — 2 row(s)",
        "other failed steps:",
        "steering_pack: RuntimeError: WeasyPrint died",
    ]
    assert blocked_months(instance, run_id) == {
        dt.date(2026, 9, 1): ["raw.projects: project_id must be unique — 2 row(s)"]
    }
    # the check's own step failure only repeats the findings: it is left out beside them, kept without them
    assert failed_steps(instance, run_id) == ["steering_pack: RuntimeError: WeasyPrint died"]
    assert len(failed_steps(instance, run_id, besides_checks=False)) == 2


SEP, OCT, NOV = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def test_a_range_names_its_blocked_month_and_a_later_run_that_failed_otherwise(monkeypatch):
    """September is blocked; October..November then run on their own and their render fails: both are told, and
    neither October nor November counts as published."""
    calls = []

    def fake_run_months(settings, months, on_progress=None, job_name=None, extra_tags=None):
        calls.append(list(months))
        if len(calls) == 1:
            raise runner.RunFailed("data-quality errors ...", {SEP: ["raw.projects: bad rows — 2 row(s)"]})
        raise runner.RunFailed("steering_pack: WeasyPrint died")

    monkeypatch.setattr(isolation, "run_months", fake_run_months)
    monkeypatch.setattr(isolation, "_draft", lambda settings, month, findings: f"a draft of {month:%Y-%m}")
    with pytest.raises(isolation.MonthsBlocked) as error:
        isolation.run_each_month_on_its_own(None, [SEP, OCT, NOV])
    assert calls == [[SEP, OCT, NOV], [OCT, NOV]]
    assert error.value.published == [] and list(error.value.blocked) == [SEP]
    assert error.value.failed == ["2026-10..2026-11: steering_pack: WeasyPrint died"]
    assert str(error.value).splitlines() == [
        "1 month(s) blocked by the quality gate (nothing of them was published; each keeps its previous pack):",
        "2026-09:",
        "  raw.projects: bad rows — 2 row(s)",
        "other failures (nothing of these months was published):",
        "  2026-10..2026-11: steering_pack: WeasyPrint died",
        "a draft of 2026-09",
    ]


def test_a_later_run_with_a_blocked_month_and_a_failed_render_names_both(monkeypatch):
    def fake_run_months(settings, months, on_progress=None, job_name=None, extra_tags=None):
        if len(months) == 3:
            raise runner.RunFailed("...", {SEP: ["raw.projects: bad rows — 2 row(s)"]})
        raise runner.RunFailed(
            "...", {OCT: ["raw.raid: bad dates — 1 row(s)"]}, ["steerpack_dbt_models: dbt build failed"]
        )

    monkeypatch.setattr(isolation, "run_months", fake_run_months)
    monkeypatch.setattr(isolation, "_draft", lambda settings, month, findings: f"a draft of {month:%Y-%m}")
    with pytest.raises(isolation.MonthsBlocked) as error:
        isolation.run_each_month_on_its_own(None, [SEP, OCT, NOV])
    assert sorted(error.value.blocked) == [SEP, OCT]
    assert error.value.failed == ["2026-10..2026-11: steerpack_dbt_models: dbt build failed"]
