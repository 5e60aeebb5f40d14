"""The demo-data generator: a company with 24 months of seasonal sales history.

`generate(seed=, scale=, end_date=)` builds, in this order and always through the services:
the organisation over time (units, people, memberships, reporting lines, employments with
leavers and new hires, territories), the catalog with dated prices, monthly exchange rates.
Then it draws the sales history seller by seller from seeded random streams (one stream per
seller, so the plan of one seller never depends on another) and hands each plan to a writer:
`ServiceWriter` books through the services (small, medium), `BulkWriter` builds the same rows
with `bulk_create` (large), computing exactly what the services compute. Last come the goals
(see quotas.py): quotas sized from each seller's skill, the season and ramp-up, rolled up the
organisation, with a few revisions and acknowledgements.

Deterministic: the same seed and end date give the same data. Only `random.Random` instances
seeded from strings are used, all collections are lists in a fixed order, and every timestamp
is derived from a date.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from attain.catalog.models import Product, ProductLine
from attain.catalog.services import product_create, product_line_create, product_price_set
from attain.core.money import quantize_money
from attain.core.periods import add_months, month_of, today
from attain.core.services import exchange_rate_set
from attain.demo import data
from attain.demo.plans import (
    AccountPlan,
    ActivityPlan,
    ContactPlan,
    DealPlan,
    LeadPlan,
    LinePlan,
    OrderPlan,
    ReturnPlan,
)
from attain.demo.writers import BulkWriter, ServiceWriter, Writer, order_line_build
from attain.organization.models import (
    OrgUnit,
    Person,
    Role,
    SeparationType,
    Territory,
    TerritoryKind,
    UnitKind,
)
from attain.organization.services import (
    employment_end,
    membership_start,
    person_create,
    reporting_line_set,
    territory_assign,
    territory_create,
    unit_create,
)
from attain.pipeline.models import LostReason, Stage

OPEN_STAGE_CODES = ("prospecting", "qualification", "needs_analysis", "proposal", "negotiation")
LOGIN_ORDER = (
    "admin",
    "manager",
    "assistant",
    "leader",
    "rep",
    "marketing",
    "fulfilment",
    "service",
)


# --- small deterministic helpers ------------------------------------------------------------


def weighted[T](rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    """One option drawn by weight (options in a fixed order)."""
    total = sum(weight for _, weight in options)
    point = rng.random() * total
    for value, weight in options:
        point -= weight
        if point < 0:
            return value
    return options[-1][0]


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation keeps large scales fast
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def workday(day: dt.date, *, low: dt.date, high: dt.date) -> dt.date:
    """Move a weekend day to the next Monday, or back to Friday when that passes `high`."""
    if day.weekday() < 5:
        return day
    forward = day + dt.timedelta(days=7 - day.weekday())
    if forward <= high:
        return forward
    back = day - dt.timedelta(days=day.weekday() - 4)
    return back if back >= low else day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A fixed local time on `day` (aware), so timestamps follow from dates only."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- the organisation ------------------------------------------------------------------------


@dataclass
class Seller:
    index: int
    person: Person
    division: str
    team: OrgUnit
    leader: Person
    territory_key: str
    profile: tuple[str, int, float, Decimal, float]
    started_on: dt.date
    left_on: dt.date | None = None
    line_codes: tuple[str, ...] = ()

    def employed_until(self, end: dt.date) -> dt.date:
        return min(self.left_on, end) if self.left_on else end


@dataclass
class Org:
    company: OrgUnit
    sellers: list[Seller] = field(default_factory=list)
    territories: dict[str, Territory] = field(default_factory=dict)
    territory_keys: list[str] = field(default_factory=list)
    fulfilment: list[Person] = field(default_factory=list)
    service: list[Person] = field(default_factory=list)
    logins: dict[str, Person] = field(default_factory=dict)
    people: int = 0
    #: the sales units (divisions, business units, teams) with their parent, parents first
    sales_units: list[tuple[OrgUnit, OrgUnit]] = field(default_factory=list)
    #: division code -> (division, its sales manager)
    divisions: dict[str, tuple[OrgUnit, Person]] = field(default_factory=dict)


class _People:
    """Creates people with unique names/emails from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0
        self.used: set[tuple[str, str]] = set()  # membership tests only, never iterated

    def create(self, *, title: str, started_on: dt.date, username: str | None = None) -> Person:
        self.count += 1
        for _attempt in range(20):
            first = self.rng.choice(data.FIRST_NAMES)
            last = self.rng.choice(data.LAST_NAMES)
            if (first, last) not in self.used:
                break
        self.used.add((first, last))
        return person_create(
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{self.count}@northwind.example".lower(),
            title=title,
            username=username,
            password=data.DEMO_PASSWORD if username else None,
            started_on=started_on,
            external_ref=f"demo-P{self.count:05d}",
        )


def _place(person: Person, unit: OrgUnit, role: str, since: dt.date) -> None:
    membership_start(person=person, unit=unit, role=role, valid_from=since)


