"""The steering committee's slide deck, `steering-pack-YYYY-MM.pptx` (DESIGN §7), built with python-pptx.

Formatting only: the deck is drawn from the same PackData (reports.data.load_pack_data) and ProjectPage list
(load_project_pages) the HTML pack is rendered from, so every grade and number is the marts'. Slides, 16:9:

1. Title: the month, data as of, the counts by grade (word and shape), the scope of a scoped deck.
2. The executive page: the headline (the portfolio narrative; a scoped deck has none, so its counts), a native table
   of the projects not Green first (at most EXECUTIVE_ROWS, then a row saying how many more), decisions needed.
3. Trends: CPI/SPI and the portfolio S-curve as native (editable) charts. A scoped reader has no portfolio trend
   (PackData.trend is empty: it totals other projects' money), so a scoped deck has no trend slide; its readers
   find their projects' history on their project slides' EVM line and in their pack.
4. One slide per Red or Amber project (Red, then Amber, then project_id), at most PROJECT_SLIDES_CAP; the last says
   how many more are in the pack.
5. The KPI scorecard, when the month has one.

`deck_slide_count` is the slide-count rule. The bytes are deterministic: the core properties and every zip entry's
time come from the month, so the same marts give the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Emu, Inches, Pt

from reports.data import PackData, ProjectPage
from reports.forecast import narrative_sentences
from reports.render import s_curve_series
from reports.scorecard import scorecard_view
from reports.templating import (
    GRADE_SHAPES,
    grade_text,
    money_text,
    ratio_text,
    signed_days_text,
    signed_percent_text,
)

PROJECT_SLIDES_CAP = 40  # a 2,000-project portfolio's deck stays one a committee can walk through
EXECUTIVE_ROWS = 14  # the executive table's projects; the rest are in the pack
DECISION_LINES = 5
RAID_LINES = 5
# WCAG-AA contrast on white: the grade's colour for its text (its word and shape carry it too)
GRADE_COLOURS = {"Red": "B3261E", "Amber": "8A4B00", "Green": "1E7B34", "Unknown": "5F6B76"}
GRADE_ORDER = {"Red": 0, "Amber": 1, "Unknown": 2, "Green": 3}
SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 in, 16:9
MARGIN = Inches(0.5)
BLANK_LAYOUT = 6
DASH = "—"


def deck_slide_count(red_or_amber: int, with_trend: bool, with_scorecard: bool) -> int:
    """How many slides a deck has: title, executive page, the trend slide (portfolio decks), one per Red or Amber
    project up to PROJECT_SLIDES_CAP, and the scorecard when there is one."""
    return 2 + int(with_trend) + min(red_or_amber, PROJECT_SLIDES_CAP) + int(with_scorecard)


# --- numbers as the pack prints them (reports.templating): "—" for a number that means nothing, never "-0.00"


def _chart_value(value: Any) -> float | None:
    """A chart point: a finite number, or a gap (None, NaN and inf draw nothing rather than a spike)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def date_text(value: dt.date | None) -> str:
    return DASH if value is None else f"{value.day} {value:%b %Y}"


# --- drawing


def _text_box(slide, left, top, width, height, lines: list[str | tuple[str, str | None]], size: int = 14) -> None:
    """A text box of paragraphs; a line is its text, or (text, grade) to colour it by its grade."""
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        text, grade = line if isinstance(line, tuple) else (line, None)
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        if grade in GRADE_COLOURS:
            run.font.color.rgb = RGBColor.from_string(GRADE_COLOURS[grade])


def _title(slide, text: str) -> None:
    _text_box(slide, MARGIN, Inches(0.3), SLIDE_WIDTH - 2 * MARGIN, Inches(0.7), [text], size=24)


def _table(slide, top, height, header: list[str], rows: list[list[tuple[str, str | None]]], size: int = 10):
    """A native table: a header row and rows of (text, grade) cells, a graded cell's text in its grade's colour."""
    shape = slide.shapes.add_table(len(rows) + 1, len(header), MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, height)
    table = shape.table
    for column, text in enumerate(header):
        _cell(table.cell(0, column), text, None, size)
    for row_index, row in enumerate(rows, start=1):
        for column, (text, grade) in enumerate(row):
            _cell(table.cell(row_index, column), text, grade, size)
    return table


