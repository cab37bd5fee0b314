"""The monthly build in two dbt phases around the forecast step (DESIGN §5b): first every model but those that
read the step's output (`source:forecast+`: the forecast marts and the narrative), then the step, then those.
Plain functions on a dbt command line: no Dagster, no dbt.

The Monte Carlo runs in Python through the warehouse connection (pipelines.core.warehouse.forecasts), so dbt
cannot order it among its models; the two phases do, inside one run and on one candidate copy, so the marts are
published together or not at all.
"""

from __future__ import annotations

# The models that read what the forecast step writes, and everything downstream of them.
AFTER_FORECAST = "source:forecast+"


def before_forecast(args: list[str]) -> list[str]:
    """`args` (a dbt command line) without the models that read the forecast step's output."""
    return [*args, "--exclude", AFTER_FORECAST]


def after_forecast(args: list[str]) -> list[str]:
    """`args` selecting only the models that read the forecast step's output, of those `args` selected: each
    `--select` item (dagster-dbt's selection of the run's assets, or everything when there is none) intersected
    with them, dbt's `a,b`."""
    result: list[str] = []
    selected: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("--select", "-s", "--models", "-m") and index + 1 < len(args):
            selected += args[index + 1].split()
            index += 2
            continue
        if arg.startswith("--select="):
            selected += arg.split("=", 1)[1].split()
        else:
            result.append(arg)
        index += 1
    items = [f"{item},{AFTER_FORECAST}" for item in selected if item != "fqn:*"] or [AFTER_FORECAST]
    if "fqn:*" in selected:
        items = [AFTER_FORECAST]
    return [*result, "--select", " ".join(items)]
