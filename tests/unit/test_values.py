import datetime as dt

import pandas as pd
import pytest

from pipelines.sources.columns import number_marks, parse_numbers, to_date, to_int, to_number, to_text


@pytest.mark.parametrize(
    "text, number",
    [
        ("80,000.50", 80000.5),
        ("80.000,50", 80000.5),
        ("1,234", 1234.0),
        ("12,5", 12.5),
        ("1 234,5", 1234.5),
        ("-3", -3.0),
        (7, 7.0),
        (2.5, 2.5),
        ("", None),
        (None, None),
    ],
)
def test_numbers_as_people_type_them_into_a_register(text, number):
    assert to_number(text) == number


@pytest.mark.parametrize("text", ["lots", "1.2.3,4,5", "nan"])
def test_not_a_number(text):
    with pytest.raises(ValueError):
        to_number(text)


def test_other_conversions():
    assert to_int("3") == 3 and to_int(3.0) == 3
    with pytest.raises(ValueError, match="not a whole number"):
        to_int("2.5")
    assert to_date("2026-02-03") == dt.date(2026, 2, 3)
    assert to_date(dt.datetime(2026, 2, 3, 14, 0)) == dt.date(2026, 2, 3)
    with pytest.raises(ValueError, match="not a date"):
        to_date("03/02/2026")
    assert to_text(12.0) == "12" and to_text("  x ") == "x" and to_text("?") is None


@pytest.mark.parametrize(
    "text, number",
    [
        ("(1,234.56)", -1234.56),
        ("(12.00)", -12.0),
        ("1234-", -1234.0),
        ("1.234,56-", -1234.56),
        ("$1,234", 1234.0),
        ("-$12", -12.0),
        ("€1.234,56", 1234.56),
        ("£80,000.50", 80000.5),
        ("12.00 USD", 12.0),
        ("EUR 1.234,5", 1234.5),
        ("1.234.567", 1234567.0),
        ("1.234.567,89", 1234567.89),
        ("1\u00a0234,5", 1234.5),
    ],
)
def test_a_register_cell_reads_every_number_a_finance_export_may_hold(text, number):
    """`to_number` reads with `parse_numbers`' rules: parentheses and trailing minus, currency symbols and codes."""
    assert to_number(text) == pytest.approx(number)
    assert parse_numbers(pd.Series([text]), *number_marks(text))[0].iat[0] == pytest.approx(number)


@pytest.mark.parametrize("text", ["12abc", "1.2.3", "1,23,4.5", "(1,2", "inf"])
def test_what_neither_reader_reads(text):
    with pytest.raises(ValueError):
        to_number(text)
