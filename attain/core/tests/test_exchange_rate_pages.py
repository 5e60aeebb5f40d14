"""Exchange rates: everyone reads them; only sales operations add them (page and API)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from attain.core.models import ExchangeRate

pytestmark = pytest.mark.django_db


def test_admin_adds_a_rate_through_the_page_and_the_api(world, login_as):
    client = login_as(world.admin)
    page = client.post(
        "/settings/exchange-rates/new/",
        {"currency": "USD", "valid_on": "2024-01-01", "rate": "0.91234567"},
    )
    assert page.status_code == 302
    api = client.post(
        "/api/v1/settings/exchange-rates",
        json.dumps({"currency": "gbp", "valid_on": "2024-01-01", "rate": "1.16"}),
        content_type="application/json",
    )
    assert api.status_code == 201
    assert api.json()["rate"] == "1.16"
    assert dict(ExchangeRate.objects.values_list("currency", "rate")) == {
        "USD": Decimal("0.91234567"),
        "GBP": Decimal("1.16000000"),
    }
    listing = client.get("/settings/exchange-rates/?currency=USD")
    assert "0.91234567" in listing.content.decode()


@pytest.mark.parametrize("login", ["manager", "leader", "rep", "marketer"])
def test_others_read_but_cannot_add(world, login_as, login):
    client = login_as(world.people[login])
    assert client.get("/settings/exchange-rates/").status_code == 200
    assert client.get("/api/v1/settings/exchange-rates").status_code == 200
    assert (
        client.post(
            "/settings/exchange-rates/new/",
            {"currency": "USD", "valid_on": "2024-01-01", "rate": "1"},
        ).status_code
        == 403
    )
    api = client.post(
        "/api/v1/settings/exchange-rates",
        json.dumps({"currency": "USD", "valid_on": "2024-01-01", "rate": "1"}),
        content_type="application/json",
    )
    assert api.status_code == 403
    assert ExchangeRate.objects.count() == 0


def test_bad_rate_input_names_the_field(world, login_as):
    client = login_as(world.admin)
    page = client.post(
        "/settings/exchange-rates/new/", {"currency": "EUR", "valid_on": "2024-01-01", "rate": "1"}
    )
    assert page.status_code == 200 and "reporting currency" in page.content.decode()
    api = client.post(
        "/api/v1/settings/exchange-rates",
        json.dumps({"currency": "USD", "valid_on": "not-a-date", "rate": "abc"}),
        content_type="application/json",
    )
    assert api.status_code == 422
    assert {d["field"] for d in api.json()["detail"]} == {"valid_on", "rate"}
    assert ExchangeRate.objects.count() == 0
