"""The finance drop: the AP extract and SAP's CJI3 list of each month's postings, and the FX rates."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from pipelines.partitions import months_between
from pipelines.synthetic.demo.portfolio import (
    DEMO_FIRST_MONTH,
    PROJECTS,
    D,
    DemoProject,
    add_days,
    month_end,
    previous_month,
)
from pipelines.synthetic.exports import SpendLine, write_fx_rates_csv, write_generic_spend_csv, write_sap_cji3_csv

SUPPLIERS = ["Accenture", "Capgemini", "AWS EMEA", "Contractor payroll", "Microsoft Ireland", "Deloitte"]
FX_TO_USD = {"EUR": 1.08, "GBP": 1.27}
UNMAPPED_CODE = "WBS-LEGACY-42"  # a code finance still books to, that no register project owns


def spend_lines(project: DemoProject, month: dt.date) -> list[SpendLine]:
    """The project's postings in `month`: its budget spread over its forecast duration, at its cost factor."""
    finish = add_days(project.finish, project.slip_days)
    first, last = project.start.replace(day=1), finish.replace(day=1)
    if not first <= month <= last:
        return []
    months = len(months_between(first, last))
    rng = random.Random(f"spend-{project.project_id}-{month:%Y-%m}")
    monthly = project.bac * project.cost_factor / months * rng.uniform(0.85, 1.15)
    lines = []
    for number in range(1, 4):
        day = min(month_end(month), month + dt.timedelta(days=7 * number))
        lines.append(
            SpendLine(
                document_id=f"{project.project_id}{month:%y%m}{number:02d}",
                line_no=1,
                posting_date=day,
                project_code=project.finance_code(),
                amount=round(monthly * (0.5, 0.3, 0.2)[number - 1], 2),
                currency=project.currency,
                supplier=SUPPLIERS[(number + len(project.project_id)) % len(SUPPLIERS)],
                description=f"{project.name}: {('services', 'cloud', 'licences')[number - 1]} {month:%b %Y}",
                cost_type=("External services", "Cloud", "Licences")[number - 1],
            )
        )
    if project.project_id == "CRM" and month == D(2026, 3, 1):
        # a supplier credit note for an invoice billed twice
        lines.append(
            SpendLine(
                document_id=f"CRM{month:%y%m}CN",
                line_no=1,
                posting_date=month + dt.timedelta(days=20),
                project_code=project.finance_code(),
                amount=-round(monthly * 0.2, 2),
                currency=project.currency,
                supplier="Capgemini",
                description="Credit note: duplicate invoice",
                cost_type="External services",
            )
        )
    return lines


def write_finance(inbox: Path, month: dt.date) -> list[Path]:
    """The month's finance drop. The first extract carries all history; later ones overlap the previous month."""
    if month == DEMO_FIRST_MONTH:
        covered = months_between(D(2025, 1, 1), month)
    else:
        covered = [previous_month(month), month]
    generic, sap = [], []
    for project in PROJECTS:
        for posting_month in covered:
            lines = spend_lines(project, posting_month)
            (sap if project.currency == "EUR" else generic).extend(lines)
    for posting_month in covered:
        generic.append(
            SpendLine(
                document_id=f"LEG{posting_month:%y%m}",
                line_no=1,
                posting_date=month_end(posting_month),
                project_code=UNMAPPED_CODE,
                amount=4_250.0,
                currency="USD",
                supplier="Legacy hosting Ltd",
                description="Legacy data centre rack",
                cost_type="Hosting",
            )
        )
    folder = inbox / f"{month:%Y-%m}" / "finance"
    rates = [
        (m, currency, rate * (1 + 0.004 * ((m.month % 5) - 2)))
        for m in months_between(D(2025, 1, 1), month)
        for currency, rate in FX_TO_USD.items()
    ]
    return [
        write_generic_spend_csv(folder / "ap_line_items.csv", generic),
        write_sap_cji3_csv(folder / "sap_cji3_export.csv", sap),
        write_fx_rates_csv(folder / "fx_rates.csv", rates),
    ]
