"""The jinja2 environment of every document steerpack builds (the pack, the project pages, the mail) and its
filters: dates, months, ratios, percentages, shares and money as the pack prints them."""

from __future__ import annotations

import math

import jinja2

from reports import TEMPLATES_DIR, forecast

# A grade is never colour alone (DESIGN §7): each carries its word and one of these shapes, which stay apart in
# greyscale print and for a colour-blind reader.
GRADE_SHAPES = {"Green": "●", "Amber": "▲", "Red": "■", "Unknown": "◌"}


def grade_shape(grade: str | None) -> str:
    """The shape of a grade (`●` Green, `▲` Amber, `■` Red, `◌` Unknown); empty for no grade."""
    return GRADE_SHAPES.get(grade or "", "")


def grade_text(grade: str | None) -> str:
    """A grade as the pack prints it: shape and word (`■ Red`); "—" where there is no grade."""
    return f"{GRADE_SHAPES[grade]} {grade}" if grade in GRADE_SHAPES else (grade or "—")


def ratio_text(value: float | None) -> str:
    """An index to two decimals; "—" where it means nothing (none, NaN, infinite), and never "-0.00"."""
    if not _finite(value):
        return "—"
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def signed_percent_text(value: float | None) -> str:
    """A share as a signed percentage to one decimal (`+14.2%`, `-2.4%`); `0.0%` for what rounds to nothing (never
    "-0.0%"); "—" where it means nothing."""
    if not _finite(value):
        return "—"
    text = f"{value:+.1%}"
    return "0.0%" if text in ("+0.0%", "-0.0%") else text


def signed_days_text(days: float | None) -> str:
    """A slip in whole days with its sign: "+3 d", "−2 d" (a minus sign), "0 d", "—"."""
    if not _finite(days):
        return "—"
    days = round(days)
    return f"+{days} d" if days > 0 else (f"−{-days} d" if days < 0 else "0 d")


def money_text(value: float | None) -> str:
    """Money in whole units with thousands separators; "—" where there is none (never "-0")."""
    if not _finite(value):
        return "—"
    text = f"{value:,.0f}"
    return "0" if text == "-0" else text


def _finite(value: float | None) -> bool:
    """A number worth printing: not none, NaN or infinite (those print "—", never "nan")."""
    return value is not None and math.isfinite(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # HTML templates escape everything; plain-text templates (*.txt.j2) must not turn & into &amp;.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = lambda value: value.strftime("%d %b %Y") if value else "—"
    env.filters["month_name"] = lambda value: value.strftime("%B %Y")
    env.filters["ratio"] = ratio_text
    # one decimal: the graded percentages (cost_overrun_pct, schedule_slip_pct) are graded on values rounded to
    # 0.01 %, so a Green +5.0% and an Amber +5.4% must not both read "+5%" (the pack says so beside them)
    env.filters["percent"] = signed_percent_text
    env.filters["share"] = lambda value: "—" if not _finite(value) else f"{value:.0%}"
    env.filters["money"] = money_text
    env.filters["signed_days"] = signed_days_text
    env.filters["grade"] = grade_text
    env.filters["grade_shape"] = grade_shape
    # the forecast's and the narrative's words (reports/forecast.py), the same in the pack, the pages and the mail
    env.globals.update(
        p85_cell=forecast.p85_cell,
        chance=forecast.chance_text,
        narrative_sentences=forecast.narrative_sentences,
        narrative_by_section=forecast.narrative_by_section,
        forecast_view=forecast.forecast_view,
    )
    return env


ENVIRONMENT = _environment()
