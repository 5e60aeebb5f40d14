"""The demo generator: deterministic, consistent, the bulk path equal to the services."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum
from django.test import Client

from attain.catalog.models import Product, ProductPrice
from attain.core.money import quantize_money
from attain.core.selectors import RateIndex
from attain.demo.data import DEMO_PASSWORD, SCALES
from attain.demo.digest import demo_digest, table_rows
from attain.demo.generator import generate, line_net
from attain.demo.plans import LinePlan
from attain.demo.writers import order_line_build, return_refund
from attain.orders.models import Order, OrderLine, OrderReturn
from attain.orders.services import OrderLineInput, order_create
from attain.organization.models import Employment, Membership, Person, Role
from attain.pipeline.models import Deal, DealStageChange, DealStatus

END = dt.date(2026, 11, 20)
#: tiny, but long enough (7 months) for leavers, hires, Q4 and the summer
SCALE = SCALES["tiny"].__class__(**{**SCALES["tiny"].__dict__, "months": 7})

pytestmark = pytest.mark.django_db


def _run(*, seed: int, bulk: bool = False) -> tuple[dict, dict]:
    """Generate inside a savepoint, fingerprint, roll back: a fresh database for the next run."""
    with transaction.atomic():
        generate(seed=seed, scale=SCALE, end_date=END, bulk=bulk)
        digest = demo_digest()
        rows = {name: table_rows(name) for name in digest}
        transaction.set_rollback(True)
    assert not Person.objects.exists()
    return digest, rows


def test_same_seed_gives_identical_data_and_another_seed_differs():
    first, _ = _run(seed=7)
    second, _ = _run(seed=7)
    other, _ = _run(seed=8)

    assert first == second
    assert first["deals"][0] > 50 and first["order_lines"][0] > 20
    assert first["deals"] != other["deals"]


def test_bulk_path_books_exactly_what_the_services_book():
    services, service_rows = _run(seed=5, bulk=False)
    bulk, bulk_rows = _run(seed=5, bulk=True)

    differing = [name for name in services if services[name] != bulk[name]]
    for name in differing:  # show the first differing rows when it fails
        print(name, sorted(set(service_rows[name]) ^ set(bulk_rows[name]))[:4])
    assert differing == []
    assert services["returns"][0] + services["cancellations"][0] > 0


def test_bulk_line_arithmetic_matches_the_orders_service(world):
    """One hand-checked order: the same net, reporting net, cost and refunds both ways."""
    from attain.catalog.services import product_create, product_line_create, product_price_set
    from attain.core.services import exchange_rate_set
    from attain.customers.services import account_create
    from attain.orders.services import order_advance, order_return_record

    day = dt.date(2026, 3, 10)
    exchange_rate_set(currency="GBP", valid_on=dt.date(2026, 3, 1), rate=Decimal("1.1734"))
    line = product_line_create(code="X", name="X line")
    product = product_create(line=line, sku="X-1", name="X one")
    product_price_set(
        product=product,
        valid_from=day,
        currency="GBP",
        list_price=Decimal("333.33"),
        unit_cost=Decimal("123.45"),
    )
    account = account_create(name="Acme", segment="mid_market", owner=world.rep, on=day)
    order = order_create(
        account=account,
        owner=world.rep,
        currency="GBP",
        ordered_on=day,
        lines=[OrderLineInput(product, Decimal("7"), Decimal("333.33"), Decimal("12.5"))],
    )
    booked = order.lines.get()

    rate = RateIndex().rate("GBP", day)
    built = order_line_build(
        product=product,
        quantity=Decimal("7"),
        unit_price=Decimal("333.33"),
        discount_pct=Decimal("12.5"),
        unit_cost=Decimal("123.45"),
        rate=rate,
    )
    # 7 × 333.33 × 0.875 = 2041.646… → 2041.65; × 1.1734 = 2395.67; cost 7 × 123.45 × 1.1734
    assert built.net_amount == booked.net_amount == Decimal("2041.65")
    assert built.net_amount_reporting == booked.net_amount_reporting == Decimal("2395.67")
    assert built.cost_reporting == booked.cost_reporting == Decimal("1013.99")
    assert line_net(LinePlan(product, Decimal("7"), Decimal("333.33"), Decimal("12.5"))) == Decimal(
        "2041.65"
    )

    for status in ("confirmed", "shipped", "delivered"):
        order_advance(order=order, to_status=status, on=day)
    first = order_return_record(
        line=booked, quantity=Decimal("3"), returned_on=day, reason="defective", by=world.rep
    )
    last = order_return_record(
        line=booked, quantity=Decimal("4"), returned_on=day, reason="defective", by=world.rep
    )
    assert return_refund(
        line=built,
        quantity=Decimal("3"),
        returned_quantity=Decimal(0),
        returned_amount=Decimal(0),
        returned_reporting=Decimal(0),
    ) == (first.amount, first.amount_reporting)
    assert return_refund(
        line=built,
        quantity=Decimal("4"),
        returned_quantity=Decimal("3"),
        returned_amount=first.amount,
        returned_reporting=first.amount_reporting,
    ) == (last.amount, last.amount_reporting)
    assert first.amount + last.amount == booked.net_amount


@pytest.fixture
def demo(db):
    return generate(seed=11, scale=SCALE, end_date=END)


def test_totals_and_histories_are_consistent(demo):
    totals = Order.objects.annotate(
        lines_net=Sum("lines__net_amount"), lines_reporting=Sum("lines__net_amount_reporting")
    ).values_list("net_total", "lines_net", "net_total_reporting", "lines_reporting")
    assert len(totals) > 20
    for net, lines_net, reporting, lines_reporting in totals:  # SQLite sums are floats
        assert (net, reporting) == (quantize_money(lines_net), quantize_money(lines_reporting))

    deals = Deal.objects.count()
    firsts = DealStageChange.objects.filter(from_stage__isnull=True)
    assert firsts.count() == deals
    assert firsts.values("deal").distinct().count() == deals
    earliest = Deal.objects.annotate(first_at=Min("stage_changes__changed_at"))
    opening = DealStageChange.objects.filter(from_stage__isnull=True)
    for deal in earliest:
        assert opening.get(deal=deal).changed_at == deal.first_at

    assert not Deal.objects.filter(status=DealStatus.WON, closed_on__lt=F("created_on")).exists()
    assert not Deal.objects.filter(~Q(status=DealStatus.OPEN), closed_on__isnull=True).exists()
    assert not Deal.objects.filter(unit_path="").exists()
    assert not Order.objects.filter(unit_path="").exists()
    # every order of a won deal; returns never exceed their line
    assert not Order.objects.filter(deal__isnull=False).exclude(deal__status="won").exists()
    returned = OrderLine.objects.annotate(back=Sum("returns__amount")).filter(back__isnull=False)
    assert returned.exists()
    for net_amount, back in returned.values_list("net_amount", "back"):
        assert quantize_money(back) <= net_amount


def test_history_has_leavers_hires_and_price_sensitive_division(demo):
    ended = Employment.objects.filter(ended_on__isnull=False)
    assert ended.exists()
    assert set(ended.values_list("separation_type", flat=True)) <= {"voluntary", "involuntary"}
    assert Employment.objects.filter(started_on__gt=END - dt.timedelta(days=7 * 31)).exists()
    assert Membership.objects.filter(role=Role.SALES_OPS, unit__depth=1).count() == 1
    lost = Deal.objects.filter(status=DealStatus.LOST)
    industrial = lost.filter(unit_path__startswith=_path("IND"))
    others = lost.exclude(unit_path__startswith=_path("IND"))
    assert _price_or_competitor_share(industrial) > _price_or_competitor_share(others)


def _price_or_competitor_share(deals) -> float:
    return deals.filter(lost_reason__code__in=["price", "competitor"]).count() / max(
        1, deals.count()
    )


def _path(code: str) -> str:
    from attain.organization.models import OrgUnit

    return OrgUnit.objects.get(code=code).path


def test_demo_logins_work(demo, client: Client):
    logins = [login for login, _, _ in demo.logins]
    assert logins == [
        "admin",
        "manager",
        "assistant",
        "leader",
        "rep",
        "marketing",
        "fulfilment",
        "service",
    ]
    for login in logins:
        assert client.login(username=login, password=DEMO_PASSWORD), login
        client.logout()
    admin = Person.objects.get(user__username="admin")
    assert admin.user.is_superuser and admin.user.is_staff
    rep = Person.objects.get(user__username="rep")
    leader = Person.objects.get(user__username="leader")
    rep_team = rep.memberships.get(valid_to__isnull=True).unit
    assert leader.memberships.get(valid_to__isnull=True, role=Role.TEAM_LEADER).unit == rep_team
    roles = {
        "manager": Role.SALES_MANAGER,
        "assistant": Role.ASSISTANT_SALES_MANAGER,
        "marketing": Role.MARKETING,
        "fulfilment": Role.PRODUCTION,
        "service": Role.CUSTOMER_SERVICE,
    }
    for login, role in roles.items():
        person = Person.objects.get(user__username=login)
        assert person.memberships.filter(role=role, valid_to__isnull=True).exists(), login


def test_if_empty_does_nothing_the_second_time():
    out = io.StringIO()
    call_command(
        "seed_demo",
        "--tiny",
        "--seed",
        "2",
        "--end-date",
        "2026-06-30",
        "--if-empty",
        verbosity=0,
        stdout=out,
    )
    assert "attain-demo" in out.getvalue()
    before = demo_digest()

    again = io.StringIO()
    call_command("seed_demo", "--tiny", "--seed", "3", "--if-empty", verbosity=0, stdout=again)

    assert "already has people" in again.getvalue()
    assert demo_digest() == before


def test_limit_deals_stops_the_bulk_path_early():
    generate(seed=4, scale=SCALE, end_date=END, bulk=True, limit_deals=15)
    assert Deal.objects.count() == 15
    assert DealStageChange.objects.filter(from_stage__isnull=True).count() == 15
    assert ProductPrice.objects.exists() and Product.objects.count() == 20
    assert Deal.objects.values("owner").annotate(n=Count("id")).count() >= 1
    assert not OrderReturn.objects.filter(amount__lt=0).exists()
