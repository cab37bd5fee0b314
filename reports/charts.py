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


def line_chart_png(
    title: str,
    y_label: str,
    series: dict[str, list[tuple[dt.date, float | None]]],
    reference: float | None = None,
) -> bytes:
    """The same line chart as PNG bytes (empty when there is nothing to draw): a mail's inline image, which mail
    clients show where they strip SVG and data URIs. Decoded from `line_chart_svg`'s PNG so it is drawn once."""
    import re

    found = re.search(
        r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', line_chart_svg(title, y_label, series, reference, True)
    )
    return base64.b64decode(found.group(1)) if found else b""


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


def _encode(figure, title: str, as_png: bool, description: str | None = None) -> str:
    """Inline SVG markup, or an <img> holding a PNG (which the PDF prints several times faster). `description`
    says the chart's figures in words: the PNG's alt text, the SVG's accessible name and <title>."""
    from xml.sax.saxutils import escape, quoteattr

    if as_png:
        binary = io.BytesIO()
        # 120 dpi is sharp at the printed size; light compression: zlib's best level took longer than drawing
        figure.savefig(binary, format="png", dpi=120, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
        encoded = base64.b64encode(binary.getvalue()).decode("ascii")
        if description is not None:
            return f'<img alt={quoteattr(description)} src="data:image/png;base64,{encoded}">'
        return f'<img alt="{title}" src="data:image/png;base64,{encoded}">'
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # inline: drop the XML declaration and doctype
    if description is not None:
        opening = svg.index(">") + 1
        svg = (
            f'{svg[: opening - 1]} role="img" aria-label={quoteattr(description)}>'
            f"<title>{escape(description)}</title>{svg[opening:]}"
        )
    return svg


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


FORECAST_LINES = {"P50": ("#1f77b4", ":"), "P85": ("#c0392b", "-"), "P95": ("#7f8c8d", "--")}
FORECAST_MARKERS = {"baseline finish": ("#27ae60", "D"), "go-live": ("#e67e22", "^")}
FORECAST_BAR_DATES = 80  # more distinct finish dates than this are drawn in 7-day bins (a day's bar is a hair)


def forecast_chart_svg(
    title: str,
    distribution: list[tuple[dt.date, float]],
    percentiles: dict[str, dt.date | None],
    markers: dict[str, dt.date | None],
    p85_history: list[tuple[dt.date, dt.date | None]],
    description: str,
    as_png: bool = False,
) -> str:
    """The finish-date distribution of a Monte Carlo forecast (bars: the share of trials finishing on each date)
    with vertical lines at P50/P85/P95 and markers at the baseline finish and go-live, and beside it a small panel
    of the P85 finish month by month (how the forecast moved). One figure: a page prints one forecast chart.
    Empty when no trial finishes within the horizon. `description` says it in words (alt text, <title>)."""
    return _forecast_chart(
        title,
        tuple((day, share) for day, share in distribution if day is not None and share),
        tuple(percentiles.items()),
        tuple(markers.items()),
        tuple(p85_history),
        description,
        as_png,
    )


@functools.lru_cache(maxsize=DRAWN_CHARTS)
def _forecast_chart(
    title: str,
    distribution: tuple[tuple[dt.date, float], ...],
    percentiles: tuple[tuple[str, dt.date | None], ...],
    markers: tuple[tuple[str, dt.date | None], ...],
    p85_history: tuple[tuple[dt.date, dt.date | None], ...],
    description: str,
    as_png: bool,
) -> str:
    if not distribution:
        return ""
    figure = Figure(figsize=(8.0, 3.0))
    grid = figure.add_gridspec(1, 2, width_ratios=(3, 1), wspace=0.38)
    axes = figure.add_subplot(grid[0, 0])
    days = sorted(day for day, _ in distribution)
    binned = len(days) > FORECAST_BAR_DATES
    if binned:
        # drawn in 7-day bins from the first finish date: the chart's grouping, the shares are the mart's
        bins: dict[dt.date, float] = {}
        for day, share in distribution:
            start = days[0] + dt.timedelta(days=7 * ((day - days[0]).days // 7))
            bins[start] = bins.get(start, 0.0) + share
        bars, width, y_label = sorted(bins.items()), 7.0, "share of trials (per week)"
    else:
        gaps = [(later - earlier).days for earlier, later in zip(days, days[1:])]
        bars, width, y_label = sorted(distribution), float(min(gaps, default=7)), "share of trials"
    axes.bar(
        [day for day, _ in bars],
        [share for _, share in bars],
        width=max(width * 0.8, 0.8),
        color="#aeb6bf",
        align="edge" if binned else "center",
    )
    top = max(share for _, share in bars)
    names_by_day: dict[dt.date, list[str]] = {}
    for name, day in percentiles:
        if day is None:
            continue
        colour, style = FORECAST_LINES.get(name, ("#1f2933", "-"))
        line = axes.axvline(day, color=colour, linestyle=style, linewidth=1.4, label=name)
        line.set_gid(f"forecast-{name.lower()}")
        names_by_day.setdefault(day, []).append(name)
    # one label a date (P85 and P95 on the same day read "P85/P95"), every other one higher: close lines' labels
    # do not overprint each other
    for index, (day, names) in enumerate(names_by_day.items()):
        colour = FORECAST_LINES.get(names[0], ("#1f2933", "-"))[0]
        axes.text(day, top * (1.03 + 0.09 * (index % 2)), "/".join(names), color=colour, fontsize=8, ha="center")
    for name, day in markers:
        if day is None:
            continue
        colour, marker = FORECAST_MARKERS.get(name, ("#1f2933", "o"))
        axes.scatter([day], [0], marker=marker, color=colour, s=40, zorder=3, clip_on=False, label=name)
    axes.set_ylim(0, top * 1.24)
    axes.set_title(title, loc="left", fontsize=10, fontweight="bold")
    axes.set_ylabel(y_label)
    axes.set_xlabel("finish date")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0%}"))
    # concise labels: a distribution over a few days reads "26 27 28 Dec 2026", not "Dec 26" four times
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.grid(axis="y", color="#e5e8eb", linewidth=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(frameon=False, fontsize=7, loc="best")
    moved = figure.add_subplot(grid[0, 1])
    kept = [(month, p85) for month, p85 in p85_history if p85 is not None]
    if kept:
        moved.plot(
            [month for month, _ in kept],
            [p85 for _, p85 in kept],
            color=FORECAST_LINES["P85"][0],
            marker="o",
            markersize=3,
            linewidth=1.6,
        )
        moved.xaxis.set_major_locator(mdates.MonthLocator())
        moved.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
        moved.yaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=6))
        # a P85 that moved a few days reads in days, one that moved months in months
        span = (max(p85 for _, p85 in kept) - min(p85 for _, p85 in kept)).days
        moved.yaxis.set_major_formatter(mdates.DateFormatter("%d %b %y" if span < 120 else "%b %y"))
    else:
        moved.set_xticks([])
        moved.set_yticks([])
        moved.text(0.5, 0.5, "no P85 yet", ha="center", va="center", transform=moved.transAxes, color="#616e7c")
    moved.set_title("P85 finish by month", loc="left", fontsize=9)
    moved.grid(axis="y", color="#e5e8eb", linewidth=0.6)
    moved.spines[["top", "right"]].set_visible(False)
    figure.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.17)
    return _encode(figure, title, as_png, description)
