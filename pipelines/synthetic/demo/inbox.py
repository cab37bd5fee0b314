"""The driver: every demo month's drop written into the inbox, as a PMO's inbox would receive them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from pipelines.synthetic.demo.finance import write_finance
from pipelines.synthetic.demo.incidents import write_incidents
from pipelines.synthetic.demo.plans import write_plans
from pipelines.synthetic.demo.portfolio import demo_months
from pipelines.synthetic.demo.register import register_rows, write_register

DEMO_MARKER = ".steerpack-demo"


def write_demo_inbox(inbox: Path) -> list[dt.date]:
    """Write every demo month's drop into `inbox` (replacing an earlier demo inbox, never a real one)."""
    if inbox.exists() and any(inbox.iterdir()) and not (inbox / DEMO_MARKER).exists():
        raise FileExistsError(f"{inbox} holds files that the demo did not write; point 'inbox' elsewhere for the demo")
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    (inbox / DEMO_MARKER).write_text("written by `steerpack demo`; safe to delete\n", encoding="utf-8")
    months = demo_months()
    for month in months:
        write_register(inbox / f"{month:%Y-%m}" / "register" / "portfolio.xlsx", register_rows(month))
        write_plans(inbox, month)
        write_finance(inbox, month)
        write_incidents(inbox, month)
    return months
