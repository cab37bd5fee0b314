"""The KPI framework's catalog (DESIGN §5a): which KPIs exist, which way each is good and what a target for it
may be. The catalog is the dbt project's reference data (dbt_project.yml's `kpi_catalog` var, which the
scorecard mart reads); steerpack.yaml's `kpi_targets` is validated against it, so a KPI is named in one place.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import yaml

from pipelines import REPO_ROOT

DBT_PROJECT_FILE = REPO_ROOT / "dbt_project" / "dbt_project.yml"

# The scorecard's tiers: a project's tier, and the portfolio row's own targets.
TARGET_TIERS = ("1", "2", "3", "portfolio")

# The values a KPI of each unit can take at all: a target outside them could never be met (or never missed).
UNIT_RANGES: dict[str, tuple[float | None, float | None]] = {
    "share": (0.0, 1.0),
    "days": (0.0, None),
    "ratio": (0.0, None),
    "score": (1.0, 5.0),
    "score_change": (-4.0, 4.0),
}


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    better: Literal["higher", "lower"]
    unit: str
    # the default targets; None for the variances, whose defaults are the tier's rag_thresholds
    met: float | None
    near: float | None
    inputs: str

    def possible(self) -> tuple[float | None, float | None]:
        """The lowest and highest value the KPI can take (None: unbounded). A lower-is-better share (cost or
        schedule variance, scope churn) can pass 1: only its floor holds."""
        low, high = UNIT_RANGES[self.unit]
        if self.unit == "share" and self.better == "lower":
            return (None if self.name in {"schedule_variance", "cost_variance"} else low), None
        return low, high


@functools.cache
def kpi_catalog() -> dict[str, Kpi]:
    """The catalog by KPI name, in the order of DESIGN §5a."""
    project = yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))
    return {
        name: Kpi(
            name=name,
            label=entry["label"],
            better=entry["better"],
            unit=entry["unit"],
            met=entry["met"],
            near=entry["near"],
            inputs=entry["inputs"],
        )
        for name, entry in project["vars"]["kpi_catalog"].items()
    }
