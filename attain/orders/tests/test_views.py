"""Order pages render, take orders through the formset and run the lifecycle actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from attain.orders.models import Order, OrderReturn, OrderStatus
from attain.orders.services import order_advance, order_cancel
from attain.orders.tests.factories import (
    DAY,
    make_account,
    make_deal,
    make_delivered_order,
    make_order,
    make_product,
)
from attain.pipeline.models import DealStatus


def line_data(rows: list[dict[str, str]], total: int = 3) -> dict[str, str]:
    data = {
        "lines-TOTAL_FORMS": str(total),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{index}-{key}"] = value
    return data


def header(account, owner, **extra: str) -> dict[str, str]:
    data = {
        "account": str(account.pk),
        "owner": str(owner.pk),
        "currency": "EUR",
        "ordered_on": DAY.isoformat(),
        "delivery_promised_on": (DAY + dt.timedelta(10)).isoformat(),
    }
    data.update(extra)
    return data


def test_list_detail_and_forms_render(world, login_as):
    order = make_delivered_order(owner=world.rep, delivery_promised_on=DAY + dt.timedelta(2))
    client = login_as(world.rep)
    listing = client.get(reverse("orders:order_list"), {"q": order.number, "sort": "-net_total"})
    assert listing.status_code == 200
    assert order.number in listing.text
    assert (
        client.get(reverse("orders:order_list"), {"late": "1", "status": "taken"}).status_code
        == 200
    )
    detail = client.get(order.get_absolute_url())
    assert detail.status_code == 200
    assert "53.97" not in detail.text  # no discount here: 3 × 19.99 = 59.97
    assert "59.97" in detail.text
    assert "3 days late" in detail.text  # delivered 2025-03-08, promised 2025-03-05
    assert reverse("orders:return_create", args=[order.lines.get().pk]) in detail.text
    for name in ("order_edit", "order_advance", "order_cancel"):
        assert client.get(reverse(f"orders:{name}", args=[order.pk])).status_code == 200
    line = order.lines.get()
    assert client.get(reverse("orders:return_create", args=[line.pk])).status_code == 200
    assert client.get(reverse("orders:return_list")).status_code == 200
    assert client.get(reverse("orders:order_create")).status_code == 200


def test_create_order_with_formset_lines(world, login_as):
    account = make_account(owner=world.rep)
    product = make_product(prices=[("EUR", "19.99", "8.00")])
    client = login_as(world.rep)
    data = header(account, world.rep)
    data.update(line_data([{"product": str(product.pk), "quantity": "3", "discount_pct": "10"}]))
    response = client.post(reverse("orders:order_create"), data)
    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == order.get_absolute_url()
    assert order.net_total == Decimal("53.97")
    assert order.delivery_promised_on == DAY + dt.timedelta(10)


def test_create_order_errors_name_the_line_and_save_nothing(world, login_as):
    account = make_account(owner=world.rep)
    product = make_product()
    client = login_as(world.rep)
    data = header(account, world.rep)
    data.update(
        line_data(
            [
                {"product": str(product.pk), "quantity": "1"},
                {"product": str(product.pk), "quantity": "1", "discount_pct": "101"},
            ]
        )
    )
    response = client.post(reverse("orders:order_create"), data)
    assert response.status_code == 200
    assert "lines[1].discount_pct: must be between 0 and 100" in response.text
    assert Order.objects.count() == 0


def test_create_order_without_lines_is_refused(world, login_as):
    account = make_account(owner=world.rep)
    client = login_as(world.rep)
    data = header(account, world.rep)
    data.update(line_data([]))
    response = client.post(reverse("orders:order_create"), data)
    assert response.status_code == 200
    assert "An order needs at least one line." in response.text
    assert Order.objects.count() == 0


def test_rep_cannot_create_for_someone_else(world, login_as):
    account = make_account(owner=world.rep)
    product = make_product()
    client = login_as(world.rep)
    data = header(account, world.rep2)
    data.update(line_data([{"product": str(product.pk), "quantity": "1"}]))
    response = client.post(reverse("orders:order_create"), data)
    assert response.status_code == 200
    assert "You may only choose yourself or people in the units you lead." in response.text
    assert Order.objects.count() == 0


def test_create_prefilled_from_won_deal(world, login_as):
    account = make_account(owner=world.rep)
    deal = make_deal(account=account, currency="EUR")
    product = make_product()
    client = login_as(world.rep)
    page = client.get(reverse("orders:order_create"), {"deal": deal.pk})
    assert page.status_code == 200
    assert f'value="{deal.pk}"' in page.text
    data = header(account, world.rep, deal=str(deal.pk))
    data.update(line_data([{"product": str(product.pk), "quantity": "2"}]))
    response = client.post(reverse("orders:order_create") + f"?deal={deal.pk}", data)
    assert response.status_code == 302
    assert Order.objects.get().deal == deal


def test_create_from_open_deal_is_refused(world, login_as):
    account = make_account(owner=world.rep)
    deal = make_deal(account=account, status=DealStatus.OPEN)
    product = make_product()
    client = login_as(world.rep)
    data = header(account, world.rep, deal=str(deal.pk))
    data.update(line_data([{"product": str(product.pk), "quantity": "2"}]))
    response = client.post(reverse("orders:order_create") + f"?deal={deal.pk}", data)
    assert response.status_code == 200
    assert Order.objects.count() == 0


def test_advance_cancel_and_return_actions(world, login_as):
    order = make_order(owner=world.rep)
    client = login_as(world.rep)
    url = reverse("orders:order_advance", args=[order.pk])
    assert client.post(url, {"to_status": "shipped", "on": "2025-03-05"}).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.confirmed_on) == (OrderStatus.SHIPPED, dt.date(2025, 3, 5))
    backwards = client.post(url, {"to_status": "delivered", "on": "2025-03-04"})
    assert backwards.status_code == 200
    assert "cannot be before the previous step" in backwards.text
    cancel = client.post(
        reverse("orders:order_cancel", args=[order.pk]), {"on": "2025-03-06", "reason": "Gone"}
    )
    assert cancel.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert "Gone" in client.get(order.get_absolute_url()).text

    delivered = make_delivered_order(owner=world.rep)
    line = delivered.lines.get()
    response = client.post(
        reverse("orders:return_create", args=[line.pk]),
        {"quantity": "1", "returned_on": "2025-03-09", "reason": "defective", "note": ""},
    )
    assert response.status_code == 302
    assert OrderReturn.objects.get().amount == Decimal("19.99")
    over = client.post(
        reverse("orders:return_create", args=[line.pk]),
        {"quantity": "5", "returned_on": "2025-03-09", "reason": "defective"},
    )
    assert "Only 2 of 3 can still be returned on this line." in over.text
    assert OrderReturn.objects.count() == 1


def test_edit_notes_and_lines_while_taken(world, login_as):
    order = make_order(owner=world.rep)
    client = login_as(world.rep)
    product = make_product(prices=[("EUR", "5.00", "1.00")])
    response = client.post(
        reverse("orders:order_edit", args=[order.pk]),
        {"notes": "Gate 4", "ship_promised_on": "2025-03-10"},
    )
    assert response.status_code == 302
    added = client.post(
        reverse("orders:order_line_add", args=[order.pk]),
        {"line-product": str(product.pk), "line-quantity": "2", "line-discount_pct": "0"},
    )
    assert added.status_code == 302
    order.refresh_from_db()
    assert (order.notes, order.ship_promised_on) == ("Gate 4", dt.date(2025, 3, 10))
    assert order.net_total == Decimal("69.97")
    first = order.lines.order_by("pk").first()
    client.post(reverse("orders:order_line_remove", args=[order.pk, first.pk]))
    order.refresh_from_db()
    assert order.net_total == Decimal("10.00")


def test_cancelled_order_page_shows_no_actions(world, login_as):
    order = make_order(owner=world.rep)
    order_advance(order=order, to_status="confirmed", on=DAY)
    order_cancel(order=order, on=DAY, reason="Duplicate", by=world.rep)
    page = login_as(world.rep).get(order.get_absolute_url())
    assert "Duplicate" in page.text
    assert reverse("orders:order_cancel", args=[order.pk]) not in page.text
    assert reverse("orders:order_advance", args=[order.pk]) not in page.text


def test_order_list_query_budget(world, login_as, django_assert_max_num_queries):
    for _ in range(12):
        make_order(owner=world.rep)
    client = login_as(world.manager)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("orders:order_list"))
    assert response.status_code == 200
    assert response.text.count("SO-2025-") == 12


def test_return_list_query_budget(world, login_as, django_assert_max_num_queries):
    from attain.orders.services import order_return_record

    for _ in range(6):
        order = make_delivered_order(owner=world.rep)
        order_return_record(
            line=order.lines.get(),
            quantity=Decimal(1),
            returned_on=order.delivered_on,
            reason="other",
            by=world.rep,
        )
    client = login_as(world.rep)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("orders:return_list"))
    assert response.text.count("SO-2025-") == 6


def test_late_and_status_filters_on_the_list(world, login_as):
    late = make_order(owner=world.rep, confirm_promised_on=DAY)  # long overdue by now
    on_track = make_order(owner=world.rep, confirm_promised_on=dt.date(2999, 1, 1))
    delivered = make_delivered_order(owner=world.rep)
    client = login_as(world.rep)
    body = client.get(reverse("orders:order_list"), {"late": "1"}).text
    assert late.number in body
    assert on_track.number not in body
    assert delivered.number not in body
    body = client.get(reverse("orders:order_list"), {"status": "delivered"}).text
    assert (late.number in body, delivered.number in body) == (False, True)


def test_admin_screens_are_read_only_and_show_orders(world, login_as):
    order = make_delivered_order(owner=world.rep)
    from attain.orders.services import order_return_record

    order_return_record(
        line=order.lines.get(),
        quantity=Decimal(1),
        returned_on=order.delivered_on,
        reason="other",
        by=world.rep,
    )
    world.admin.user.is_staff = True
    world.admin.user.save()
    client = login_as(world.admin)
    for model in ("order", "orderline", "ordercancellation", "orderreturn"):
        assert client.get(f"/admin/orders/{model}/").status_code == 200
    assert order.number in client.get("/admin/orders/order/").text
    assert client.get(f"/admin/orders/order/{order.pk}/change/").status_code == 200
    assert client.get("/admin/orders/order/add/").status_code == 403
    assert client.post(f"/admin/orders/order/{order.pk}/delete/").status_code == 403


def test_the_payment_page_records_the_day_and_explains_a_bad_one(world, login_as):
    order = make_order(owner=world.rep)
    client = login_as(world.rep)
    url = reverse("orders:order_payment", args=[order.pk])
    assert "Record payment" in client.get(order.get_absolute_url()).content.decode()

    refused = client.post(url, {"on": "2025-03-01"})
    assert refused.status_code == 200
    assert "cannot be before the order was taken (2025-03-03)." in refused.content.decode()
    order.refresh_from_db()
    assert order.paid_on is None

    done = client.post(url, {"on": "2025-03-20"})
    assert done.status_code == 302 and done["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.paid_on == dt.date(2025, 3, 20)


def test_a_colleague_cannot_record_the_payment_of_an_order_they_do_not_see(world, login_as):
    order = make_order(owner=world.rep)
    url = reverse("orders:order_payment", args=[order.pk])
    assert login_as(world.rep2).post(url, {"on": "2025-03-20"}).status_code == 404
    order.refresh_from_db()
    assert order.paid_on is None
