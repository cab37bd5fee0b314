"""Small builders for hand-made test inputs."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import yaml
from openpyxl import Workbook

from pipelines.sources.register import SHEETS

D = dt.date


def write_sheets(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write a workbook whose sheets are given literally: the first row of each list is the header."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text typed with a leading apostrophe, not a formula
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def register_header(sheet: str) -> list[str]:
    return [column for column, _, _ in SHEETS[sheet][1]]


def tiny_register_sheets(reported_alpha: str = "Green") -> dict[str, list[list]]:
    """Two projects, one sponsor-scoped recipient and one portfolio recipient; values chosen by hand."""
    return {
        "Projects": [
            register_header("Projects"),
            ["ALPHA", "Alpha Billing", 1, "Ann Sponsor", "Pat Manager", reported_alpha, "Execution", 120000,
             "USD", D(2026, 1, 5), D(2026, 12, 18), D(2026, 11, 2), None, "jira", "ALP", "WBS-A", "Billing"],
            ["BETA", "Beta CRM", 3, "Bob Sponsor", "Quinn Manager", "amber", "Planning", "80,000.50",
             "usd", D(2026, 3, 2), D(2027, 2, 26), D(2027, 2, 1), None, "ms_project", "beta_plan", "WBS-B", "CRM"],
        ],
        "Milestones": [
            register_header("Milestones"),
            ["ALPHA", "Design approved", D(2026, 4, 30), D(2026, 5, 15), D(2026, 5, 14)],
        ],
        "Benefits": [
            register_header("Benefits"),
            ["B1", "ALPHA", "Lower billing cost", "Ann Sponsor", "Cost per invoice", 2.5, 1.8, D(2027, 6, 30),
             D(2026, 10, 1)],
        ],
        "RAID": [
            register_header("RAID"),
            ["R1", "ALPHA", "Risk", "Vendor late", "Pat Manager", "High", "Open", D(2026, 2, 1), D(2026, 10, 28),
             D(2026, 11, 15)],
        ],
        "Changes": [
            register_header("Changes"),
            ["CR1", "BETA", "Add reporting", D(2026, 9, 1), D(2026, 9, 15), "Approved", 5000, 10],
        ],
        "Distribution": [
            register_header("Distribution"),
            ["Head.PMO@example.com", "Head of PMO", "PMO", "portfolio"],
            ["bob@example.com", "Bob Sponsor", "Sponsor", "BETA"],
        ],
    }


def write_config(folder: Path, **overrides) -> Path:
    """A steerpack.yaml in `folder` with relative paths, so path resolution is exercised too."""
    config = {"first_month": "2024-01", "inbox": "./inbox", "warehouse": "./warehouse/steerpack.duckdb",
              "output": "./output", **overrides}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "steerpack.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def run_logged(command: list[str], folder: Path, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """Run a steerpack command with its output in files, not pipes.

    Dagster mirrors a run's stdout through `tail -F` helpers that can outlive the process for a moment; with
    pipes, waiting for their end-of-file would wait for those helpers too.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with out.open("w", encoding="utf-8") as stdout, err.open("w", encoding="utf-8") as stderr:
        process = subprocess.run(command, stdout=stdout, stderr=stderr, timeout=timeout, **kwargs)
    return subprocess.CompletedProcess(command, process.returncode, out.read_text(encoding="utf-8"),
                                       err.read_text(encoding="utf-8"))


def start_logged(command: list[str], folder: Path, **kwargs) -> tuple[subprocess.Popen, Path, Path]:
    """`run_logged` without waiting: the process, and the files its output goes to."""
    folder.mkdir(parents=True, exist_ok=True)
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with out.open("w", encoding="utf-8") as stdout, err.open("w", encoding="utf-8") as stderr:
        return subprocess.Popen(command, stdout=stdout, stderr=stderr, **kwargs), out, err
