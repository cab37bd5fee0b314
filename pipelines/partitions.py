"""The monthly partitions: one per reporting month, key `YYYY-MM-01`, starting at `first_month` of the config."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg


def monthly_partitions_for(first_month: dt.date) -> dg.MonthlyPartitionsDefinition:
    """Built from the loaded settings (`build_definitions`), never at import: `--config` decides the first month."""
    return dg.MonthlyPartitionsDefinition(start_date=first_month.strftime("%Y-%m-%d"))


def partition_key(month: dt.date) -> str:
    return month.strftime("%Y-%m-01")


def month_of(key: str) -> dt.date:
    """`2026-10-01` -> date(2026, 10, 1)."""
    return dt.date.fromisoformat(key).replace(day=1)


def months_of(keys: Sequence[str]) -> list[dt.date]:
    return sorted(month_of(key) for key in keys)


def parse_month_arg(text: str) -> dt.date:
    """The CLI's `YYYY-MM` (a full `YYYY-MM-DD` is accepted too) as the first day of that month."""
    text = text.strip()
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01")
        return dt.date.fromisoformat(text).replace(day=1)
    except ValueError:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}") from None


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months