def _cell(cell, text: str, grade: str | None, size: int) -> None:
    cell.text = text
    for paragraph in cell.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)
            if grade in GRADE_COLOURS:
                run.font.color.rgb = RGBColor.from_string(GRADE_COLOURS[grade])


def _line_chart(slide, left, top, width, height, title: str, months: list[str], series: dict[str, list]) -> None:
    chart_data = CategoryChartData()
    chart_data.categories = months
    for name, values in series.items():
        chart_data.add_series(name, [_chart_value(value) for value in values])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, left, top, width, height, chart_data).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False


# --- slides


def _counts_line(data: PackData) -> str:
    counts = data.status_counts or {}
    total = sum(counts.get(grade) or 0 for grade in GRADE_SHAPES)
    parts = [f"{counts.get(grade) or 0} {grade_text(grade)}" for grade in ("Red", "Amber", "Green", "Unknown")]
    return f"{total} project{'s' if total != 1 else ''} · " + " · ".join(parts)


def _scope_label(data: PackData) -> str | None:
    return None if data.scope is None else "For " + ", ".join(sorted(data.scope))


def _title_slide(deck, data: PackData) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    lines: list[str | tuple[str, str | None]] = [f"Data as of {date_text(data.as_of)}", _counts_line(data)]
    if _scope_label(data):
        lines.append(_scope_label(data))
    _text_box(
        slide, MARGIN, Inches(2.2), SLIDE_WIDTH - 2 * MARGIN, Inches(1.2), [f"{_deck_title(data.month)}"], size=36
    )
    _text_box(slide, MARGIN, Inches(3.6), SLIDE_WIDTH - 2 * MARGIN, Inches(2.0), lines, size=20)


def _deck_title(month: dt.date) -> str:
    return f"Portfolio steering pack — {month:%B %Y}"


def _graded(grade: str | None) -> tuple[str, str | None]:
    return grade_text(grade), grade


