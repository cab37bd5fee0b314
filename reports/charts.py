"""Charts for the HTML and PDF packs: matplotlib rendered to inline SVG, consistent colours, labelled axes.

Deterministic: no timestamps and a fixed id salt, so the same marts render the same bytes. That makes each chart
a pure function of its arguments, and a process draws a given chart once (`DRAWN_CHARTS` most recent kept): a
month renders a project's charts for its page and again for every scoped pack that includes the project.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io

import matplotlib
import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

# text stays text in the SVG (searchable, selectable, extractable from the PDF)
# Labels are project and milestone names: `$1M` is money, never matplotlib's mathtext (which crashed on
# `Sign-off: $1M #1, $2M #2` and ate the dollars of `Save $100 per seat & $20 per user`).
matplotlib.rcParams.update(
    {
        "text.parse_math": False,
        "svg.hashsalt": "steerpack",
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "font.size": 9,
        # a fixed title height: placing it around top-axis labels (there are none) cost a tenth of a chart
        "axes.titley": 1.0,
    }
)
DRAWN_CHARTS = 512  # 30-60 KB each, so at most ~30 MB; a month of the bench's large portfolio draws ~6,000
COLOURS = {
    "CPI": "#1f77b4",
    "SPI": "#9467bd",
    "PV": "#7f8c8d",
    "EV": "#27ae60",
    "AC": "#c0392b",
    "EV (SPI's projects)": "#27ae60",
    "EV (CPI's projects)": "#16a085",
}
# A slip line takes the colour of the grade the marts gave its row (a project's rag_schedule, a milestone's
# on-time verdict): the chart has no slip rule of its own. A row without a grade is drawn neutral.
GRADE_COLOURS = {"Green": "#27ae60", "Amber": "#e67e22", "Red": "#c0392b", "Unknown": "#95a5a6"}
UNGRADED_COLOUR = "#95a5a6"


def line_chart_svg(
    title: str,
    y_label: str,
    series: dict[str, list[tuple[dt.date, float | None]]],
    reference: float | None = None,
    as_png: bool = False,
) -> str:
    """A line chart over months as inline SVG markup (empty string when there is nothing to draw).

    `as_png` gives an <img> with a PNG instead: the PDF prints it several times faster than SVG paths.
    """
    frozen = tuple((name, tuple(tuple(point) for point in points)) for name, points in series.items())
    return _line_chart(title, y_label, frozen, reference, as_png)


@functools.lru_cache(maxsize=DRAWN_CHARTS)
def _line_chart(
    title: str,
    y_label: str,
    series: tuple[tuple[str, tuple[tuple[dt.date, float | None], ...]], ...],
    reference: float | None,
    as_png: bool,
) -> str:
    if not any(value is not None for _, points in series for _, value in points):
        return ""
    figure, axes = _figure(6.4, 3.0)
    for name, points in series:
        kept = [(month, value) for month, value in points if value is not None]
        axes.plot(
            [m for m, _ in kept],
            [v for _, v in kept],
            label=name,
            color=COLOURS.get(name),
            linewidth=1.8,
            marker="o",
            markersize=2.5,
        )
    if reference is not None:
        axes.axhline(reference, color="#95a5a6", linewidth=0.8, linestyle="--")
    axes.set_title(title, loc="left", fontsize=10, fontweight="bold")
    axes.set_ylabel(y_label)
    axes.set_xlabel("month")
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%b %y"))
    largest = max(abs(v) for _, points in series for _, v in points if v is not None)
    if largest >= 1_000_000:  # money: "12.5 M" rather than matplotlib's 1e7 offset
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value / 1e6:,.1f} M"))
    axes.grid(axis="y", color="#e5e8eb", linewidth=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(frameon=False, ncols=len(series), loc="best")
    # Fixed margins: tight_layout measures every text box and doubles the time a chart takes.
    figure.subplots_adjust(left=0.13, right=0.98, top=0.88, bottom=0.17)
    return _encode(figure, title, as_png)


def _figure(width: float, height: float):
    """A figure outside pyplot: no global registry to close it from, no GUI backend, a tenth faster per chart."""
    figure = Figure(figsize=(width, height))
    return figure, figure.add_subplot()


def _encode(figure, title: str, as_png: bool) -> str:
    """Inline SVG markup, or an <img> holding a PNG (which the PDF prints several times faster)."""
    if as_png:
        binary = io.BytesIO()
        # 120 dpi is sharp at the printed size; light compression: zlib's best level took longer than drawing
        figure.savefig(binary, format="png", dpi=120, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
        encoded = base64.b64encode(binary.getvalue()).decode("ascii")
        return f'<img alt="{title}" src="data:image/png;base64,{encoded}">'
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # inline: drop the XML declaration and doctype


SlipRow = (
    tuple[str, dt.date | None, dt.date | None, dt.date | None]
    | tuple[str, dt.date | None, dt.date | None, dt.date | None, str | None]
)


def slip_chart_svg(title: str, rows: list[SlipRow], as_png: bool = False) -> str:
    """Baseline vs forecast vs actual dates, one row each (milestones, or projects' finishes): a dumbbell chart.

    A row is `(label, baseline, forecast, actual[, grade])`; its line is the grade's colour (`GRADE_COLOURS`),
    neutral without one."""
    return _slip_chart(title, tuple((*row, None)[:5] for row in rows if row[1] is not None), as_png)


@functools.lru_cache(maxsize=DRAWN_CHARTS)
def _slip_chart(
    title: str, rows: tuple[tuple[str, dt.date, dt.date | None, dt.date | None, str | None], ...], as_png: bool
) -> str:
    if not rows:
        return ""
    figure, axes = _figure(8.0, 0.35 * len(rows) + 1.3)
    labelled: set[str] = set()

    def mark(kind: str, day: dt.date, index: int, **style) -> None:
        axes.scatter([day], [index], label=None if kind in labelled else kind, zorder=3, **style)
        labelled.add(kind)

    for index, (_, baseline, forecast, actual, grade) in enumerate(reversed(rows)):
        latest = actual or forecast or baseline
        axes.plot(
            [baseline, latest],
            [index, index],
            color=GRADE_COLOURS.get(grade, UNGRADED_COLOUR),
            linewidth=2,
            zorder=1,
        )
        mark("baseline", baseline, index, marker="D", color="#7f8c8d", s=28)
        if actual is not None:
            mark("actual", actual, index, marker="s", color="#1f2933", s=26)
        elif forecast is not None:
            mark("forecast", forecast, index, marker="o", color="#e67e22", s=30)
    axes.set_yticks(range(len(rows)), [label for label, *_ in reversed(rows)])
    axes.set_title(title, loc="left", fontsize=10, fontweight="bold")
    axes.set_xlabel("date")
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=7))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%b %y"))
    axes.grid(axis="x", color="#e5e8eb", linewidth=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    if axes.get_legend_handles_labels()[1]:
        axes.legend(frameon=False, ncols=3, loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    height = figure.get_size_inches()[1]
    longest_label = max(len(label) for label, *_ in rows)
    figure.subplots_adjust(
        left=min(0.45, 0.04 + 0.0105 * longest_label), right=0.98, top=1 - 0.55 / height, bottom=0.5 / height
    )
    return _encode(figure, title, as_png)


def sparkline_svg(values: list[float | None], label: str, width: int = 90, height: int = 20) -> str:
    """A tiny trend line (inline SVG, no axes): one point per value, left to right, a gap where a value is None,
    the last point marked. Empty when fewer than two values are set. `label` says the values in words (the
    picture's accessible name and tooltip), so the line is never the only way to read them."""
    if sum(1 for value in values if value is not None) < 2:
        return ""
    from xml.sax.saxutils import escape, quoteattr

    set_values = [value for value in values if value is not None]
    low, high = min(set_values), max(set_values)
    pad = 2.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        if high == low:
            return height / 2
        return pad + (high - value) / (high - low) * (height - 2 * pad)

    segments: list[list[str]] = [[]]
    last = None
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        last = (pad + index * step, y(value))
        segments[-1].append(f"{last[0]:.1f},{last[1]:.1f}")
    lines = "".join(
        f'<polyline points="{" ".join(points)}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>'
        for points in segments
        if len(points) >= 2
    )
    dot = f'<circle cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="2" fill="#1f2933"/>'
    return (
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(label)}>'
        f"<title>{escape(label)}</title>{lines}{dot}</svg>"
    )
