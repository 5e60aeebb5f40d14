"""Cell parsing: exact values and the message a user sees for each bad cell."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from attain.imports.fields import CellError, Column

MONEY = Column("amount", "money", minimum=Decimal(0))
QUANTITY = Column("quantity", "decimal", places=3, minimum=Decimal("0.001"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1054", Decimal("1054.00")),
        ("1,234.56", Decimal("1234.56")),
        ("1,234,567", Decimal("1234567.00")),
        ("28000.0000", Decimal("28000.00")),  # AdventureWorks' four decimals, exact at cents
        ("€ 12.50", Decimal("12.50")),
        ("1 234.5", Decimal("1234.50")),
    ],
)
def test_money(text, expected):
    assert MONEY.parse(text) == expected


def test_money_with_a_decimal_comma():
    assert MONEY.parse("1.234,56", decimal_comma=True) == Decimal("1234.56")


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        (MONEY, "12,5x", "“12,5x” is not a number."),
        (MONEY, "559697.5639", "“559697.5639” has more than 2 decimals."),
        (MONEY, "-5", "-5 is below the lowest allowed value, 0."),
        (MONEY, "NaN", "“NaN” is not a number."),
        (QUANTITY, "0", "0 is below the lowest allowed value, 0.001."),
        (Column("n", "int"), "2.5", "“2.5” is not a whole number."),
        (
            Column("d", "date"),
            "31/02/2024",
            "“31/02/2024” is not a date (write it as YYYY-MM-DD, or set the column's format).",
        ),
        (
            Column("d", "date"),
            "2024-02-30",
            "“2024-02-30” is not a date (write it as YYYY-MM-DD, or set the column's format).",
        ),
        (Column("b", "bool"), "maybe", "“maybe” is not yes or no."),
        (Column("t", "text", max_length=3), "abcd", "is 4 characters long; at most 3 fit."),
        (
            Column("k", "choice", choices=[("call", "Call"), ("email", "Email")]),
            "fax",
            "“fax” is not one of: call, email.",
        ),
    ],
)
def test_bad_cells(column, text, message):
    with pytest.raises(CellError) as exc:
        column.parse(text)
    assert str(exc.value) == message


def test_dates_in_the_formats_exports_use():
    date = Column("d", "date")
    assert date.parse("2017-03-01") == dt.date(2017, 3, 1)
    assert date.parse("2011-05-31 00:00:00") == dt.date(2011, 5, 31)  # SQL Server
    # Salesforce: 23:30 UTC on 22 January is already 23 January in Amsterdam
    assert date.parse("2024-01-22T23:30:00.000+0000") == dt.date(2024, 1, 23)
    assert date.parse("01/03/2017", fmt="%d/%m/%Y") == dt.date(2017, 3, 1)
    with pytest.raises(CellError, match="does not match the date format %d/%m/%Y"):
        date.parse("2017-03-01", fmt="%d/%m/%Y")


def test_datetimes_keep_their_offset_and_local_time_is_assumed_without_one():
    at = Column("at", "datetime")
    assert at.parse("2024-01-22T16:14:25.000+0000") == dt.datetime(
        2024, 1, 22, 16, 14, 25, tzinfo=dt.UTC
    )
    local = at.parse("2018-02-26 19:58:54")
    assert timezone.localtime(local).replace(tzinfo=None) == dt.datetime(2018, 2, 26, 19, 58, 54)
    assert timezone.localtime(at.parse("2023-12-25")).hour == 12  # a date alone: noon


def test_choices_match_codes_labels_and_aliases_ignoring_case():
    kind = Column(
        "k", "choice", choices=[("call", "Call"), ("email", "E-mail")], aliases={"phone": "call"}
    )
    assert kind.parse("CALL") == "call"
    assert kind.parse("e-mail") == "email"
    assert kind.parse("Phone") == "call"


def test_yes_and_no_in_the_interface_languages():
    flag = Column("b", "bool")
    assert [flag.parse(t) for t in ("Yes", "ja", "1", "oo", "da")] == [True] * 5
    assert [flag.parse(t) for t in ("No", "nee", "0", "hindi", "nu")] == [False] * 5


def test_countries_by_code_or_english_name():
    country = Column("c", "country")
    assert [country.parse(t) for t in ("no", "NO", "Norway", "united states", "Philippines")] == [
        "NO",
        "NO",
        "NO",
        "US",
        "PH",
    ]
    with pytest.raises(CellError) as exc:
        country.parse("Philipines")
    assert str(exc.value) == (
        "“Philipines” is not a 2-letter country code (such as NO or US), nor a country name "
        "Attain knows; translate it in the mapping's values."
    )