def _not_green_first(projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(projects, key=lambda project: GRADE_ORDER.get(project.get("rag_overall"), 2))


def _decision_lines(data: PackData) -> list[str]:
    lines = [
        f"{row['project_name']}: overdue {row['raid_type'] or 'RAID'} {row['raid_id']} “{row['raid_title']}” — "
        f"{row['raid_owner'] or 'no owner'}, due {date_text(row['due_date'])}"
        for row in data.overdue_raid
    ]
    lines += [
        f"{row['project_name']}: decision {row['decision_id']} “{row['decision_title']}” — "
        f"{row['decision_owner'] or 'no owner'}, needed by {date_text(row['needed_by_date'])}"
        for row in data.overdue_decisions
    ]
    lines += [
        f"{row['project_name']}: change request {row['cr_id']} “{row['cr_title']}” pending "
        f"{'—' if row['days_pending'] is None else row['days_pending']} days"
        for row in data.pending_changes
    ]
    if len(lines) > DECISION_LINES:
        return lines[:DECISION_LINES] + [f"and {len(lines) - DECISION_LINES} more (all in the pack)"]
    return lines or ["None this month."]


def _executive_slide(deck, data: PackData) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    _title(slide, f"{_deck_title(data.month)} — executive summary")
    headline = narrative_sentences(data.narrative) or [_counts_line(data)]
    _text_box(slide, MARGIN, Inches(1.0), SLIDE_WIDTH - 2 * MARGIN, Inches(0.9), [" ".join(headline)], size=13)
    projects = _not_green_first(data.projects)
    rows = [
        [
            (project["project_name"] or project["project_id"], None),
            ("—" if project.get("tier") is None else str(project["tier"]), None),
            _graded(project.get("reported_status")),
            _graded(project.get("rag_schedule")),
            _graded(project.get("rag_cost")),
            _graded(project.get("rag_benefits")),
            _graded(project.get("rag_incidents")),
            _graded(project.get("rag_overall")),
            (signed_percent_text(project.get("cost_overrun_pct")), None),
            (signed_days_text(project.get("slip_days")), None),
        ]
        for project in projects[:EXECUTIVE_ROWS]
    ]
    if len(projects) > EXECUTIVE_ROWS:
        rows.append([(f"… and {len(projects) - EXECUTIVE_ROWS} more (all in the pack)", None)] + [("", None)] * 9)
    header = ["Project", "Tier", "Reported", "Schedule", "Cost", "Benefits", "Incidents", "Overall"]
    header += ["EAC vs BAC", "Finish slip"]
    _table(slide, Inches(1.9), Emu(Inches(0.26) * (len(rows) + 1)), header, rows, size=9)
    decisions = _decision_lines(data)
    _text_box(
        slide, MARGIN, Inches(6.15), SLIDE_WIDTH - 2 * MARGIN, Inches(1.2), ["Decisions needed:"] + decisions, size=9
    )


def _trend_slide(deck, data: PackData) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    _title(slide, "Cost and schedule trends")
    months = [f"{row['month']:%Y-%m}" for row in data.trend]
    half = (SLIDE_WIDTH - 3 * MARGIN) // 2
    cpi_spi = {
        "CPI": [row["portfolio_cpi"] for row in data.trend],
        "SPI": [row["portfolio_spi"] for row in data.trend],
    }
    _line_chart(slide, MARGIN, Inches(1.2), half, Inches(5.6), "Portfolio CPI and SPI", months, cpi_spi)
    s_curve = {name: [value for _, value in points] for name, points in s_curve_series(data.trend).items()}
    _line_chart(
        slide, MARGIN * 2 + half, Inches(1.2), half, Inches(5.6), "Portfolio S-curve (PV, EV, AC)", months, s_curve
    )


def red_amber_pages(data: PackData, pages: list[ProjectPage]) -> list[ProjectPage]:
    """The pages of the deck's Red and Amber projects, Red first, then Amber, each by project_id."""
    in_pack = {project["project_id"] for project in data.projects}
    chosen = [
        page
        for page in pages
        if page.project["project_id"] in in_pack and page.project.get("rag_overall") in ("Red", "Amber")
    ]
    return sorted(chosen, key=lambda page: (GRADE_ORDER[page.project["rag_overall"]], page.project["project_id"]))


def next_milestone(milestones: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first milestone not yet completed (no actual date), by its forecast date, else its baseline date."""
    open_ones = [row for row in milestones if row.get("actual_date") is None]
    dated = [row for row in open_ones if (row.get("forecast_date") or row.get("baseline_date")) is not None]
    if dated:
        return min(dated, key=lambda row: row.get("forecast_date") or row["baseline_date"])
    return open_ones[0] if open_ones else None


def _project_slide(deck, data: PackData, page: ProjectPage, more: int) -> None:
    project = page.project
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    tier = "—" if project.get("tier") is None else project["tier"]
    _title(slide, f"{project['project_name'] or project['project_id']} ({project['project_id']}) · Tier {tier}")
    grades = " · ".join(
        f"{label} {grade_text(project.get(column))}"
        for label, column in (
            ("Overall", "rag_overall"),
            ("Reported", "reported_status"),
            ("Schedule", "rag_schedule"),
            ("Cost", "rag_cost"),
            ("Benefits", "rag_benefits"),
            ("Incidents", "rag_incidents"),
        )
    )
    milestone = next_milestone(page.milestones)
    milestone_line = (
        "Next milestone: none open"
        if milestone is None
        else f"Next milestone: {milestone['milestone_name']} — baseline {date_text(milestone.get('baseline_date'))}, "
        f"forecast {date_text(milestone.get('forecast_date'))}"
    )
    lines: list[str | tuple[str, str | None]] = [
        (grades, project.get("rag_overall")),
        f"CPI {ratio_text(project.get('cpi'))} · SPI {ratio_text(project.get('spi'))} · "
        f"EAC vs BAC {signed_percent_text(project.get('cost_overrun_pct'))} · VAC {money_text(project.get('vac'))}",
        f"Finish slip {signed_days_text(project.get('slip_days'))} · forecast finish "
        f"{date_text(project.get('forecast_finish'))}",
        milestone_line,
    ]
    sentences = narrative_sentences(data.project_narratives.get(project["project_id"], []))
    if sentences:
        lines.append("Status: " + " ".join(sentences))
    if project.get("status_comment"):
        lines.append(f"The PM's comment: “{project['status_comment']}”")
    raid = [row for row in page.raid if (row.get("severity") or "").strip().lower() in ("high", "critical")]
    if raid:
        lines.append("Open high and critical RAID:")
        lines += [
            f"  {row['raid_id']} {row['raid_type'] or ''} ({row['severity']}): {row['raid_title']} — "
            f"{row['raid_owner'] or 'no owner'}, due {date_text(row.get('due_date'))}"
            for row in raid[:RAID_LINES]
        ]
        if len(raid) > RAID_LINES:
            lines.append(f"  and {len(raid) - RAID_LINES} more (in the pack)")
    if more:
        lines.append(f"… and {more} more Red or Amber project{'s' if more != 1 else ''}: all in the pack.")
    _text_box(slide, MARGIN, Inches(1.1), SLIDE_WIDTH - 2 * MARGIN, Inches(6.0), lines, size=14)


def _scorecard_slide(deck, view: dict[str, Any]) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    _title(slide, "KPI scorecard")
    if view["scoped"]:
        header = ["KPI", "Your projects", "Met", "Near", "Missed", "Not tracked"]
        rows = [
            [(row["label"], None), (row["met_of"], None)]
            + [(str(row["counts"][status]), None) for status in ("Met", "Near", "Missed", "Not tracked")]
            for row in view["rows"]
        ]
    else:
        header = ["KPI", "Value", "Target", "Status"]
        rows = [
            [
                (row["label"], None),
                (row["value"], None),
                (row["target"], None),
                (f"{row['status']['shape']} {row['status']['word']}", row["status"]["grade"]),
            ]
            for row in view["rows"]
        ]
    _table(slide, Inches(1.2), Emu(Inches(0.35) * (len(rows) + 1)), header, rows, size=11)


def _scorecard(data: PackData) -> dict[str, Any] | None:
    view = scorecard_view(data.scorecard) if data.scorecard is not None else None
    return view if view and view["rows"] else None


def build_deck(data: PackData, pages: list[ProjectPage]) -> bytes:
    """The month's deck for the reader `data` was loaded for (the portfolio, or a scope), as .pptx bytes."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _title_slide(deck, data)
    _executive_slide(deck, data)
    if data.trend:
        _trend_slide(deck, data)
    chosen = red_amber_pages(data, pages)
    shown = chosen[:PROJECT_SLIDES_CAP]
    for index, page in enumerate(shown):
        _project_slide(deck, data, page, len(chosen) - len(shown) if index == len(shown) - 1 else 0)
    view = _scorecard(data)
    if view is not None:
        _scorecard_slide(deck, view)
    fixed = dt.datetime(data.month.year, data.month.month, data.month.day)
    properties = deck.core_properties
    properties.title = _deck_title(data.month)
    properties.author = properties.last_modified_by = "steerpack"
    properties.created = properties.modified = properties.last_printed = fixed
    properties.revision = 1
    buffer = io.BytesIO()
    deck.save(buffer)
    return _deterministic_zip(buffer.getvalue(), fixed)


_XLSX_CREATED = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _deterministic_zip(blob: bytes, fixed: dt.datetime) -> bytes:
    """The same package with every entry's time set to `fixed` (python-pptx stamps the time of saving), and each
    chart's embedded workbook (written by XlsxWriter, which stamps its creation time) treated the same way."""
    stamp = fixed.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.endswith(".xlsx"):
                content = _deterministic_zip(content, fixed)
            elif info.filename == "docProps/core.xml":
                content = _XLSX_CREATED.sub(rb"\g<1>" + stamp + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=fixed.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()
