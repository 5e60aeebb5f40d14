"""Orders API: create with lines, lifecycle actions, returns, summary, errors naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.orders.models import Order, OrderLine, OrderReturn
from attain.orders.tests.factories import (
    DAY,
    make_account,
    make_deal,
    make_delivered_order,
    make_order,
    make_product,
    make_rate,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/orders"
JSON = "application/json"


def fields(response) -> set[str]:
    return {item["field"] for item in response.json()["detail"]}


def messages(response) -> dict[str, str]:
    return {item["field"]: item["message"] for item in response.json()["detail"]}


def test_anonymous_gets_401(client):
    assert client.get(f"{API}/orders").status_code == 401


def test_create_order_with_lines_in_usd(world, login_as):
    make_rate("USD", Decimal("0.91234567"), DAY)
    account = make_account(owner=world.rep)
    product = make_product(prices=[("USD", "19.99", "10.00")])
    client = login_as(world.rep)
    r = client.post(
        f"{API}/orders",
        {
            "account_id": account.pk,
            "currency": "USD",
            "ordered_on": "2025-03-03",
            "delivery_promised_on": "2025-03-10",
            "lines": [{"product_id": product.pk, "quantity": "3", "discount_pct": "10"}],
        },
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "SO-2025-000001"
    assert body["owner_id"] == world.rep.pk
    assert (body["net_total"], body["net_total_reporting"]) == ("53.97", "49.24")
    assert body["fx_rate"] == "0.91234567"
    assert body["lines"][0]["net_amount_reporting"] == "49.24"
    assert body["lines"][0]["unit_price"] == "19.99"
    assert body["cancellation"] is None


def test_create_from_deal_takes_its_account_and_owner(world, login_as):
    account = make_account(owner=world.rep2)
    deal = make_deal(account=account)
    product = make_product()
    r = login_as(world.leader).post(
        f"{API}/orders",
        {
            "deal_id": deal.pk,
            "ordered_on": "2025-03-03",
            "lines": [{"product_id": product.pk, "quantity": 1}],
        },
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    assert (r.json()["owner_id"], r.json()["account_id"], r.json()["deal_id"]) == (
        world.rep2.pk,
        account.pk,
        deal.pk,
    )


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([{"quantity": "-1"}], "lines[0].quantity"),
        ([{"quantity": "1"}, {"quantity": "1", "discount_pct": "120"}], "lines[1].discount_pct"),
        ([{"quantity": "1", "product_id": 999999}], "lines[0].product_id"),
        ([{"quantity": "abc"}], "lines.0.quantity"),
    ],
)
def test_bad_payloads_are_422_naming_the_field(world, login_as, lines, field):
    account = make_account(owner=world.rep)
    product = make_product()
    payload_lines = [{"product_id": product.pk, **line} for line in lines]
    r = login_as(world.rep).post(
        f"{API}/orders",
        {
            "account_id": account.pk,
            "currency": "EUR",
            "ordered_on": "2025-03-03",
            "lines": payload_lines,
        },
        content_type=JSON,
    )
    assert r.status_code == 422, r.content
    assert field in fields(r)
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0


def test_create_for_someone_not_covered_is_403(world, login_as):
    account = make_account(owner=world.rep)
    product = make_product()
    r = login_as(world.rep).post(
        f"{API}/orders",
        {
            "account_id": account.pk,
            "owner_id": world.rep2.pk,
            "currency": "EUR",
            "ordered_on": "2025-03-03",
            "lines": [{"product_id": product.pk, "quantity": 1}],
        },
        content_type=JSON,
    )
    assert r.status_code == 403
    assert Order.objects.count() == 0


def test_unknown_ids_are_404(world, login_as):
    client = login_as(world.admin)
    assert client.get(f"{API}/orders/987654").status_code == 404
    assert client.get(f"{API}/orders/987654/lifecycle").status_code == 404
    r = client.post(
        f"{API}/orders/987654/advance",
        {"to_status": "confirmed", "on": "2025-03-04"},
        content_type=JSON,
    )
    assert r.status_code == 404


def test_patch_advance_lifecycle_and_cancel(world, login_as):
    order = make_order(owner=world.rep)
    client = login_as(world.rep)
    r = client.patch(
        f"{API}/orders/{order.pk}",
        {"notes": "Dock B", "ship_promised_on": "2025-03-04"},
        content_type=JSON,
    )
    assert r.status_code == 200, r.content
    assert (r.json()["notes"], r.json()["ship_promised_on"]) == ("Dock B", "2025-03-04")
    r = client.post(
        f"{API}/orders/{order.pk}/advance",
        {"to_status": "shipped", "on": "2025-03-06"},
        content_type=JSON,
    )
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["confirmed_on"]) == ("shipped", "2025-03-06")
    back = client.post(
        f"{API}/orders/{order.pk}/advance",
        {"to_status": "confirmed", "on": "2025-03-07"},
        content_type=JSON,
    )
    assert back.status_code == 422
    assert fields(back) == {"to_status"}
    steps = client.get(f"{API}/orders/{order.pk}/lifecycle").json()
    assert [s["step"] for s in steps] == [
        "taken",
        "confirmed",
        "shipped",
        "delivered",
        "followed_up",
    ]
    assert steps[2] == {
        "step": "shipped",
        "label": "Shipped",
        "promised": "2025-03-04",
        "actual": "2025-03-06",
        "done": True,
        "late": True,
        "days_late": 2,
    }
    no_reason = client.post(
        f"{API}/orders/{order.pk}/cancel", {"on": "2025-03-07", "reason": ""}, content_type=JSON
    )
    assert no_reason.status_code == 422
    assert fields(no_reason) == {"reason"}
    r = client.post(
        f"{API}/orders/{order.pk}/cancel",
        {"on": "2025-03-07", "reason": "Customer went bankrupt"},
        content_type=JSON,
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "cancelled"
    assert r.json()["cancellation"]["previous_status"] == "shipped"


def test_lines_add_and_remove_while_taken(world, login_as):
    order = make_order(owner=world.rep)
    product = make_product(prices=[("EUR", "5.00", "1.00")])
    client = login_as(world.rep)
    r = client.post(
        f"{API}/orders/{order.pk}/lines",
        {"product_id": product.pk, "quantity": "2"},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    assert r.json()["net_amount"] == "10.00"
    detail = client.get(f"{API}/orders/{order.pk}").json()
    assert detail["net_total"] == "69.97"
    r = client.delete(f"{API}/orders/{order.pk}/lines/{r.json()['id']}")
    assert r.status_code == 200
    assert r.json()["net_total"] == "59.97"


def test_orders_cannot_be_deleted(world, login_as):
    order = make_order(owner=world.rep)
    r = login_as(world.admin).delete(f"{API}/orders/{order.pk}")
    assert r.status_code == 405
    assert Order.objects.filter(pk=order.pk).exists()


def test_returns_create_list_and_over_return(world, login_as):
    order = make_delivered_order(owner=world.rep, discount_pct="10")
    line = order.lines.get()
    client = login_as(world.rep)
    r = client.post(
        f"{API}/returns",
        {"line_id": line.pk, "quantity": "1", "returned_on": "2025-03-09", "reason": "defective"},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    assert (r.json()["amount"], r.json()["order_id"]) == ("17.99", order.pk)
    over = client.post(
        f"{API}/returns",
        {"line_id": line.pk, "quantity": "3", "returned_on": "2025-03-09", "reason": "defective"},
        content_type=JSON,
    )
    assert over.status_code == 422
    assert messages(over) == {"quantity": "Only 2 of 3 can still be returned on this line."}
    assert OrderReturn.objects.count() == 1
    listed = client.get(f"{API}/returns", {"order_id": order.pk}).json()
    assert listed["count"] == 1
    assert listed["items"][0]["quantity"] == "1.000"
    missing = client.post(
        f"{API}/returns",
        {"line_id": 987654, "quantity": "1", "returned_on": "2025-03-09", "reason": "defective"},
        content_type=JSON,
    )
    assert missing.status_code == 422
    assert fields(missing) == {"line_id"}


def test_list_filters_and_pagination(world, login_as):
    late = make_order(owner=world.rep, confirm_promised_on=DAY)
    make_order(owner=world.rep, ordered_on=dt.date(2024, 5, 1))
    delivered = make_delivered_order(owner=world.rep)
    client = login_as(world.rep)
    body = client.get(f"{API}/orders", {"limit": 2}).json()
    assert body["count"] == 3
    assert len(body["items"]) == 2
    assert [o["id"] for o in client.get(f"{API}/orders", {"late": True}).json()["items"]] == [
        late.pk
    ]
    assert [
        o["id"] for o in client.get(f"{API}/orders", {"status": "delivered"}).json()["items"]
    ] == [delivered.pk]
    in_2025 = client.get(f"{API}/orders", {"ordered_from": "2025-01-01"}).json()
    assert in_2025["count"] == 2
    assert client.get(f"{API}/orders", {"q": late.number}).json()["count"] == 1


def test_summary(world, login_as):
    on_time = make_delivered_order(
        owner=world.rep, delivery_promised_on=dt.date(2025, 3, 20), delivered_on=dt.date(2025, 3, 8)
    )
    make_delivered_order(
        owner=world.rep, delivery_promised_on=dt.date(2025, 3, 5), delivered_on=dt.date(2025, 3, 8)
    )
    make_order(owner=world.rep_b)  # not visible to rep
    r = login_as(world.rep).get(f"{API}/summary", {"start": "2025-03-01", "end": "2025-03-31"})
    assert r.status_code == 200
    assert r.json() == {
        "start": "2025-03-01",
        "end": "2025-03-31",
        "count": 2,
        "cancelled": 0,
        "net_total_reporting": "119.94",
        "delivered": 2,
        "delivered_on_time": 1,
        "on_time_rate": "50.0",
        "returns_reporting": "0.00",
    }
    assert on_time.delivered_on == dt.date(2025, 3, 8)
    bad = login_as(world.rep).get(f"{API}/summary", {"start": "2025-03-31", "end": "2025-03-01"})
    assert bad.status_code == 422


def test_list_query_budget(world, login_as, django_assert_max_num_queries):
    for _ in range(15):
        make_order(owner=world.rep)
    client = login_as(world.manager)
    with django_assert_max_num_queries(8):
        body = client.get(f"{API}/orders").json()
    assert body["count"] == 15
    with django_assert_max_num_queries(10):
        assert client.get(f"{API}/orders/{Order.objects.first().pk}").status_code == 200


def test_recording_a_payment_through_the_api(world, login_as):
    order = make_order(owner=world.rep)
    client = login_as(world.rep)
    early = client.post(f"{API}/orders/{order.pk}/payment", {"on": "2025-03-02"}, content_type=JSON)
    assert early.status_code == 422
    assert fields(early) == {"on"}

    r = client.post(f"{API}/orders/{order.pk}/payment", {"on": "2025-03-21"}, content_type=JSON)
    assert r.status_code == 200, r.content
    assert r.json()["paid_on"] == "2025-03-21"
    assert (
        login_as(world.rep2)
        .post(f"{API}/orders/{order.pk}/payment", {"on": "2025-03-21"}, content_type=JSON)
        .status_code
        == 404
    )
