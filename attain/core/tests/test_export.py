"""Every list exports to CSV and XLSX: the same rows the user may see, filtered the same way,
with spreadsheet formulas defused and numbers kept as numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from attain.core.export import safe_cell
from attain.core.services import exchange_rate_set

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("plain", "plain"),
        (Decimal("-12.50"), Decimal("-12.50")),
        (None, ""),
        (True, "yes"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_export_of_a_filtered_list(world, login_as):
    exchange_rate_set(currency="USD", valid_on=dt.date(2024, 1, 1), rate=Decimal("0.9"))
    exchange_rate_set(currency="USD", valid_on=dt.date(2024, 2, 1), rate=Decimal("0.95"))
    exchange_rate_set(currency="GBP", valid_on=dt.date(2024, 1, 1), rate=Decimal("1.17"))
    response = login_as(world.rep).get(
        "/settings/exchange-rates/?currency=USD&sort=valid_on&export=csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="exchange-rates-into-eur.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [
        ["Currency", "Valid from", "Rate"],
        ["USD", "2024-01-01", "0.90000000"],
        ["USD", "2024-02-01", "0.95000000"],
    ]


def test_xlsx_export_keeps_numbers(world, login_as):
    exchange_rate_set(currency="USD", valid_on=dt.date(2024, 1, 1), rate=Decimal("0.9"))
    response = login_as(world.admin).get("/settings/exchange-rates/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Currency", "Valid from", "Rate"]
    assert values[1][0] == "USD" and values[1][2] == 0.9
    assert values[1][1] == dt.datetime(2024, 1, 1)


def test_export_shows_only_what_the_user_may_see(world, login_as):
    response = login_as(world.leader).get("/organization/people/?export=csv&sort=last_name")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Job title", "Email", "Current place"]
    assert sorted(row[2] for row in rows[1:]) == sorted(
        [world.leader.email, world.rep.email, world.rep2.email]
    )
    assert all("Team A1" in row[3] for row in rows[1:])
