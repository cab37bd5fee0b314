import datetime as dt

from reports.charts import line_chart_svg

D = dt.date


def test_a_chart_is_inline_svg_with_its_labels_and_is_deterministic():
    series = {
        "CPI": [(D(2026, 8, 1), 0.95), (D(2026, 9, 1), 0.97)],
        "SPI": [(D(2026, 8, 1), 1.02), (D(2026, 9, 1), None)],
    }
    svg = line_chart_svg("CPI and SPI", "index (1.0 = on plan)", series, reference=1.0)
    assert svg.startswith("<svg")
    assert "CPI and SPI" in svg and "index (1.0 = on plan)" in svg and "Aug 26" in svg
    assert line_chart_svg("CPI and SPI", "index (1.0 = on plan)", series, reference=1.0) == svg


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
