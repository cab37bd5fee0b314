import datetime as dt

from reports.charts import _line_chart, line_chart_svg

D = dt.date


def test_a_chart_is_inline_svg_with_its_labels_and_is_deterministic():
    series = {
        "CPI": [(D(2026, 8, 1), 0.95), (D(2026, 9, 1), 0.97)],
        "SPI": [(D(2026, 8, 1), 1.02), (D(2026, 9, 1), None)],
    }
    svg = line_chart_svg("CPI and SPI", "index (1.0 = on plan)", series, reference=1.0)
    assert svg.startswith("<svg")
    assert "CPI and SPI" in svg and "index (1.0 = on plan)" in svg and "Aug 26" in svg
    _line_chart.cache_clear()  # drawn again, not remembered: the same bytes
    assert line_chart_svg("CPI and SPI", "index (1.0 = on plan)", series, reference=1.0) == svg


def test_a_chart_asked_again_is_drawn_once_and_a_different_one_is_drawn(monkeypatch):
    import reports.charts as charts

    drawn = []
    figure = charts._figure
    monkeypatch.setattr(charts, "_figure", lambda *size: drawn.append(size) or figure(*size))
    charts._line_chart.cache_clear()
    charts._slip_chart.cache_clear()
    series = {"CPI": [(D(2026, 8, 1), 0.95)], "SPI": [(D(2026, 8, 1), 1.02)]}
    first = line_chart_svg("CPI and SPI", "index", series)
    assert line_chart_svg("CPI and SPI", "index", {name: list(points) for name, points in series.items()}) == first
    assert len(drawn) == 1
    # another value, another series order (the legend's), another format: each is its own chart
    assert line_chart_svg("CPI and SPI", "index", {"CPI": [(D(2026, 8, 1), 0.96)], "SPI": series["SPI"]}) != first
    assert line_chart_svg("CPI and SPI", "index", {"SPI": series["SPI"], "CPI": series["CPI"]}) != first
    assert line_chart_svg("CPI and SPI", "index", series, as_png=True).startswith("<img")
    assert len(drawn) == 4
    rows = [("Go-live", D(2026, 9, 1), D(2026, 10, 1), None)]
    assert charts.slip_chart_svg("Milestones", rows) == charts.slip_chart_svg("Milestones", list(rows))
    assert len(drawn) == 5


def test_money_axes_read_in_millions():
    svg = line_chart_svg(
        "S-curve", "base currency", {"PV": [(D(2026, 8, 1), 2_000_000.0), (D(2026, 9, 1), 12_500_000.0)]}
    )
    assert ("12.5 M" in svg or "12.0 M" in svg) and "1e7" not in svg


def test_nothing_to_draw_is_no_chart():
    assert line_chart_svg("t", "y", {"CPI": [(D(2026, 8, 1), None)]}) == ""


def test_the_slip_chart_draws_baseline_forecast_and_actual():
    from reports.charts import slip_chart_svg

    svg = slip_chart_svg(
        "Milestones",
        [
            ("Design approved", D(2026, 3, 1), D(2026, 3, 10), D(2026, 3, 12)),
            ("Go-live", D(2026, 9, 1), D(2026, 10, 1), None),
            ("No baseline", None, D(2026, 5, 1), None),
        ],
    )
    assert "Design approved" in svg and "Go-live" in svg and "No baseline" not in svg
    assert "baseline" in svg and "forecast" in svg and "actual" in svg
    assert slip_chart_svg("Milestones", []) == ""
    png = slip_chart_svg("Milestones", [("Go-live", D(2026, 9, 1), D(2026, 10, 1), None)], as_png=True)
    assert png.startswith('<img alt="Milestones" src="data:image/png;base64,')


def test_a_slip_line_takes_its_grades_colour_not_a_rule_of_its_own():
    """A finish 6 months late and one on its baseline, both graded Green: green lines, no red (a slip used to be
    red whatever its grade); the same two graded Red: red, no green (on its baseline, it used to be green); no
    grade: neutral."""
    from reports.charts import slip_chart_svg

    red, green, grey = "#c0392b", "#27ae60", "#95a5a6"

    def rows(*grade):
        return [
            ("Slipped", D(2026, 3, 1), D(2026, 9, 1), None, *grade),
            ("On baseline", D(2026, 6, 1), D(2026, 6, 1), None, *grade),
        ]

    graded_green = slip_chart_svg("Finish", rows("Green"))
    assert green in graded_green and red not in graded_green
    graded_red = slip_chart_svg("Finish", rows("Red"))
    assert red in graded_red and green not in graded_red
    ungraded = slip_chart_svg("Finish", rows())
    assert grey in ungraded and red not in ungraded and green not in ungraded
