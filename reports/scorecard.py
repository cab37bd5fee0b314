"""The KPI scorecard (DESIGN §5a, §7): read from marts.fct_kpi_scorecard_month, formatted for the pack's scorecard
page, each project's page and the workbook.

Every number and status is the mart's: this module selects rows, prints values by their `kpi_unit`, says a
target in words from `better` and the targets, and gives each status its word and shape (never colour alone).
A scoped reader never sees the portfolio row (it pools other projects' inputs), only the rows of their projects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from reports.charts import sparkline_svg
from reports.data import query_rows

MART = "fct_kpi_scorecard_month"
SPARKLINE_MONTHS = 6
# A status as the pack prints it: the RAG class its colour comes from (pack.css) and its shape (DESIGN §7).
STATUS_STYLES = {
    "Met": ("Green", "●"),
    "Near": ("Amber", "▲"),
    "Missed": ("Red", "■"),
    "Not tracked": ("Unknown", "◌"),
}
_COLUMNS = """month, as_of, project_id, tier, kpi, kpi_order, kpi_label, better, kpi_unit, value, numerator,
    denominator, secondary_value, secondary_label, secondary_unit, target_met, target_near, status,
    not_tracked_reason, projects_met, projects_tracked, previous_value"""


@dataclass
class Scorecard:
    month: dt.date
    portfolio: list[dict[str, Any]] = field(default_factory=list)  # one row per KPI; empty for a scoped reader
    history: dict[str, list[tuple[dt.date, float | None]]] = field(default_factory=dict)  # kpi: the last 6 months
    projects: list[dict[str, Any]] = field(default_factory=list)  # per project and KPI, with project_name
    scoped: bool = False


def _months_back(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def load_scorecard(
    conn: duckdb.DuckDBPyConnection,
    month: dt.date,
    project_ids: set[str] | frozenset[str] | None = None,
    names: dict[str, str] | None = None,
) -> Scorecard:
    """The month's scorecard: the portfolio rows and each KPI's last 6 portfolio values (portfolio readers only),
    and the rows of every project (or of `project_ids`), named from `names` when given."""
    scorecard = Scorecard(month, scoped=project_ids is not None)
    rows = query_rows(
        conn,
        f"select {_COLUMNS} from marts.{MART} where month = ? order by kpi_order, kpi, project_id nulls first",
        [month],
    )
    if project_ids is None:
        scorecard.portfolio = [row for row in rows if row["project_id"] is None]
        for row in query_rows(
            conn,
            f"""
            select kpi, month, value from marts.{MART}
            where project_id is null and month <= ? and month > ?
            order by kpi, month""",
            [month, _months_back(month, SPARKLINE_MONTHS)],
        ):
            scorecard.history.setdefault(row["kpi"], []).append((row["month"], row["value"]))
    scorecard.projects = [
        {**row, "project_name": (names or {}).get(row["project_id"], row["project_id"])}
        for row in rows
        if row["project_id"] is not None and (project_ids is None or row["project_id"] in project_ids)
    ]
    return scorecard


def load_project_kpis(conn: duckdb.DuckDBPyConnection, month: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Each project's scorecard rows of the month, in the framework's order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in query_rows(
        conn,
        f"select {_COLUMNS} from marts.{MART} where month = ? and project_id is not null order by project_id, "
        "kpi_order, kpi",
        [month],
    ):
        grouped.setdefault(row["project_id"], []).append(row)
    return grouped


# --- formatting -------------------------------------------------------------------------------------------------


def format_value(value: float | None, unit: str | None) -> str:
    """A KPI's value as the pack prints it: share 86.7 %, days 4.5 d, ratio 1.20×, score 4.1 / 5, score change
    +0.2; '—' when there is none."""
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.1f} %"
    if unit == "days":
        return f"{value:.1f} d"
    if unit == "ratio":
        return f"{value:.2f}×"
    if unit == "score":
        return f"{value:.1f} / 5"
    if unit == "score_change":
        return _score_change(value)
    return f"{value:.2f}"


def _score_change(value: float) -> str:
    """A change of a mean survey score, to a tenth and signed: +0.2, -0.3; no change reads 0.0 (not +0.0)."""
    rounded = round(value, 1)
    return "0.0" if rounded == 0 else f"{rounded:+.1f}"


def format_secondary(value: float | None, label: str | None, unit: str | None) -> str | None:
    """A KPI's second figure with its name, as the catalog gives them: 'pass rate 95.0 %', 'overdue decisions 1',
    "this quarter's mean 4.2 / 5"; None when the KPI has none or it has no value."""
    if value is None or not label:
        return None
    if unit == "count":
        return f"{label} {value:.0f}"
    if unit == "number":
        return f"{label} {value:.2f}"
    return f"{label} {format_value(value, unit)}"


def _trimmed(number: float, decimals: int, keep: int = 0) -> str:
    """`number` with `decimals` decimals, trailing zeros dropped down to `keep` of them (90 %, 87.5 %, 1.0×)."""
    text = f"{number:.{decimals}f}"
    if "." in text:
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0").ljust(keep, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    return text


def format_target_value(value: float, unit: str | None) -> str:
    if unit == "share":
        return f"{_trimmed(value * 100, 1)} %"
    if unit == "days":
        return f"{_trimmed(value, 1)} d"
    if unit == "ratio":
        return f"{_trimmed(value, 2, keep=1)}×"
    if unit == "score":
        return f"{_trimmed(value, 1, keep=1)} / 5"
    if unit == "score_change":
        return _score_change(value)
    return _trimmed(value, 2)


def format_target(better: str | None, unit: str | None, met: float | None, near: float | None) -> str:
    """The targets in words, Met first then the edge of Near: '≥ 90 %; ≥ 80 %', '≤ 5 d; ≤ 10 d'. A share whose
    Met line is the whole (100 %) reads '100 %' (nothing can be above it)."""
    sign = "≥" if better == "higher" else "≤"

    def phrase(target: float | None, is_met: bool) -> str:
        if target is None:
            return "—"
        text = format_target_value(target, unit)
        if is_met and better == "higher" and unit == "share" and target >= 1:
            return text
        return f"{sign} {text}"

    if met is None and near is None:
        return "—"
    return f"{phrase(met, True)}; {phrase(near, False)}"


def status_view(status: str | None) -> dict[str, str]:
    """A status's word, shape and RAG class: Met ●, Near ▲, Missed ■, Not tracked ◌."""
    grade, shape = STATUS_STYLES.get(status or "Not tracked", STATUS_STYLES["Not tracked"])
    return {"word": status or "Not tracked", "shape": shape, "grade": grade}


