"""Visibility matrix: every world role × list/detail/create/edit/delete, pages and API.

The records belong to `rep` (team A1): visible to admin, the division A managers, the team A1
leader and rep; invisible (404, like a guessed id) to everyone else. Creating an order owned by
rep is allowed to those who cover rep. Nobody deletes orders or returns.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from attain.orders.models import Order, OrderLine, OrderReturn
from attain.orders.services import order_return_record
from attain.orders.tests.factories import DAY, make_account, make_delivered_order, make_product

pytestmark = pytest.mark.django_db
API = "/api/v1/orders"
JSON = "application/json"
ROLES = [
    "admin",
    "manager",
    "assistant",
    "leader",
    "rep",
    "rep2",
    "rep_a2",
    "manager_b",
    "rep_b",
    "marketer",
    "outsider",
]
SEES_REP = {"admin", "manager", "assistant", "leader", "rep"}
GUESS = 987654


@pytest.fixture
def records(world):
    account = make_account(owner=world.rep, name="Zeta Industries")
    product = make_product(sku="ZETA-1")
    order = make_delivered_order(
        owner=world.rep, account=account, product=product, number="ZETA-ORDER"
    )
    line = order.lines.get()
    refund = order_return_record(
        line=line,
        quantity=Decimal("1"),
        returned_on=order.delivered_on,
        reason="defective",
        by=world.rep,
    )
    return order, line, refund, account, product


def snapshot():
    return (
        list(
            Order.objects.order_by("pk").values_list("pk", "number", "notes", "status", "net_total")
        ),
        list(OrderLine.objects.order_by("pk").values_list("pk", "order_id", "net_amount")),
        list(OrderReturn.objects.order_by("pk").values_list("pk", "quantity", "amount")),
    )


def create_form(account, owner, product) -> dict[str, str]:
    return {
        "account": str(account.pk),
        "owner": str(owner.pk),
        "currency": "EUR",
        "ordered_on": DAY.isoformat(),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-product": str(product.pk),
        "lines-0-quantity": "1",
    }


# --- orders: pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_order_pages_matrix(world, login_as, records, role):
    order, line, _refund, account, product = records
    client = login_as(getattr(world, role))
    sees = role in SEES_REP
    expected = 200 if sees else 404

    assert ("ZETA-ORDER" in client.get(reverse("orders:order_list")).text) is sees
    for name in ("order_detail", "order_edit", "order_advance", "order_cancel"):
        assert client.get(reverse(f"orders:{name}", args=[order.pk])).status_code == expected
        assert client.get(reverse(f"orders:{name}", args=[GUESS])).status_code == 404
    assert client.get(reverse("orders:return_create", args=[line.pk])).status_code == expected
    assert client.get(reverse("orders:return_create", args=[GUESS])).status_code == 404

    # edit
    before = snapshot()
    r = client.post(reverse("orders:order_edit", args=[order.pk]), {"notes": f"by {role}"})
    if sees:
        assert r.status_code == 302
        order.refresh_from_db()
        assert order.notes == f"by {role}"
    else:
        assert r.status_code == 404
        assert snapshot() == before
    assert (
        client.post(reverse("orders:order_edit", args=[GUESS]), {"notes": "x"}).status_code == 404
    )

    # cancel / advance on an invisible or guessed order change nothing
    before = snapshot()
    for url in (
        reverse("orders:order_cancel", args=[GUESS]),
        reverse("orders:order_advance", args=[GUESS]),
    ):
        assert (
            client.post(
                url, {"on": "2025-03-20", "reason": "x", "to_status": "followed_up"}
            ).status_code
            == 404
        )
    assert snapshot() == before

    # delete: there is no page for it
    with pytest.raises(NoReverseMatch):
        reverse("orders:order_delete", args=[order.pk])
    assert client.post(f"/orders/{order.pk}/delete/").status_code == 404
    assert Order.objects.filter(pk=order.pk).exists()

    # create an order owned by rep: only those who cover rep
    before = snapshot()
    r = client.post(reverse("orders:order_create"), create_form(account, world.rep, product))
    if sees:
        assert r.status_code == 302
        assert Order.objects.count() == 2
    else:
        assert r.status_code == 200
        assert "owner" in r.context["form"].errors
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_create_orders_they_own(world, login_as, role):
    person = getattr(world, role)
    account = make_account(owner=person)
    product = make_product()
    r = login_as(person).post(reverse("orders:order_create"), create_form(account, person, product))
    assert r.status_code == 302
    assert Order.objects.get().owner == person


# --- orders: API -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_order_api_matrix(world, login_as, records, role):
    order, _line, _refund, account, product = records
    client = login_as(getattr(world, role))
    sees = role in SEES_REP
    expected = 200 if sees else 404

    ids = [o["id"] for o in client.get(f"{API}/orders").json()["items"]]
    assert (order.pk in ids) is sees
    assert client.get(f"{API}/orders/{order.pk}").status_code == expected
    assert client.get(f"{API}/orders/{order.pk}/lifecycle").status_code == expected
    assert client.get(f"{API}/orders/{GUESS}").status_code == 404
    assert client.get(f"{API}/orders/{GUESS}/lifecycle").status_code == 404

    before = snapshot()
    r = client.patch(f"{API}/orders/{order.pk}", {"notes": f"by {role}"}, content_type=JSON)
    assert r.status_code == expected
    if sees:
        assert r.json()["notes"] == f"by {role}"
    else:
        assert snapshot() == before
    assert (
        client.patch(f"{API}/orders/{GUESS}", {"notes": "x"}, content_type=JSON).status_code == 404
    )

    before = snapshot()
    cancel = client.post(
        f"{API}/orders/{order.pk}/cancel", {"on": "2025-03-20", "reason": "x"}, content_type=JSON
    )
    # visible: refused because the order is delivered (422); invisible: 404
    assert cancel.status_code == (422 if sees else 404)
    advance = client.post(
        f"{API}/orders/{GUESS}/advance",
        {"to_status": "followed_up", "on": "2025-03-20"},
        content_type=JSON,
    )
    assert advance.status_code == 404
    assert snapshot()[2] == before[2]

    # delete: not an operation
    assert client.delete(f"{API}/orders/{order.pk}").status_code == 405
    assert client.delete(f"{API}/orders/{GUESS}").status_code == 405
    assert Order.objects.filter(pk=order.pk).exists()

    # create owned by rep
    before = snapshot()
    r = client.post(
        f"{API}/orders",
        {
            "account_id": account.pk,
            "owner_id": world.rep.pk,
            "currency": "EUR",
            "ordered_on": "2025-03-03",
            "lines": [{"product_id": product.pk, "quantity": "1"}],
        },
        content_type=JSON,
    )
    if sees:
        assert r.status_code == 201, r.content
    else:
        assert r.status_code == 403
        assert snapshot() == before


# --- returns -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_return_pages_matrix(world, login_as, records, role):
    _order, line, refund, _account, _product = records
    client = login_as(getattr(world, role))
    sees = role in SEES_REP

    listing = client.get(reverse("orders:return_list")).text
    assert ("ZETA-ORDER" in listing) is sees
    detail = client.get(refund.get_absolute_url())  # a return is shown on its order's page
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert "Defective" in detail.text

    before = snapshot()
    r = client.post(
        reverse("orders:return_create", args=[line.pk]),
        {"quantity": "1", "returned_on": "2025-03-10", "reason": "other"},
    )
    if sees:
        assert r.status_code == 302
        assert OrderReturn.objects.count() == 2
    else:
        assert r.status_code == 404
        assert snapshot() == before
    assert (
        client.post(
            reverse("orders:return_create", args=[GUESS]),
            {"quantity": "1", "returned_on": "2025-03-10", "reason": "other"},
        ).status_code
        == 404
    )

    # returns are money rows: no edit or delete pages
    for name in ("return_edit", "return_delete", "return_detail"):
        with pytest.raises(NoReverseMatch):
            reverse(f"orders:{name}", args=[refund.pk])
    assert client.post(f"/orders/returns/{refund.pk}/delete/").status_code == 404
    assert OrderReturn.objects.filter(pk=refund.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_return_api_matrix(world, login_as, records, role):
    order, line, refund, _account, _product = records
    client = login_as(getattr(world, role))
    sees = role in SEES_REP

    ids = [r["id"] for r in client.get(f"{API}/returns").json()["items"]]
    assert (refund.pk in ids) is sees
    filtered = client.get(f"{API}/returns", {"order_id": order.pk}).json()
    assert filtered["count"] == (1 if sees else 0)

    before = snapshot()
    r = client.post(
        f"{API}/returns",
        {"line_id": line.pk, "quantity": "1", "returned_on": "2025-03-10", "reason": "other"},
        content_type=JSON,
    )
    if sees:
        assert r.status_code == 201, r.content
        assert r.json()["amount"] == "19.99"
    else:
        # an order line the caller cannot see is answered exactly like a missing one
        assert r.status_code == 422
        assert r.json()["detail"][0]["field"] == "line_id"
        assert snapshot() == before
    guessed = client.post(
        f"{API}/returns",
        {"line_id": GUESS, "quantity": "1", "returned_on": "2025-03-10", "reason": "other"},
        content_type=JSON,
    )
    assert guessed.status_code == 422

    # no edit or delete of returns
    assert client.patch(
        f"{API}/returns/{refund.pk}", {"note": "x"}, content_type=JSON
    ).status_code in (404, 405)
    assert client.delete(f"{API}/returns/{refund.pk}").status_code in (404, 405)
    assert OrderReturn.objects.filter(pk=refund.pk).exists()