def build_org(*, seed: int, scale: data.Scale, start: dt.date, end: dt.date) -> Org:
    """Units, people with their roles, reporting lines, territories, leavers and new hires."""
    rng = random.Random(f"{seed}:org")
    people = _People(random.Random(f"{seed}:names"))

    def hired_before_start() -> dt.date:
        return start - days(rng.randint(120, 2600))

    company = unit_create(name=data.COMPANY_NAME, kind=UnitKind.COMPANY, code=data.COMPANY_CODE)
    org = Org(company=company)

    admin_start = hired_before_start()
    admin = people.create(title="Sales operations", started_on=admin_start, username="admin")
    # no service grants superuser rights; the demo admin is the one place that needs it
    get_user_model().objects.filter(person=admin).update(is_staff=True, is_superuser=True)
    _place(admin, company, Role.SALES_OPS, admin_start)
    org.logins["admin"] = admin

    for key, (name, _countries) in zip([r[0] for r in data.REGIONS], data.REGIONS, strict=True):
        org.territories[key] = territory_create(
            name=name, kind=TerritoryKind.REGION, region=name, unit=company
        )
    seg_name, seg_code = data.SEGMENT_TERRITORY
    org.territories[seg_name] = territory_create(
        name=seg_name, kind=TerritoryKind.SEGMENT, segment=seg_code, unit=company
    )
    org.territories[data.NAMED_TERRITORY] = territory_create(
        name=data.NAMED_TERRITORY,
        kind=TerritoryKind.NAMED_ACCOUNTS,
        unit=company,
        description="Enterprise accounts managed by name.",
    )
    org.territory_keys = [r[0] for r in data.REGIONS] + [seg_name, data.NAMED_TERRITORY]

    # departments
    departments = (
        ("MKT", "Marketing", Role.MARKETING, "marketing", "Marketing specialist"),
        ("FUL", "Production & Fulfilment", Role.PRODUCTION, "fulfilment", "Fulfilment planner"),
        ("SVC", "Customer Service", Role.CUSTOMER_SERVICE, "service", "Service agent"),
    )
    for code, name, role, login, title in departments:
        unit = unit_create(name=name, kind=UnitKind.DEPARTMENT, code=code, parent=company)
        head: Person | None = None
        for i in range(scale.department_size):
            since = hired_before_start()
            person = people.create(
                title=title if i else f"Head of {name}",
                started_on=since,
                username=login if i == 1 or (i == 0 and scale.department_size == 1) else None,
            )
            _place(person, unit, role, since)
            if head is None:
                head = person
            else:
                reporting_line_set(person=person, manager=head, valid_from=since)
            if person.user_id:
                org.logins[login] = person
            if role == Role.PRODUCTION:
                org.fulfilment.append(person)
            elif role == Role.CUSTOMER_SERVICE:
                org.service.append(person)

    territory_cycle = 0
    profiles = [(p, float(p[1])) for p in data.PROFILES]
    for d_index, (d_code, d_name, line_codes) in enumerate(data.DIVISIONS):
        division = unit_create(name=d_name, kind=UnitKind.DIVISION, code=d_code, parent=company)
        first = d_index == 0
        m_start = hired_before_start()
        manager = people.create(
            title=f"Sales manager {d_name}",
            started_on=m_start,
            username="manager" if first else None,
        )
        _place(manager, division, Role.SALES_MANAGER, m_start)
        org.sales_units.append((division, company))
        org.divisions[d_code] = (division, manager)
        a_start = hired_before_start()
        assistant = people.create(
            title=f"Assistant sales manager {d_name}",
            started_on=a_start,
            username="assistant" if first else None,
        )
        _place(assistant, division, Role.ASSISTANT_SALES_MANAGER, a_start)
        reporting_line_set(person=assistant, manager=manager, valid_from=max(a_start, m_start))
        if first:
            org.logins["manager"], org.logins["assistant"] = manager, assistant
        for b in range(scale.business_units):
            bu = unit_create(
                name=f"{d_name} {('North', 'South', 'East', 'West', 'Central', 'Global')[b % 6]}"
                + (f" {b // 6 + 1}" if b >= 6 else ""),
                kind=UnitKind.BUSINESS_UNIT,
                code=f"{d_code}-B{b + 1}",
                parent=division,
            )
            org.sales_units.append((bu, division))
            for t in range(scale.teams):
                team = unit_create(
                    name=f"{bu.name} team {t + 1}",
                    kind=UnitKind.TEAM,
                    code=f"{d_code}-B{b + 1}-T{t + 1}",
                    parent=bu,
                )
                org.sales_units.append((team, bu))
                demo_team = first and b == 0 and t == 0
                l_start = hired_before_start()
                leader = people.create(
                    title="Team leader",
                    started_on=l_start,
                    username="leader" if demo_team else None,
                )
                _place(leader, team, Role.TEAM_LEADER, l_start)
                reporting_line_set(person=leader, manager=manager, valid_from=max(l_start, m_start))
                if demo_team:
                    org.logins["leader"] = leader
                for r in range(scale.reps):
                    since = hired_before_start()
                    demo_rep = demo_team and r == 0
                    person = people.create(
                        title="Sales representative",
                        started_on=since,
                        username="rep" if demo_rep else None,
                    )
                    if demo_rep:
                        org.logins["rep"] = person
                    key = org.territory_keys[territory_cycle % len(org.territory_keys)]
                    territory_cycle += 1
                    seller = Seller(
                        index=len(org.sellers),
                        person=person,
                        division=d_code,
                        team=team,
                        leader=leader,
                        territory_key=key,
                        profile=weighted(rng, profiles),
                        started_on=since,
                        line_codes=line_codes,
                    )
                    _start_seller(org, seller, l_start)
                    org.sellers.append(seller)

    _leavers_and_hires(org, rng=rng, people=people, scale=scale, start=start, end=end)
    org.people = people.count
    return org


