"""Finance extracts: the generic AP line-item CSV, SAP's CJI3 list (`;`, decimal commas, trailing minus) and
the FX rates file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class SpendLine:
    document_id: str
    line_no: int
    posting_date: dt.date
    project_code: str
    amount: float
    currency: str
    supplier: str
    description: str
    cost_type: str


def write_generic_spend_csv(path: Path, lines: list[SpendLine]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "document_id",
            "line_no",
            "posting_date",
            "project_code",
            "amount",
            "currency",
            "supplier",
            "description",
            "cost_type",
        ]
    )
    for line in lines:
        writer.writerow(
            [
                line.document_id,
                line.line_no,
                line.posting_date.isoformat(),
                line.project_code,
                f"{line.amount:.2f}",
                line.currency,
                line.supplier,
                line.description,
                line.cost_type,
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _sap_number(amount: float) -> str:
    """SAP's German-locale list output: `1.234,56`, negatives with a trailing minus `1.234,56-`."""
    text = f"{abs(amount):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return text + ("-" if amount < 0 else "")


def write_sap_cji3_csv(path: Path, lines: list[SpendLine]) -> Path:
    """A CJI3 line-item list saved as a spreadsheet: `;`-separated, decimal commas, dd.mm.yyyy, Latin-1 safe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "WBS Element",
            "Posting Date",
            "Document Number",
            "Posting row",
            "Cost Element",
            "Value TranCurr",
            "Transaction Currency",
            "Name",
            "Name of offsetting account",
        ]
    )
    for line in lines:
        writer.writerow(
            [
                line.project_code,
                line.posting_date.strftime("%d.%m.%Y"),
                line.document_id,
                line.line_no,
                line.cost_type,
                _sap_number(line.amount),
                line.currency,
                line.supplier,
                line.description,
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_fx_rates_csv(path: Path, rates: list[tuple[dt.date, str, float]]) -> Path:
    lines = ["month,currency,rate_to_base"] + [f"{m:%Y-%m},{c},{r:.4f}" for m, c, r in rates]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
