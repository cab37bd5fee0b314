"""Great Expectations on a pandas frame, in an ephemeral context with its analytics and progress bars off."""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any

import pandas as pd

from pipelines.core.quality.findings import ERROR, EXAMPLES, Finding, example_row


def quiet_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


@cache
def _gx_context():
    quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def as_checked(frame: pd.DataFrame) -> pd.DataFrame:
    # Dates compare as ISO text in GX suites (GX 1.x with pandas 3 compares datetime columns badly).
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d").where(frame[column].notna(), None)
    return frame


def gx_findings(table: str, gx_suite: Any, frame: pd.DataFrame) -> list[Finding]:
    if not gx_suite.expectations:
        return []
    context = _gx_context()
    name = f"steerpack_{table}"
    try:
        source = context.data_sources.get(name)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(name)
    try:
        asset = source.get_asset(table)
    except LookupError:
        asset = source.add_dataframe_asset(table)
    try:
        definition = asset.get_batch_definition("rows")
    except (KeyError, ValueError):
        definition = asset.add_batch_definition_whole_dataframe("rows")
    result = definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        gx_suite, result_format={"result_format": "COMPLETE", "partial_unexpected_count": EXAMPLES}
    )
    findings = []
    # GX does not keep the suite's order in its results: each result's own config carries its severity
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        severity = (config.meta or {}).get("severity", ERROR)
        kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
        rule = f"{config.type}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            findings.append(
                Finding(
                    table,
                    rule,
                    severity,
                    len(frame),
                    f"could not be evaluated: {outcome.exception_info['exception_message']}",
                )
            )
            continue
        indexes = outcome.result.get("unexpected_index_list") or []
        examples = [example_row(frame, i) for i in indexes[:EXAMPLES] if isinstance(i, int) and i < len(frame)]
        count = outcome.result.get("unexpected_count")
        findings.append(
            Finding(
                table,
                rule,
                severity,
                int(count if count is not None else len(frame)),
                config.meta.get("description", "") if config.meta else "",
                examples,
            )
        )
    return findings