def _start_seller(org: Org, seller: Seller, leader_start: dt.date) -> None:
    _place(seller.person, seller.team, Role.SALES_REP, seller.started_on)
    reporting_line_set(
        person=seller.person,
        manager=seller.leader,
        valid_from=max(seller.started_on, leader_start),
    )
    territory_assign(
        territory=org.territories[seller.territory_key],
        person=seller.person,
        valid_from=seller.started_on,
    )


def _leavers_and_hires(
    org: Org,
    *,
    rng: random.Random,
    people: _People,
    scale: data.Scale,
    start: dt.date,
    end: dt.date,
) -> None:
    """About one seller in eight leaves during the history; most are replaced a few weeks later.

    A few growth hires join too. New hires ramp up over their first months.
    """
    span = (end - start).days
    if span < 60:
        return
    initial = list(org.sellers)
    demo_rep = org.logins.get("rep")
    for seller in initial:
        if seller.person == demo_rep or rng.random() >= 0.125:
            continue
        left_on = start + days(rng.randint(span // 6, span * 5 // 6))
        involuntary = seller.profile[0] == "laggard" and rng.random() < 0.7
        reason = rng.choice(
            data.LEAVE_REASONS_INVOLUNTARY if involuntary else data.LEAVE_REASONS_VOLUNTARY
        )
        employment_end(
            person=seller.person,
            ended_on=left_on,
            reason=reason,
            separation_type=SeparationType.INVOLUNTARY if involuntary else SeparationType.VOLUNTARY,
        )
        seller.left_on = left_on
        hire_on = left_on + days(rng.randint(10, 45))
        if hire_on < end - days(20):
            _hire(org, rng=rng, people=people, like=seller, on=hire_on)
    growth = max(1, len(initial) // 20)
    for g in range(growth):
        like = initial[(g * 7 + 3) % len(initial)]
        on = start + days(rng.randint(span // 5, span * 3 // 4))
        _hire(org, rng=rng, people=people, like=like, on=on)


def _hire(org: Org, *, rng: random.Random, people: _People, like: Seller, on: dt.date) -> None:
    person = people.create(title="Sales representative", started_on=on)
    profile = weighted(rng, [(p, float(p[1])) for p in data.PROFILES])
    seller = Seller(
        index=len(org.sellers),
        person=person,
        division=like.division,
        team=like.team,
        leader=like.leader,
        territory_key=like.territory_key,
        profile=profile,
        started_on=on,
        line_codes=like.line_codes,
    )
    _start_seller(org, seller, on)
    org.sellers.append(seller)


# --- reference data: exchange rates and the catalog ------------------------------------------


@dataclass
class PriceBook:
    """Every list price and unit cost the generator set, by product, currency and date."""

    #: (product_id, currency) -> [(valid_from, list_price, unit_cost)] ascending
    rows: dict[tuple[int, str], list[tuple[dt.date, Decimal, Decimal]]] = field(
        default_factory=dict
    )

    def price(self, product: Product, currency: str, on: dt.date) -> tuple[Decimal, Decimal]:
        found = None
        for valid_from, list_price, unit_cost in self.rows[(product.pk, currency)]:
            if valid_from <= on:
                found = (list_price, unit_cost)
        assert found is not None, (product.sku, currency, on)
        return found


@dataclass
class Catalog:
    lines: dict[str, ProductLine]
    products: dict[str, list[tuple[Product, str]]]  # line code -> [(product, trend)]
    prices: PriceBook
    rates: dict[str, list[tuple[dt.date, Decimal]]]


def build_rates(
    *, seed: int, start: dt.date, end: dt.date
) -> dict[str, list[tuple[dt.date, Decimal]]]:
    """Monthly EUR rates of USD, GBP and NOK from the month before the history starts."""
    rng = random.Random(f"{seed}:fx")
    rates: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for currency, base in data.FX_START:
        value = base
        month = add_months(start, -(data.WARMUP_MONTHS + 1))
        rows = []
        while month <= end:
            rate = Decimal(f"{value:.6f}")
            exchange_rate_set(currency=currency, valid_on=month, rate=rate)
            rows.append((month, rate))
            value *= 1 + rng.gauss(0, 0.012)
            month = add_months(month, 1)
        rates[currency] = rows
    return rates


def rate_on(rates: dict[str, list[tuple[dt.date, Decimal]]], currency: str, on: dt.date) -> Decimal:
    if currency == data.REPORTING:
        return Decimal(1)
    found = rates[currency][0][1]
    for valid_on, rate in rates[currency]:
        if valid_on <= on:
            found = rate
    return found


def build_catalog(
    *, seed: int, start: dt.date, end: dt.date, rates: dict[str, list[tuple[dt.date, Decimal]]]
) -> Catalog:
    """Product lines, products and their prices in every trading currency.

    Prices are set when the history starts and rise each January.
    """
    rng = random.Random(f"{seed}:catalog")
    currencies = [data.REPORTING] + [c for c, _ in data.FX_START]
    price_dates = [add_months(start, -(data.WARMUP_MONTHS + 1))]
    year = start.year + 1
    while dt.date(year, 1, 1) <= end:
        price_dates.append(dt.date(year, 1, 1))
        year += 1
    catalog = Catalog(lines={}, products={}, prices=PriceBook(), rates=rates)
    for code, name, products in data.PRODUCT_LINES:
        line = product_line_create(code=code, name=name, description=f"{name} products.")
        catalog.lines[code] = line
        catalog.products[code] = []
        for sku, p_name, list_eur, trend in products:
            product = product_create(line=line, sku=sku, name=p_name, external_ref=f"demo-{sku}")
            catalog.products[code].append((product, trend))
            margin = Decimal(str(rng.randint(35, 60))) / 100
            price_eur = Decimal(list_eur)
            for valid_from in price_dates:
                for currency in currencies:
                    rate = rate_on(rates, currency, valid_from)
                    local = price_eur / rate
                    step = Decimal(1) if local < 100 else Decimal(10)
                    list_price = quantize_money((local / step).to_integral_value() * step)
                    unit_cost = quantize_money(list_price * (1 - margin))
                    product_price_set(
                        product=product,
                        valid_from=valid_from,
                        currency=currency,
                        list_price=list_price,
                        unit_cost=unit_cost,
                    )
                    catalog.prices.rows.setdefault((product.pk, currency), []).append(
                        (valid_from, list_price, unit_cost)
                    )
                price_eur = quantize_money(price_eur * (1 + Decimal(rng.randint(2, 6)) / 100))
    return catalog


# --- customers -----------------------------------------------------------------------------------


def plan_accounts(*, seed: int, scale: data.Scale, org: Org, start: dt.date) -> list[AccountPlan]:
    """Customer accounts with contacts, owned by the sellers of their territory at the start."""
    rng = random.Random(f"{seed}:accounts")
    owners: dict[str, list[Person]] = {key: [] for key in org.territory_keys}
    for seller in org.sellers:
        if seller.started_on <= start:
            owners[seller.territory_key].append(seller.person)
    segments = [(s, float(s[1])) for s in data.SEGMENTS]
    regions = [(r, 1.0) for r in data.REGIONS]
    used: set[str] = set()
    plans: list[AccountPlan] = []
    enterprise_by_region: dict[str, list[AccountPlan]] = {}
    strategic = 0
    for i in range(scale.accounts):
        segment = weighted(rng, segments)
        region, places = weighted(rng, regions)
        country, city = rng.choice(places)
        name = (
            f"{rng.choice(data.COMPANY_WORDS_A)} {rng.choice(data.COMPANY_WORDS_B)} "
            f"{rng.choice(data.COMPANY_SUFFIXES)}"
        )
        if name in used:
            name = f"{name} {city}"
        if name in used:
            name = f"{name} {i + 1}"
        used.add(name)
        band = rng.choice(segment[4])
        employees = {
            "micro": (2, 9),
            "small": (10, 49),
            "medium": (50, 249),
            "large": (250, 999),
            "enterprise": (1000, 40000),
        }[band]
        staff = rng.randint(*employees)
        key = region
        if segment[0] == "public_sector":
            key = data.SEGMENT_TERRITORY[0]
        elif (
            segment[0] == "enterprise"
            and rng.random() < 0.35
            and strategic < max(4, scale.accounts // 25)
        ):
            key = data.NAMED_TERRITORY
            strategic += 1
        if not owners[key]:
            key = region
        parent = None
        siblings = enterprise_by_region.get(region, [])
        if segment[0] in ("mid_market", "small_business") and siblings and rng.random() < 0.08:
            parent = rng.choice(siblings)
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:40]
        plan = AccountPlan(
            ref=f"demo-A{i + 1:06d}",
            name=name,
            segment=segment[0],
            owner=rng.choice(owners[key]),
            industry=rng.choice(data.INDUSTRIES),
            size_band=band,
            employees=staff,
            annual_revenue=quantize_money(Decimal(staff * rng.randint(90, 400)) * 1000),
            country=country,
            region=region,
            city=city,
            website=f"https://www.{slug}.example",
            currency=data.COUNTRY_CURRENCY.get(country, data.REPORTING),
            territory_key=key,
            parent=parent,
        )
        if segment[0] == "enterprise":
            enterprise_by_region.setdefault(region, []).append(plan)
        for c in range(rng.randint(1, 3)):
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            plan.contacts.append(
                ContactPlan(
                    ref=f"{plan.ref}-C{c + 1}",
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}@{slug}.example".lower(),
                    phone=f"+{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(10000, 99999)}",
                    job_title=rng.choice(data.JOB_TITLES),
                    is_primary=c == 0,
                )
            )
        plans.append(plan)
    return plans


# --- the sales history ----------------------------------------------------------------------------


@dataclass
class Context:
    seed: int
    scale: data.Scale
    start: dt.date
    end: dt.date
    org: Org
    catalog: Catalog
    accounts_by_territory: dict[str, list[AccountPlan]]
    stages: dict[str, Stage]
    lost_reasons: dict[str, LostReason]


TREND = {"growing": 0.6, "flat": 0.0, "declining": -0.45}


def _trend_weight(trend: str, years: float) -> float:
    return max(0.15, 1 + TREND[trend] * years)


def _ramp(seller: Seller, on: dt.date) -> float:
    """New hires ramp from 30 % to full productivity over their first months."""
    months = (on - seller.started_on).days / 30.4
    if months >= data.RAMP_MONTHS:
        return 1.0
    return 0.3 + 0.7 * max(0.0, months) / data.RAMP_MONTHS


def _pick_products(
    rng: random.Random, ctx: Context, seller: Seller, on: dt.date, count: int
) -> list[Product]:
    years = max(0.0, (on - ctx.start).days / 365.0)
    options = [
        (product, _trend_weight(trend, years))
        for code in seller.line_codes
        for product, trend in ctx.catalog.products[code]
    ]
    chosen: list[Product] = []
    for _ in range(min(count, len(options))):
        product = weighted(rng, options)
        chosen.append(product)
        options = [o for o in options if o[0] is not product]
    return chosen


def _lines(
    rng: random.Random,
    ctx: Context,
    seller: Seller,
    account: AccountPlan,
    products: list[Product],
    on: dt.date,
    *,
    repeat: bool = False,
) -> list[LinePlan]:
    qty_range = next(s[2] for s in data.SEGMENTS if s[0] == account.segment)
    size = seller.profile[3]
    lines = []
    for product in products:
        qty = rng.randint(*qty_range)
        if product.line_id == ctx.catalog.lines["CONS"].pk:
            qty *= 10
        if repeat:
            qty = max(1, qty // 2)
        quantity = Decimal(max(1, int(qty * size)))
        discount = rng.choice((0, 0, 0, 2.5, 5, 5, 7.5, 10, 12.5, 15))
        if seller.division == data.PRICE_SENSITIVE_DIVISION and rng.random() < 0.4:
            discount += 5
        if seller.profile[0] == "laggard":
            discount += 2.5
        list_price, _cost = ctx.catalog.prices.price(product, account.currency, on)
        lines.append(
            LinePlan(
                product=product,
                quantity=quantity,
                unit_price=list_price,
                discount_pct=Decimal(str(discount)).quantize(Decimal("0.01")),
            )
        )
    return lines


def line_net(line: LinePlan) -> Decimal:
    """The net of a line, as the orders service computes it."""
    return order_line_build(
        product=line.product,
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_pct=line.discount_pct,
        unit_cost=Decimal(0),
        rate=Decimal(1),
    ).net_amount


def _activity(
    rng: random.Random,
    ref: str,
    owner: Person,
    kind: str,
    day: dt.date,
    outcome: str,
    subject: str,
    account: AccountPlan | None = None,
) -> ActivityPlan:
    low, high = data.ACTIVITY_MINUTES[kind]
    hour = rng.randint(8, 16)
    return ActivityPlan(
        ref=ref,
        owner=owner,
        kind=kind,
        occurred_at=at(day, hour, rng.choice((0, 15, 30, 45))),
        minutes=rng.randint(low, high),
        outcome=outcome,
        subject=subject,
        account=account,
    )


class SellerPlanner:
    """Draws one seller's history month by month from the seller's own random stream."""

    def __init__(self, ctx: Context, seller: Seller) -> None:
        self.ctx = ctx
        self.seller = seller
        self.rng = random.Random(f"{ctx.seed}:seller:{seller.index}")
        self.n = 0
        self.prefix = f"demo-{seller.index:05d}"

    def ref(self, kind: str) -> str:
        self.n += 1
        return f"{self.prefix}-{kind}{self.n:06d}"

    def months(self) -> list[tuple[dt.date, dt.date]]:
        """The windows in which the seller books: from hire to 45 days before leaving.

        The first windows lie before the history starts: they only open the deals that are
        still in the pipeline when it starts, so the first months look like any other.
        """
        seller, ctx = self.seller, self.ctx
        last = ctx.end
        if seller.left_on:
            last = min(last, seller.left_on - days(45))
        windows = []
        for m in range(-data.WARMUP_MONTHS, ctx.scale.months):
            month = month_of(add_months(ctx.start, m))
            low = max(month.start, seller.started_on)
            high = min(month.end, last)
            if low <= high:
                windows.append((low, high))
        return windows

    def day_in(self, low: dt.date, high: dt.date) -> dt.date:
        day = low + days(self.rng.randint(0, (high - low).days))
        return workday(day, low=low, high=high)

    def plan_month(
        self, low: dt.date, high: dt.date
    ) -> tuple[list[LeadPlan], list[DealPlan], list[OrderPlan], list[ActivityPlan]]:
        ctx, seller, rng = self.ctx, self.seller, self.rng
        season = data.SEASON[low.month - 1]
        closing_season = data.SEASON[(low.month - 1 + data.SEASON_LEAD_MONTHS) % 12]
        ramp = _ramp(seller, low)
        share = ((high - low).days + 1) / month_of(low).days
        accounts = ctx.accounts_by_territory[seller.territory_key]
        scale = ctx.scale
        leads: list[LeadPlan] = []
        deals: list[DealPlan] = []
        orders: list[OrderPlan] = []
        activities: list[ActivityPlan] = []
        if low < ctx.start:  # warm-up: only the deals still open when the history starts
            for _ in range(poisson(rng, scale.deals_per_rep_month * share * closing_season * ramp)):
                deal = self.plan_deal(self.day_in(low, high), rng.choice(accounts))
                if deal.closed_on is None or deal.closed_on >= ctx.start:
                    deals.append(deal)
            return leads, deals, orders, activities
        for _ in range(poisson(rng, scale.leads_per_rep_month * share * season)):
            leads.append(self.plan_lead(self.day_in(low, high)))
        for _ in range(poisson(rng, scale.deals_per_rep_month * share * closing_season * ramp)):
            deals.append(self.plan_deal(self.day_in(low, high), rng.choice(accounts)))
        for _ in range(poisson(rng, scale.repeat_orders_per_rep_month * share * season * ramp)):
            account = rng.choice(accounts)
            day = self.day_in(low, high)
            products = _pick_products(rng, ctx, seller, day, rng.randint(1, scale.max_lines))
            lines = _lines(rng, ctx, seller, account, products, day, repeat=True)
            orders.append(self.plan_order(account, day, lines))
        other = poisson(rng, scale.other_activities_per_rep_month * share * seller.profile[4])
        for _ in range(other):
            kind = weighted(rng, (("admin", 4.0), ("travel", 2.0), ("call", 3.0)))
            visited: AccountPlan | None = rng.choice(accounts) if kind != "admin" else None
            subject = {
                "admin": "Pipeline review and reporting",
                "travel": f"Travel to {visited.city if visited else 'customer'}",
                "call": f"Account check-in {visited.name if visited else ''}",
            }[kind]
            activities.append(
                _activity(
                    rng,
                    self.ref("T"),
                    seller.person,
                    kind,
                    self.day_in(low, high),
                    "completed",
                    subject,
                    visited,
                )
            )
        return leads, deals, orders, activities

    def plan_lead(self, received_on: dt.date, account: AccountPlan | None = None) -> LeadPlan:
        rng = self.rng
        source, channel = weighted(
            rng,
            (
                (("website", "inbound"), 22.0),
                (("referral", "phone"), 10.0),
                (("event", "inbound"), 10.0),
                (("campaign", "email"), 14.0),
                (("campaign", "paid_search"), 8.0),
                (("campaign", "social"), 6.0),
                (("cold_outreach", "outbound"), 14.0),
                (("cold_outreach", "direct_mail"), 3.0),
                (("partner", "partner"), 7.0),
                (("existing_customer", "email"), 6.0),
            ),
        )
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        if account is not None:
            company = account.name
        else:
            company = (
                f"{rng.choice(data.COMPANY_WORDS_A)} {rng.choice(data.COMPANY_WORDS_B)} Prospect"
            )
        domain = "".join(ch for ch in company.lower() if ch.isalnum())[:30]
        lead = LeadPlan(
            ref=self.ref("L"),
            company=company,
            contact_name=f"{first} {last}",
            email=f"{first}.{last}@{domain}.example".lower(),
            source=source,
            channel=channel,
            received_on=received_on,
            owner=self.seller.person,
            account=account,
            qualify=account is not None or rng.random() < 0.4,
        )
        follow = received_on + days(rng.randint(0, 3))
        if follow <= self.ctx.end:
            kind = rng.choice(("call", "email"))
            outcome = rng.choice(("positive", "no_answer", "follow_up", "completed"))
            lead.activities.append(
                _activity(
                    rng,
                    self.ref("T"),
                    self.seller.person,
                    kind,
                    follow,
                    outcome,
                    f"First contact {company}",
                )
            )
        return lead

    def plan_deal(self, created_on: dt.date, account: AccountPlan) -> DealPlan:
        ctx, seller, rng = self.ctx, self.seller, self.rng
        stages = ctx.stages
        products = _pick_products(rng, ctx, seller, created_on, rng.randint(1, ctx.scale.max_lines))
        lines = _lines(rng, ctx, seller, account, products, created_on)
        amount = sum((line_net(line) for line in lines), Decimal("0.00"))
        seg = next(s for s in data.SEGMENTS if s[0] == account.segment)
        cycle = seg[3] * rng.uniform(0.6, 1.5)
        if seller.profile[0] == "star":
            cycle *= 0.85
        elif seller.profile[0] == "laggard":
            cycle *= 1.2
        planned_close = created_on + days(max(7, round(cycle)))
        win = seller.profile[2] * (0.5 + 0.5 * _ramp(seller, created_on))
        if planned_close.month in (10, 11, 12):
            win *= 1.15 if planned_close.month < 12 else 1.3  # year-end budgets
        won = rng.random() < win
        reached = 4 if won else weighted(rng, ((0, 3.0), (1, 3.0), (2, 2.5), (3, 2.0), (4, 1.5)))
        transitions = reached + 1
        span = max(transitions + 1, (planned_close - created_on).days)
        if not won:
            span = max(transitions + 1, round(span * (reached + 1) / 6))
        weights = [rng.uniform(0.5, 1.5) for _ in range(transitions)]
        total, cum, offsets, prev = sum(weights), 0.0, [], 0
        for w in weights:
            cum += w
            offset = max(prev + 1, round(span * cum / total))
            offsets.append(offset)
            prev = offset
        close_day = created_on + days(offsets[-1])
        if close_day.month in (7, 8) and rng.random() < 0.5:  # summer: decisions slip
            close_day += days(30)
        contact = rng.choice(account.contacts) if account.contacts else None
        lead = None
        if rng.random() < 0.35:
            received = created_on - days(rng.randint(3, 20))
            if received >= max(ctx.start, seller.started_on):
                lead = self.plan_lead(received, account)
        first_product = products[0]
        deal = DealPlan(
            ref=self.ref("D"),
            name=f"{account.name} — {first_product.name}",
            owner=seller.person,
            account=account,
            contact=contact,
            lead=lead,
            currency=account.currency,
            amount=amount,
            created_on=created_on,
            created_at=at(created_on, 9, rng.choice((0, 10, 20, 30, 40, 50))),
            expected_close_on=planned_close,
            product_lines=[
                ctx.catalog.lines[c]
                for c in seller.line_codes
                if any(p.line_id == ctx.catalog.lines[c].pk for p in products)
            ],
            first_stage=stages["prospecting"],
        )
        limit = seller.employed_until(ctx.end)
        for step in range(1, reached + 1):
            day = created_on + days(offsets[step - 1])
            if day > limit:
                break
            deal.moves.append((stages[OPEN_STAGE_CODES[step]], at(day, 11, step * 5)))
        if close_day <= limit:
            deal.outcome = "won" if won else "lost"
            deal.closed_on = close_day
        elif seller.left_on and seller.left_on <= ctx.end:
            deal.outcome, deal.closed_on = "lost", seller.left_on
            deal.lost_reason = ctx.lost_reasons["no_decision"]
            deal.lost_note = "The owner left the company before the customer decided."
        if deal.outcome:
            assert deal.closed_on is not None
            deal.closed_at = at(deal.closed_on, 16, rng.choice((0, 15, 30)))
            if deal.outcome == "lost" and deal.lost_reason is None:
                weights_by_reason = (
                    data.LOST_REASON_WEIGHTS_PRICE_SENSITIVE
                    if seller.division == data.PRICE_SENSITIVE_DIVISION
                    else data.LOST_REASON_WEIGHTS
                )
                code = weighted(rng, [(c, float(w)) for c, w in weights_by_reason])
                deal.lost_reason = ctx.lost_reasons[code]
        elif deal.expected_close_on <= ctx.end:
            deal.expected_close_on = ctx.end + days(rng.randint(5, 60))
        # activities
        last_day = deal.closed_on or min(limit, ctx.end)
        n_acts = max(1, round(rng.uniform(1.5, 4.0) * seller.profile[4] * (transitions + 1) / 3))
        kinds = (
            ("call", 30.0),
            ("email", 25.0),
            ("meeting", 18.0),
            ("demo", 12.0),
            ("proposal", 8.0),
        )
        if deal.outcome == "won":
            outcomes = (
                ("positive", 5.0),
                ("completed", 4.0),
                ("follow_up", 3.0),
                ("no_answer", 1.0),
            )
        elif deal.outcome == "lost":
            outcomes = (
                ("negative", 3.0),
                ("no_answer", 3.0),
                ("completed", 3.0),
                ("follow_up", 2.0),
            )
        else:
            outcomes = (
                ("follow_up", 4.0),
                ("completed", 3.0),
                ("positive", 2.0),
                ("no_answer", 2.0),
            )
        for _ in range(n_acts):
            day = created_on + days(rng.randint(0, max(0, (last_day - created_on).days)))
            kind = weighted(rng, kinds)
            deal.activities.append(
                _activity(
                    rng,
                    self.ref("T"),
                    seller.person,
                    kind,
                    day,
                    weighted(rng, outcomes),
                    f"{kind.capitalize()}: {deal.name}"[:200],
                )
            )
        if deal.outcome == "won":
            assert deal.closed_on is not None
            ordered_on = min(deal.closed_on + days(rng.randint(0, 3)), limit)
            order_lines = [
                LinePlan(
                    product=line.product,
                    quantity=line.quantity,
                    unit_price=ctx.catalog.prices.price(line.product, deal.currency, ordered_on)[0],
                    discount_pct=line.discount_pct,
                )
                for line in lines
            ]
            deal.order = self.plan_order(account, ordered_on, order_lines)
        return deal

    def plan_order(
        self, account: AccountPlan, ordered_on: dt.date, lines: list[LinePlan]
    ) -> OrderPlan:
        ctx, rng = self.ctx, self.rng
        delayed = account.region == data.DELAYED_REGION
        far = account.country in ("US", "CA")
        order = OrderPlan(
            ref=self.ref("O"),
            account=account,
            owner=self.seller.person,
            currency=account.currency,
            ordered_on=ordered_on,
            lines=lines,
            confirm_promised_on=ordered_on + days(2),
            ship_promised_on=ordered_on + days(12),
            delivery_promised_on=ordered_on + days(18 + (6 if far else 0)),
            follow_up_promised_on=ordered_on + days(35 + (6 if far else 0)),
        )
        fulfil = rng.choice(ctx.org.fulfilment)
        service = rng.choice(ctx.org.service)
        confirmed = ordered_on + days(rng.choice((0, 1, 1, 2, 2, 3, 4)))
        shipped = confirmed + days(rng.randint(6, 14))
        delivered = shipped + days(rng.randint(2, 6) + (6 if far else 0))
        if delayed:
            delivered += days(rng.randint(7, 21))
        followed = delivered + days(rng.randint(5, 20))
        cancel_on = None
        if rng.random() < 0.035:
            cancel_on = ordered_on + days(rng.randint(1, 9))
        plan = [
            ("confirmed", confirmed, fulfil),
            ("shipped", shipped, fulfil),
            ("delivered", delivered, fulfil),
            ("followed_up", followed, service),
        ]
        for status, day, by in plan:
            if day > ctx.end:
                break
            if cancel_on is not None and (status != "confirmed" or day >= cancel_on):
                break
            order.steps.append((status, day, by))
        if cancel_on is not None and cancel_on <= ctx.end:
            order.cancel = (cancel_on, rng.choice(data.CANCEL_REASONS), service)
            return order
        if any(s[0] == "delivered" for s in order.steps) and rng.random() < (
            0.12 if delayed else 0.05
        ):
            index = rng.randrange(len(lines))
            returned_on = delivered + days(rng.randint(3, 25))
            if returned_on <= ctx.end:
                reasons = list(data.RETURN_REASONS)
                if delayed:
                    reasons = [(r, w * (5 if r == "late_delivery" else 1)) for r, w in reasons]
                quantity = Decimal(rng.randint(1, int(lines[index].quantity)))
                order.returns.append(
                    ReturnPlan(
                        line_index=index,
                        quantity=quantity,
                        returned_on=returned_on,
                        reason=weighted(rng, [(r, float(w)) for r, w in reasons]),
                        by=service,
                    )
                )
        return order


# --- the whole run -----------------------------------------------------------------------------


@dataclass
class Result:
    logins: list[tuple[str, str, str]]  # (login, name, role)
    counts: dict[str, int]
    #: person id -> skill profile ("star", "steady", "laggard") of every seller
    profiles: dict[int, str] = field(default_factory=dict)


def history_start(end: dt.date, months: int) -> dt.date:
    return add_months(end.replace(day=1), -(months - 1))


def generate(
    *,
    seed: int,
    scale: str | data.Scale = "small",
    end_date: dt.date | None = None,
    progress: bool = False,
    limit_deals: int | None = None,
    bulk: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> Result:
    """Build the whole demo. Runs in one transaction: all of it or nothing."""
    config = data.SCALES[scale] if isinstance(scale, str) else scale
    end = end_date or today()
    start = history_start(end, config.months)
    use_bulk = config.bulk if bulk is None else bulk
    say = log or (lambda _msg: None)
    with transaction.atomic():
        say(f"Organisation ({config.name})…")
        org = build_org(seed=seed, scale=config, start=start, end=end)
        say("Exchange rates and catalog…")
        rates = build_rates(seed=seed, start=start, end=end)
        catalog = build_catalog(seed=seed, start=start, end=end, rates=rates)
        accounts = plan_accounts(seed=seed, scale=config, org=org, start=start)
        by_territory: dict[str, list[AccountPlan]] = {key: [] for key in org.territory_keys}
        for account in accounts:
            by_territory[account.territory_key].append(account)
        for key in org.territory_keys:  # a territory without accounts sells to its region's
            if not by_territory[key]:
                by_territory[key] = [a for a in accounts if a.segment == "enterprise"] or accounts
        ctx = Context(
            seed=seed,
            scale=config,
            start=start,
            end=end,
            org=org,
            catalog=catalog,
            accounts_by_territory=by_territory,
            stages={s.code: s for s in Stage.objects.order_by("position")},
            lost_reasons={r.code: r for r in LostReason.objects.order_by("code")},
        )
        writer: Writer = BulkWriter(end=end) if use_bulk else ServiceWriter()
        say(f"Customers ({len(accounts)} accounts)…")
        writer.accounts(accounts, on=start)
        say(f"Sales history {start} – {end} ({'bulk' if use_bulk else 'services'})…")
        booked = 0
        bar = tqdm(
            total=len(org.sellers),
            desc="sellers",
            unit="seller",
            file=sys.stderr,
            disable=not progress,
        )
        for seller in org.sellers:
            planner = SellerPlanner(ctx, seller)
            for low, high in planner.months():
                leads, deals, orders, activities = planner.plan_month(low, high)
                if limit_deals is not None:
                    deals = deals[: max(0, limit_deals - booked)]
                booked += len(deals)
                writer.month(leads=leads, deals=deals, orders=orders, activities=activities)
            bar.update(1)
            if limit_deals is not None and booked >= limit_deals:
                break
        writer.flush()
        bar.close()
        say("Goals…")
        # imported here: the goals plan builds on this module's Org, Seller and time helpers
        from attain.demo.quotas import goals_calibrate, goals_plan

        calibration = goals_calibrate(org=org, start=start, end=end)
        writer.goals(goals_plan(seed=seed, org=org, start=start, end=end, calibration=calibration))
        say("Incentive plans and payout runs…")
        from attain.demo.pay import pay_seed

        pay_seed(admin=org.logins["admin"], end=end)
    roles = {
        "admin": "Sales operations (superuser)",
        "manager": "Sales manager",
        "assistant": "Assistant sales manager",
        "leader": "Team leader",
        "rep": "Sales representative",
        "marketing": "Marketing",
        "fulfilment": "Production / fulfilment",
        "service": "Customer service",
    }
    logins = [
        (login, str(org.logins[login]), roles[login])
        for login in LOGIN_ORDER
        if login in org.logins
    ]
    return Result(
        logins=logins,
        counts=writer.counts,
        profiles={s.person.pk: s.profile[0] for s in org.sellers},
    )
