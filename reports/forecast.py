"""How the pack says a project's finish forecast (fct_forecast_month, DESIGN §5b) and its status narrative
(fct_status_narrative_month, §5c) in words: the same phrases on the executive page, the project page, the mail and
the workbook. Formatting only: every number and date is the marts'."""

from __future__ import annotations

import datetime as dt
from typing import Any

NARRATIVE_SECTIONS = ("changed", "next", "decision")  # the order a narrative reads in
SECTION_LABELS = {"changed": "What changed", "next": "What is next", "decision": "Decision needed"}
METHOD_LABELS = {
    "throughput": "Monte Carlo over weekly throughput",
    "earned_schedule": "Monte Carlo over earned schedule",
}
FORECAST_HISTORY_MONTHS = 6  # the P85 line beside the distribution: how the forecast moved over these months


def date_text(value: dt.date | None) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def chance_text(value: float | None) -> str:
    """A probability (a fraction) as a whole percent: 0.85 -> "85 %"; "—" when there is none. As the narrative
    spells it (fct_status_narrative_month): what is merely unlikely or likely never reads "0 %" or "100 %"."""
    if value is None:
        return "—"
    percent = round(value * 100)
    if value > 0 and percent < 1:
        return "<1 %"
    if value < 1 and percent > 99:
        return ">99 %"
    return f"{percent:.0f} %"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def history_text(forecast: dict[str, Any] | None) -> str:
    """What the forecast sampled: "12 weeks of throughput", "5 months of earned-schedule rate"; "—" without."""
    if not forecast:
        return "—"
    if forecast.get("method") == "throughput" and forecast.get("history_weeks") is not None:
        return f"{_plural(forecast['history_weeks'], 'week')} of throughput"
    if forecast.get("method") == "earned_schedule" and forecast.get("history_months") is not None:
        return f"{_plural(forecast['history_months'], 'month')} of earned-schedule rate"
    return "—"


def no_forecast_reason(forecast: dict[str, Any] | None) -> str | None:
    """Why a project has no P85 to show (None when it has one): the mart's status_reason, else its status."""
    if forecast is None:
        return "no forecast this month"
    if forecast.get("forecast_status") == "complete":
        return "the project is complete"
    if forecast.get("forecast_status") == "ok" and forecast.get("p85_finish") is not None:
        return None
    return forecast.get("status_reason") or forecast.get("forecast_status") or "no forecast"


def p85_cell(forecast: dict[str, Any] | None) -> dict[str, str | None]:
    """The executive table's "P85 finish" cell: {"text", "title"} — a date, "complete", or "—" titled with why."""
    if forecast is not None and forecast.get("forecast_status") == "complete":
        return {"text": "complete", "title": forecast.get("status_reason")}
    reason = no_forecast_reason(forecast)
    if reason is None:
        return {"text": date_text(forecast["p85_finish"]), "title": None}
    return {"text": "—", "title": reason}


def narrative_sentences(rows: list[dict[str, Any]], sections: tuple[str, ...] = NARRATIVE_SECTIONS) -> list[str]:
    """The sentences of `rows` (fct_status_narrative_month), sections in reading order, each by sentence_no."""
    order = {section: index for index, section in enumerate(NARRATIVE_SECTIONS)}
    kept = [row for row in rows if row.get("section") in sections and row.get("sentence")]
    kept.sort(key=lambda row: (order.get(row["section"], len(order)), row.get("sentence_no") or 0))
    return [row["sentence"] for row in kept]


def narrative_by_section(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{"section", "label", "sentences"}] in reading order, sections without a sentence left out."""
    grouped = []
    for section in NARRATIVE_SECTIONS:
        sentences = narrative_sentences(rows, (section,))
        if sentences:
            grouped.append({"section": section, "label": SECTION_LABELS[section], "sentences": sentences})
    return grouped


def forecast_view(forecast: dict[str, Any] | None) -> dict[str, Any] | None:
    """The project page's forecast block: the mart's row with its words ready to print."""
    if forecast is None:
        return None
    return {
        **forecast,
        "has_forecast": no_forecast_reason(forecast) is None
        or (forecast.get("forecast_status") == "ok" and forecast.get("p50_finish") is not None),
        "reason": no_forecast_reason(forecast),
        "method_label": METHOD_LABELS.get(forecast.get("method"), forecast.get("method") or "—"),
        "history": history_text(forecast),
        "chance_baseline": chance_text(forecast.get("prob_by_baseline_finish")),
        "chance_go_live": chance_text(forecast.get("prob_by_go_live")),
    }
