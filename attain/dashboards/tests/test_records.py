"""The records behind a dashboard figure for new customers, the repeat-customer rate and returns:
their count or total is the figure (checked against `metric_value` and by hand), cancelled
orders never count, and nobody reads records they may not see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.analytics.metrics import METRICS
from attain.analytics.selectors import Filters, Scope, metric_value
from attain.analytics.tests.factories import line, make_account, make_product
from attain.catalog.models import ProductLine
from attain.customers.models import Segment
from attain.orders import services as orders
from attain.organization import services as org
from attain.organization.models import Role

pytestmark = pytest.mark.django_db

MARCH = "period=custom&start=2026-03-01&end=2026-03-31"
START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
MOVE_DAY = dt.date(2026, 3, 26)


def _order(account, owner, on, product, quantity, price, *, delivered=None):
    order = orders.order_create(
        account=account,
        owner=owner,
        currency="EUR",
        ordered_on=on,
        lines=[line(product, quantity, price)],
    )
    if delivered:
        order = orders.order_advance(order=order, to_status="delivered", on=delivered)
    return order


def _return(order, quantity, on, by):
    return orders.order_return_record(
        line=order.lines.get(),
        quantity=Decimal(quantity),
        returned_on=on,
        reason="defective",
        by=by,
    )


@pytest.fixture
def shop(world):
    """Customers of team A1 (rep, rep2) and of division B (rep_b); rep sells in the North.

    March 2026, non-cancelled orders per customer:
      Acme  (mid)   rep 5th (first), rep 20th                    new (rep), repeat
      Old   (mid)   rep 12th; its first order is rep's 10 Feb     not new, not repeat
      Zed   (ent)   rep 15th; rep's 2 March order is cancelled    new (rep) on the 15th, not repeat
      Bolt  (ent)   rep2 8th (first), rep2 9th                   new (rep2), repeat
      Both  (mid)   rep2 3rd (first), rep 25th                   new (rep2), repeat in team A1
      Far   (mid)   rep_b 10th                                   new (rep_b), not repeat
    Returns by return date: Old's February order 80.00 on 1 March (line two), Acme's first order
    100.00 on 10 March, Bolt 125.00 on 20 March, Far 60.00 on 11 March; Acme's second order
    100.00 on 2 April (outside March).
    """
    w = world
    north = org.territory_create(name="North", kind="region", region="North")
    org.territory_assign(territory=north, person=w.rep, valid_from=dt.date(2020, 1, 1))
    l1 = ProductLine.objects.create(code="L1", name="Line one")
    l2 = ProductLine.objects.create(code="L2", name="Line two")
    p1 = make_product(sku="P1", line=l1, prices=[("EUR", "100", "40")])
    p2 = make_product(sku="P2", line=l2, prices=[("EUR", "80", "30")])
    acme = make_account(owner=w.rep, name="Acme", segment="mid_market")
    old = make_account(owner=w.rep, name="Old", segment="mid_market")
    zed = make_account(owner=w.rep, name="Zed", segment="enterprise")
    bolt = make_account(owner=w.rep2, name="Bolt", segment="enterprise")
    both = make_account(owner=w.rep2, name="Both", segment="mid_market")
    far = make_account(owner=w.rep_b, name="Far", segment="mid_market")

    o = {}
    o["old_feb"] = _order(
        old, w.rep, dt.date(2026, 2, 10), p2, "1", "80.00", delivered=dt.date(2026, 2, 12)
    )
    o["acme1"] = _order(
        acme, w.rep, dt.date(2026, 3, 5), p1, "2", "100.00", delivered=dt.date(2026, 3, 7)
    )
    o["acme2"] = _order(
        acme, w.rep, dt.date(2026, 3, 20), p1, "1", "100.00", delivered=dt.date(2026, 3, 22)
    )
    o["old_mar"] = _order(old, w.rep, dt.date(2026, 3, 12), p1, "3", "100.00")
    o["zed_cancelled"] = _order(zed, w.rep, dt.date(2026, 3, 2), p1, "5", "100.00")
    orders.order_cancel(order=o["zed_cancelled"], on=dt.date(2026, 3, 3), reason="Budget", by=w.rep)
    o["zed"] = _order(zed, w.rep, dt.date(2026, 3, 15), p1, "1", "50.00")
    o["bolt1"] = _order(
        bolt, w.rep2, dt.date(2026, 3, 8), p1, "2", "125.00", delivered=dt.date(2026, 3, 9)
    )
    o["bolt2"] = _order(bolt, w.rep2, dt.date(2026, 3, 9), p1, "1", "100.00")
    o["both1"] = _order(both, w.rep2, dt.date(2026, 3, 3), p1, "1", "100.00")
    o["both2"] = _order(both, w.rep, dt.date(2026, 3, 25), p1, "1", "100.00")
    o["far"] = _order(
        far, w.rep_b, dt.date(2026, 3, 10), p1, "1", "60.00", delivered=dt.date(2026, 3, 10)
    )

    _return(o["old_feb"], "1", dt.date(2026, 3, 1), w.rep)
    _return(o["acme1"], "1", dt.date(2026, 3, 10), w.rep)
    _return(o["acme2"], "1", dt.date(2026, 4, 2), w.rep)
    _return(o["bolt1"], "1", dt.date(2026, 3, 20), w.rep2)
    _return(o["far"], "1", dt.date(2026, 3, 11), w.rep_b)
    return {"north": north, "l1": l1, "l2": l2, "orders": o}


def _pk(world, kind, subject):
    if kind == "seller":
        return world.people[subject].pk
    if kind == "unit":
        return getattr(world, subject).pk
    return None


def _scope(world, kind, pk):
    if kind == "seller":
        return Scope(person_id=pk)
    if kind == "unit":
        return Scope(unit_path=world.team_a1.path if pk == world.team_a1.pk else None)
    return Scope()


def _get(client, metric, kind, pk=None, extra=""):
    url = f"/dashboards/records/?{MARCH}&kind={kind}&pk={pk or ''}&metric={metric}{extra}"
    response = client.get(url)
    assert response.status_code == 200, url
    return response


# --- new customers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("login", "kind", "subject", "segment", "north", "accounts"),
    [
        ("rep", "seller", "rep", "", False, ["Zed", "Acme"]),
        ("leader", "seller", "rep2", "", False, ["Bolt", "Both"]),
        ("leader", "unit", "team_a1", "", False, ["Zed", "Bolt", "Acme", "Both"]),
        ("admin", "company", None, "", False, ["Zed", "Far", "Bolt", "Acme", "Both"]),
        ("leader", "unit", "team_a1", "enterprise", False, ["Zed", "Bolt"]),
        ("leader", "unit", "team_a1", "", True, ["Zed", "Acme"]),
    ],
)
def test_new_customers_are_the_first_orders_and_count_to_the_figure(
    world, login_as, shop, login, kind, subject, segment, north, accounts
):
    pk = _pk(world, kind, subject)
    filters = Filters(segment=segment or None, territory_id=shop["north"].pk if north else None)
    extra = (f"&segment={segment}" if segment else "") + (
        f"&territory={shop['north'].pk}" if north else ""
    )
    response = _get(login_as(world.people[login]), "new_customers", kind, pk, extra)

    figure = metric_value(
        metric="new_customers", scope=_scope(world, kind, pk), start=START, end=END, filters=filters
    )
    assert response.context["count"] == len(accounts)
    assert figure == Decimal(len(accounts))
    # newest first; Old (first order in February) and Zed's cancelled order never appear
    assert [o.account.name for o in response.context["rows"]] == accounts
    assert shop["orders"]["zed_cancelled"] not in response.context["rows"]
    assert response.templates[0].name == "dashboards/records_new_customers.html"


def test_new_customer_rows_show_the_first_order_credited_to_its_seller(world, login_as, shop):
    response = _get(login_as(world.leader), "new_customers", "unit", world.team_a1.pk)
    by_account = {o.account.name: o for o in response.context["rows"]}
    # Both's first order is rep2's, although rep sold to Both later in March
    assert by_account["Both"] == shop["orders"]["both1"]
    assert by_account["Both"].owner == world.rep2
    # Zed's first live order is the one on the 15th (the 2 March one was cancelled)
    assert by_account["Zed"] == shop["orders"]["zed"]
    assert by_account["Zed"].territory == shop["north"]
    # 2 × 100 + 50 + 2 × 125 + 100 = 600.00
    assert response.context["totals"]["value"] == Decimal("600.00")
    html = response.content.decode()
    assert shop["orders"]["both1"].number in html
    assert str(Segment.ENTERPRISE.label) in html


# --- repeat-customer rate -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("login", "kind", "subject", "segment", "customers", "repeat", "rate"),
    [
        # Acme 2, Old 1, Zed 1 (the cancelled order does not count), Both 1 (rep's own)
        ("rep", "seller", "rep", "", 4, 1, "25.00"),
        # + Bolt 2, Both 2 (rep2 and rep)
        ("leader", "unit", "team_a1", "", 5, 3, "60.00"),
        # + Far 1
        ("admin", "company", None, "", 6, 3, "50.00"),
        # Acme 2, Old 1, Both 2 → 2 ÷ 3
        ("leader", "unit", "team_a1", "mid_market", 3, 2, "66.67"),
        ("leader", "unit", "team_a1", "enterprise", 2, 1, "50.00"),
    ],
)
def test_repeat_customer_rate_records_add_up_to_the_figure(
    world, login_as, shop, login, kind, subject, segment, customers, repeat, rate
):
    pk = _pk(world, kind, subject)
    extra = f"&segment={segment}" if segment else ""
    response = _get(login_as(world.people[login]), "repeat_customer_rate", kind, pk, extra)

    totals = response.context["totals"]
    figure = metric_value(
        metric="repeat_customer_rate",
        scope=_scope(world, kind, pk),
        start=START,
        end=END,
        filters=Filters(segment=segment or None),
    )
    assert (totals["customers"], totals["repeat"], totals["rate"]) == (
        customers,
        repeat,
        Decimal(rate),
    )
    assert figure == Decimal(rate)
    assert response.context["count"] == customers
    rows = response.context["rows"]
    assert sum(r.repeat for r in rows) == repeat
    assert f"{repeat} ÷ {customers} × 100 = {rate} %" in response.content.decode()


def test_repeat_customer_rows_count_orders_and_name_the_sellers(world, login_as, shop):
    response = _get(login_as(world.leader), "repeat_customer_rate", "unit", world.team_a1.pk)
    rows = {r.name: r for r in response.context["rows"]}
    assert {name: (r.orders, r.repeat) for name, r in rows.items()} == {
        "Acme": (2, True),
        "Bolt": (2, True),
        "Both": (2, True),
        "Old": (1, False),
        "Zed": (1, False),
    }
    assert rows["Both"].sellers == sorted([world.rep, world.rep2], key=str)
    assert rows["Zed"].sellers == [world.rep]
    # most orders first, then by name
    assert [r.name for r in response.context["rows"]] == ["Acme", "Bolt", "Both", "Old", "Zed"]


def test_repeat_customer_rate_without_orders_has_no_value(world, login_as, shop):
    response = login_as(world.rep).get(
        f"/dashboards/records/?period=custom&start=2026-06-01&end=2026-06-30"
        f"&kind=seller&pk={world.rep.pk}&metric=repeat_customer_rate"
    )
    assert response.context["totals"] == {"customers": 0, "repeat": 0, "rate": None}
    assert (
        metric_value(
            metric="repeat_customer_rate",
            scope=Scope(person_id=world.rep.pk),
            start=dt.date(2026, 6, 1),
            end=dt.date(2026, 6, 30),
        )
        is None
    )


def test_repeat_customer_records_are_paginated_by_fifty(
    world, login_as, shop, django_assert_max_num_queries
):
    p = make_product(sku="PX", line=shop["l1"], prices=[("EUR", "10", "1")])
    for n in range(48):
        account = make_account(owner=world.rep, name=f"Extra {n:02}", segment="mid_market")
        _order(account, world.rep, dt.date(2026, 3, 18), p, "1", "10.00")
    client = login_as(world.rep)
    with django_assert_max_num_queries(12):  # the same budget as a page of five customers
        first = _get(client, "repeat_customer_rate", "seller", world.rep.pk)
    second = _get(client, "repeat_customer_rate", "seller", world.rep.pk, "&page=2")
    # 4 + 48 = 52 customers, 1 repeat → 1.92 %
    assert first.context["totals"]["rate"] == Decimal("1.92")
    assert (len(first.context["rows"]), len(second.context["rows"])) == (50, 2)
    assert first.context["rows"][0].name == "Acme"
    assert [r.name for r in second.context["rows"]] == ["Old", "Zed"]


# --- returns --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("login", "kind", "subject", "line_code", "total", "count"),
    [
        # Old's February order returned 1 March (80.00) + Acme 10 March (100.00)
        ("rep", "seller", "rep", "", "180.00", 2),
        ("leader", "unit", "team_a1", "", "305.00", 3),
        ("admin", "company", None, "", "365.00", 4),
        ("leader", "unit", "team_a1", "L2", "80.00", 1),
        ("leader", "unit", "team_a1", "L1", "225.00", 2),
    ],
)
def test_returns_records_total_the_figure(
    world, login_as, shop, login, kind, subject, line_code, total, count
):
    pk = _pk(world, kind, subject)
    filters = Filters()
    extra = ""
    if line_code:
        product_line = shop["l1"] if line_code == "L1" else shop["l2"]
        filters = Filters(product_line_id=product_line.pk)
        extra = f"&product_line={product_line.pk}"
    response = _get(login_as(world.people[login]), "returns", kind, pk, extra)

    figure = metric_value(
        metric="returns", scope=_scope(world, kind, pk), start=START, end=END, filters=filters
    )
    assert response.context["totals"]["refunded"] == Decimal(total)
    assert figure == Decimal(total)
    assert response.context["count"] == count
    # the April return of Acme's second order is never in March
    assert all(r.returned_on <= END for r in response.context["rows"])


def test_returns_filtered_by_territory_and_segment(world, login_as, shop):
    client = login_as(world.leader)
    north = _get(client, "returns", "unit", world.team_a1.pk, f"&territory={shop['north'].pk}")
    enterprise = _get(client, "returns", "unit", world.team_a1.pk, "&segment=enterprise")
    scope = Scope(unit_path=world.team_a1.path)
    assert north.context["totals"]["refunded"] == Decimal("180.00")  # rep sells in the North
    assert enterprise.context["totals"]["refunded"] == Decimal("125.00")  # Bolt
    assert metric_value(
        metric="returns",
        scope=scope,
        start=START,
        end=END,
        filters=Filters(territory_id=shop["north"].pk),
    ) == Decimal("180.00")
    assert metric_value(
        metric="returns", scope=scope, start=START, end=END, filters=Filters(segment="enterprise")
    ) == Decimal("125.00")
    rows = list(north.context["rows"])
    assert [(r.returned_on, r.line.order.number, r.amount_reporting) for r in rows] == [
        (dt.date(2026, 3, 10), shop["orders"]["acme1"].number, Decimal("100.00")),
        (dt.date(2026, 3, 1), shop["orders"]["old_feb"].number, Decimal("80.00")),
    ]


# --- who may read which records -------------------------------------------------------------

NEW_FAMILIES = ("new_customers", "repeat_customer_rate", "returns")


@pytest.mark.parametrize("metric", NEW_FAMILIES)
def test_nobody_reads_records_they_may_not_see(world, login_as, shop, metric):
    rep = login_as(world.rep)
    for query in (
        f"kind=seller&pk={world.rep2.pk}",
        f"kind=seller&pk={world.rep_b.pk}",
        f"kind=unit&pk={world.team_a1.pk}",
        "kind=company",
    ):
        response = rep.get(f"/dashboards/records/?{MARCH}&{query}&metric={metric}")
        assert response.status_code == 404, query
    manager_b = login_as(world.manager_b)
    response = manager_b.get(
        f"/dashboards/records/?{MARCH}&kind=unit&pk={world.team_a1.pk}&metric={metric}"
    )
    assert response.status_code == 404


def test_a_leader_sees_only_the_records_stamped_in_the_team(world, login_as, shop):
    # rep moves to team A2 on 26 March: later orders are stamped there, out of the leader's
    # sight (the same rule as the order-line records)
    org.person_move(person=world.rep, unit=world.team_a2, role=Role.SALES_REP, on=MOVE_DAY)
    p = make_product(sku="PM", line=shop["l1"], prices=[("EUR", "10", "1")])
    moved = make_account(owner=world.rep2, name="Moved", segment="mid_market")
    _order(moved, world.rep, dt.date(2026, 3, 28), p, "1", "10.00")
    response = _get(login_as(world.leader), "new_customers", "seller", world.rep.pk)
    assert "Moved" not in [o.account.name for o in response.context["rows"]]
    admin = _get(login_as(world.admin), "new_customers", "seller", world.rep.pk)
    assert "Moved" in [o.account.name for o in admin.context["rows"]]


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_every_metric_has_a_records_page(world, login_as, shop, metric):
    response = _get(login_as(world.admin), metric, "company")
    template = response.templates[0].name
    if metric == "csat":
        assert template == "dashboards/records_none.html"
    else:
        assert template != "dashboards/records_none.html"


@pytest.mark.parametrize("metric", NEW_FAMILIES)
def test_record_pages_have_a_query_budget(
    world, login_as, shop, metric, django_assert_max_num_queries
):
    client = login_as(world.leader)
    with django_assert_max_num_queries(12):
        _get(client, metric, "unit", world.team_a1.pk)