def previous_view(value: float | None, previous: float | None, unit: str | None) -> str:
    """The move since last month as it reads at the printed precision: '▲ was 80.0 %', '▼ was …', '→ was …',
    'was …' (no value this month) or '—' (no value last month)."""
    if previous is None:
        return "—"
    was = f"was {format_value(previous, unit)}"
    if value is None:
        return was
    if format_value(value, unit) == format_value(previous, unit):
        return f"→ {was}"
    return f"{'▲' if value > previous else '▼'} {was}"


def _row_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "kpi": row["kpi"],
        "label": row["kpi_label"] or row["kpi"],
        "value": format_value(row["value"], row["kpi_unit"]),
        "target": format_target(row["better"], row["kpi_unit"], row["target_met"], row["target_near"]),
        "status": status_view(row["status"]),
        "reason": row["not_tracked_reason"] if row["status"] == "Not tracked" else None,
        "secondary": format_secondary(row["secondary_value"], row["secondary_label"], row["secondary_unit"]),
        "previous": previous_view(row["value"], row["previous_value"], row["kpi_unit"]),
    }


def _met_of(rows: list[dict[str, Any]]) -> str:
    """'2 of 3 met' over the rows with a value (Met, Near or Missed); '—' when none has one."""
    tracked = [row for row in rows if row["status"] != "Not tracked"]
    if not tracked:
        return "—"
    return f"{sum(1 for row in tracked if row['status'] == 'Met')} of {len(tracked)} met"


def scorecard_view(scorecard: Scorecard | None) -> dict[str, Any]:
    """What the pack's scorecard page prints. Portfolio readers: one row per KPI (the portfolio row: value,
    target, status, a sparkline of its last 6 months, how many projects met it, and per tier the projects that
    met it). Scoped readers: per KPI, how many of their projects met it; each project's page has its values."""
    if scorecard is None:
        return {"rows": [], "tiers": [], "scoped": False}
    tiers = sorted({row["tier"] for row in scorecard.projects if row["tier"] is not None})
    by_kpi: dict[str, list[dict[str, Any]]] = {}
    for row in scorecard.projects:
        by_kpi.setdefault(row["kpi"], []).append(row)
    views = []
    if scorecard.scoped:
        for kpi, rows in by_kpi.items():
            views.append(
                {
                    "kpi": kpi,
                    "label": rows[0]["kpi_label"] or kpi,
                    "counts": {status: sum(1 for r in rows if r["status"] == status) for status in STATUS_STYLES},
                    "met_of": _met_of(rows),
                }
            )
        return {"rows": views, "tiers": [], "scoped": True, "styles": STATUS_STYLES}
    for row in scorecard.portfolio:
        view = _row_view(row)
        history = scorecard.history.get(row["kpi"], [])
        shown = [(month, value) for month, value in history if value is not None]
        view["sparkline"] = (
            sparkline_svg(
                [value for _, value in history],
                f"{view['label']}, last {len(history)} months: "
                + ", ".join(f"{month:%b %Y} {format_value(value, row['kpi_unit'])}" for month, value in shown),
            )
            if len(shown) >= 2
            else ""
        )
        view["projects_met"] = (
            f"{row['projects_met']} of {row['projects_tracked']} projects met" if row["projects_tracked"] else "—"
        )
        rows = by_kpi.get(row["kpi"], [])
        view["tiers"] = {tier: _met_of([r for r in rows if r["tier"] == tier]) for tier in tiers}
        views.append(view)
    return {"rows": views, "tiers": tiers, "scoped": False}


def project_kpi_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A project's KPI table: value, its tier's target, status word and shape, the move since last month and,
    when Not tracked, why."""
    return [_row_view(row) for row in rows]
