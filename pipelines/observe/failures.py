"""Why a Dagster run failed, in words a PMO analyst can act on: the blocking checks' findings, else the step errors.

Used by the runner, whose errors the CLI prints, and by the run-failure sensor (emailed to the PMO operations address).
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from pipelines.core.quality.findings import example_in_words
from pipelines.core.text import printable

# Exceptions whose message already names the file, sheet and column: their module path adds nothing.
USER_ERRORS = {"SourceFormatError", "InboxError", "ConfigError", "DeliveryError", "Failure"}


def _blocking_findings(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str, str]]:
    """(month YYYY-MM, table, sentence) for each error finding of the run's failed data-quality checks."""
    found = []
    for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = event.dagster_event.event_specific_data
        if evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR:
            continue
        table = evaluation.asset_key.to_user_string().replace("/", ".")
        findings = evaluation.metadata.get("findings")
        for finding in findings.value if findings else []:
            if finding["severity"] != "error":
                continue
            example = f"; e.g. {example_in_words(finding['examples'][0])}" if finding["examples"] else ""
            sentence = f"{finding['description'] or finding['rule']} — {finding['failed_rows']} row(s){example}"
            # one line whatever the file names and cells in it hold: it is printed and e-mailed
            found.append((finding["month"], table, printable(sentence)))
    return found


def _failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """What each blocking data-quality check found, in words a PMO analyst can act on."""
    return [f"{table} {month}: {sentence}" for month, table, sentence in _blocking_findings(instance, run_id)]


def blocked_months(instance: dg.DagsterInstance, run_id: str) -> dict[dt.date, list[str]]:
    """The months whose quality gate failed in the run (their first day; the findings say YYYY-MM), each with
    its blocking findings as sentences."""
    months: dict[dt.date, list[str]] = {}
    for month, table, sentence in _blocking_findings(instance, run_id):
        months.setdefault(dt.date.fromisoformat(f"{month}-01"), []).append(f"{table}: {sentence}")
    return months


# What Dagster raises in a blocking check's step once the check failed: the check's findings say it better.
BLOCKING_CHECK_FAILED = "DagsterAssetCheckFailedError"


def failure_summary(instance: dg.DagsterInstance, run_id: str) -> str:
    """The blocking data-quality findings, if any, and every other failed step of the run (a dbt or render
    failure beside the findings is named too)."""
    checks = _failed_checks(instance, run_id)
    steps = failed_steps(instance, run_id, besides_checks=bool(checks))
    if checks:
        summary = "data-quality errors block the month (nothing was published):\n" + "\n".join(checks)
        return summary + ("\nother failed steps:\n" + "\n".join(steps) if steps else "")
    return "\n".join(steps) or f"run {run_id} failed"


def failed_steps(instance: dg.DagsterInstance, run_id: str, besides_checks: bool = True) -> list[str]:
    """`step: error` for each failed step of the run; with `besides_checks`, not the blocking checks' own steps
    (whose failure only repeats that the findings block the month)."""
    messages = []
    for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        error = event.dagster_event.step_failure_data.error
        # The user's exception is the innermost cause; Dagster wraps it in its own.
        while error is not None and error.cause is not None:
            error = error.cause
        if besides_checks and error is not None and error.cls_name == BLOCKING_CHECK_FAILED:
            continue
        step = event.dagster_event.step_key
        text = error.message.strip() if error else "failed"
        if error is not None and error.cls_name in USER_ERRORS:
            # The message already names the file, sheet and column; the exception's module path adds nothing.
            text = text.split(": ", 1)[-1]
        messages.append(printable(f"{step}: {text}"))
    return messages
