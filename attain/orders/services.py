"""Every write to orders: taking an order, its lines, the lifecycle, cancellation and returns.

Orders are sales facts: stamped with the owner's place in the organisation on the day the
order was taken (`person_placement_at`), converted into the reporting currency once with the
rate in force that day (kept on the order as `fx_rate`, reused for lines added later), and
never deleted — an order is cancelled instead, and goods sent back are returns on its lines.

Validation errors name the field, or the line and its field (`lines[2].quantity`, 0-based as
in the API payload), and nothing is saved when any error is raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, ProtectedError, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from attain.catalog.models import Product, ProductPrice
from attain.core.bulk import bulk_insert, stamp_times
from attain.core.events import event_emit, record_payload
from attain.core.facts import (
    facts_changed,
    facts_changed_between,
    facts_changing,
    facts_suspended,
)
from attain.core.money import CURRENCIES, parse_decimal, quantize_money, reporting_currency
from attain.core.periods import today
from attain.core.selectors import RateIndex, exchange_rate_get
from attain.customers.models import Account
from attain.orders.models import (
    LIFECYCLE,
    Order,
    OrderCancellation,
    OrderLine,
    OrderReturn,
    OrderStatus,
    ReturnReason,
)
from attain.organization.models import Person
from attain.organization.selectors import PlacementIndex, person_placement_at
from attain.pipeline.models import Deal, DealStatus

HUNDRED = Decimal(100)
QUANTITY_PLACES = Decimal("0.001")
CENT = Decimal("0.01")
MAX_QUANTITY = Decimal("99999999999.999")  # 14 digits, 3 places
MAX_MONEY = Decimal("9999999999999999.99")  # 18 digits, 2 places
NUMBER_PREFIX = "SO"
NUMBER_DIGITS = 6
ZERO_MONEY = Value(Decimal("0.00"), output_field=DecimalField(max_digits=18, decimal_places=2))

#: step → (promised date field, actual date field); taking the order has no promise.
STEP_FIELDS: dict[str, tuple[str | None, str]] = {
    OrderStatus.TAKEN: (None, "ordered_on"),
    OrderStatus.CONFIRMED: ("confirm_promised_on", "confirmed_on"),
    OrderStatus.SHIPPED: ("ship_promised_on", "shipped_on"),
    OrderStatus.DELIVERED: ("delivery_promised_on", "delivered_on"),
    OrderStatus.FOLLOWED_UP: ("follow_up_promised_on", "followed_up_on"),
}
PROMISED_FIELDS = tuple(p for p, _ in STEP_FIELDS.values() if p is not None)
#: Other names callers use for a step: "delivery", or the promised date field itself.
STEP_ALIASES = {
    "confirm": OrderStatus.CONFIRMED,
    "ship": OrderStatus.SHIPPED,
    "shipment": OrderStatus.SHIPPED,
    "delivery": OrderStatus.DELIVERED,
    "follow_up": OrderStatus.FOLLOWED_UP,
    **{p: status for status, (p, _) in STEP_FIELDS.items() if p is not None},
}
RETURNABLE = frozenset({OrderStatus.DELIVERED, OrderStatus.FOLLOWED_UP})


class _Unset:
    """Marks a keyword argument that was not given (None is a meaningful value)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class OrderLineInput:
    """One line to put on an order; `unit_price` None takes the product's list price."""

    product: Product
    quantity: Decimal
    unit_price: Decimal | None = None
    discount_pct: Decimal = Decimal("0")


# --- helpers -----------------------------------------------------------------------------------


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _decimal(value: object) -> Decimal | None:
    try:
        return parse_decimal(value)
    except (ValueError, TypeError):
        return None


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _places_ok(value: Decimal, unit: Decimal) -> bool:
    return value == value.quantize(unit)


def _status_label(status: str) -> str:
    return str(OrderStatus(status).label).lower()


def _price_row(*, product_id: int, currency: str, on: dt.date) -> ProductPrice | None:
    """The product's price row in `currency` in force on `on` (latest valid_from ≤ on)."""
    return (
        ProductPrice.objects.filter(product_id=product_id, currency=currency, valid_from__lte=on)
        .order_by("-valid_from", "-pk")
        .first()
    )


def _cost_row(*, product_id: int, currency: str, on: dt.date) -> ProductPrice | None:
    """The row giving the unit cost: in the order currency if there is one, else in the
    reporting currency, else the latest row in any currency."""
    row = _price_row(product_id=product_id, currency=currency, on=on)
    if row is None and currency != reporting_currency():
        row = _price_row(product_id=product_id, currency=reporting_currency(), on=on)
    if row is None:
        row = (
            ProductPrice.objects.filter(product_id=product_id, valid_from__lte=on)
            .order_by("-valid_from", "currency", "-pk")
            .first()
        )
    return row


class Catalogue:
    """Where lines get their list price, unit cost and exchange rates: the database, row by row
    (one order), or preloaded indexes (`PreloadedCatalogue`, for many orders at once)."""

    def price_row(self, *, product_id: int, currency: str, on: dt.date) -> ProductPrice | None:
        return _price_row(product_id=product_id, currency=currency, on=on)

    def cost_row(self, *, product_id: int, currency: str, on: dt.date) -> ProductPrice | None:
        return _cost_row(product_id=product_id, currency=currency, on=on)

    def rate(self, *, currency: str, on: dt.date) -> Decimal:
        return exchange_rate_get(currency=currency, on=on)


class PreloadedCatalogue(Catalogue):
    """The same answers as `Catalogue` from the price rows of some products, read once."""

    def __init__(self, product_ids: Sequence[int]) -> None:
        self._rows: dict[tuple[int, str], list[ProductPrice]] = {}
        self._any: dict[int, list[ProductPrice]] = {}
        prices = ProductPrice.objects.filter(product_id__in=sorted(set(product_ids)))
        for row in prices.order_by("valid_from", "pk"):
            self._rows.setdefault((row.product_id, row.currency), []).append(row)
            self._any.setdefault(row.product_id, []).append(row)
        self._rates = RateIndex()

    def price_row(self, *, product_id: int, currency: str, on: dt.date) -> ProductPrice | None:
        found = None
        for row in self._rows.get((product_id, currency), ()):  # ordered by valid_from, pk
            if row.valid_from > on:
                break
            found = row
        return found

    def cost_row(self, *, product_id: int, currency: str, on: dt.date) -> ProductPrice | None:
        row = self.price_row(product_id=product_id, currency=currency, on=on)
        if row is None and currency != reporting_currency():
            row = self.price_row(product_id=product_id, currency=reporting_currency(), on=on)
        if row is None:
            candidates = [r for r in self._any.get(product_id, ()) if r.valid_from <= on]
            if candidates:  # latest day, then currency A→Z, then the newest row
                latest = max(r.valid_from for r in candidates)
                same_day = [r for r in candidates if r.valid_from == latest]
                first = min(r.currency for r in same_day)
                row = max((r for r in same_day if r.currency == first), key=lambda r: r.pk)
        return row

    def rate(self, *, currency: str, on: dt.date) -> Decimal:
        return self._rates.rate(currency, on)


DATABASE_CATALOGUE = Catalogue()


def _build_line(
    *,
    data: OrderLineInput,
    prefix: str,
    currency: str,
    on: dt.date,
    rate: Decimal,
    errors: dict[str, str],
    catalogue: Catalogue = DATABASE_CATALOGUE,
) -> OrderLine | None:
    """Price one line (unsaved); problems go into `errors` under `<prefix>field`."""
    product = getattr(data, "product", None)
    if not isinstance(product, Product) or product.pk is None:
        errors[f"{prefix}product"] = gettext("Choose a product.")
        return None
    ok = True
    quantity = _decimal(getattr(data, "quantity", None))
    if quantity is None:
        errors[f"{prefix}quantity"] = gettext("Enter the quantity as a number, e.g. 3.")
        ok = False
    elif quantity <= 0:
        errors[f"{prefix}quantity"] = gettext("must be greater than zero.")
        ok = False
    elif not _places_ok(quantity, QUANTITY_PLACES) or quantity > MAX_QUANTITY:
        errors[f"{prefix}quantity"] = gettext(
            "Use at most 3 decimal places and 11 digits before them."
        )
        ok = False
    discount = _decimal(getattr(data, "discount_pct", Decimal(0)))
    if discount is None:
        errors[f"{prefix}discount_pct"] = gettext("Enter the discount as a percentage, e.g. 10.")
        ok = False
    elif discount < 0 or discount > HUNDRED:
        errors[f"{prefix}discount_pct"] = gettext("must be between 0 and 100 (a percentage).")
        ok = False
    elif not _places_ok(discount, CENT):
        errors[f"{prefix}discount_pct"] = gettext("Use at most 2 decimal places.")
        ok = False
    raw_price = getattr(data, "unit_price", None)
    unit_price: Decimal | None
    if raw_price is None:
        row = catalogue.price_row(product_id=product.pk, currency=currency, on=on)
        if row is None:
            errors[f"{prefix}unit_price"] = gettext(
                "%(sku)s has no list price in %(currency)s on or before %(on)s; "
                "enter a unit price or add a price to the catalog."
            ) % {"sku": product.sku, "currency": currency, "on": on.isoformat()}
            return None
        unit_price = row.list_price
    else:
        unit_price = _decimal(raw_price)
        if unit_price is None:
            errors[f"{prefix}unit_price"] = gettext("Enter the unit price as a number, e.g. 19.99.")
            ok = False
        elif unit_price < 0:
            errors[f"{prefix}unit_price"] = gettext("cannot be negative.")
            ok = False
        elif not _places_ok(unit_price, CENT) or unit_price > MAX_MONEY:
            errors[f"{prefix}unit_price"] = gettext("Use at most 2 decimal places.")
            ok = False
    cost = catalogue.cost_row(product_id=product.pk, currency=currency, on=on)
    if cost is None:
        errors[f"{prefix}product"] = gettext(
            "%(sku)s has no price or unit cost on or before %(on)s; add one to the catalog first."
        ) % {"sku": product.sku, "on": on.isoformat()}
        ok = False
    if not ok or quantity is None or unit_price is None or discount is None or cost is None:
        return None
    net = quantize_money(quantity * unit_price * (HUNDRED - discount) / HUNDRED)
    if net > MAX_MONEY:
        errors[f"{prefix}quantity"] = gettext("The line amount is too large.")
        return None
    if cost.currency == currency:
        cost_reporting = quantize_money(quantity * cost.unit_cost * rate)
    else:
        try:
            cost_reporting = quantize_money(
                quantity * cost.unit_cost * catalogue.rate(currency=cost.currency, on=on)
            )
        except ValidationError:
            errors[f"{prefix}product"] = gettext(
                "The unit cost of %(sku)s is in %(currency)s, which has no exchange "
                "rate on or before %(on)s."
            ) % {"sku": product.sku, "currency": cost.currency, "on": on.isoformat()}
            return None
    return OrderLine(
        product=product,
        product_line_id=product.line_id,
        quantity=quantity,
        unit_price=unit_price,
        discount_pct=discount,
        net_amount=net,
        net_amount_reporting=quantize_money(net * rate),
        cost_reporting=cost_reporting,
    )


def _recompute_totals(order: Order) -> None:
    """Header totals = SQL sums of the lines."""
    totals = OrderLine.objects.filter(order_id=order.pk).aggregate(
        net=Coalesce(Sum("net_amount"), ZERO_MONEY),
        reporting=Coalesce(Sum("net_amount_reporting"), ZERO_MONEY),
    )
    # SQLite hands back computed decimals unrounded: round to cents like the columns.
    order.net_total = quantize_money(totals["net"])
    order.net_total_reporting = quantize_money(totals["reporting"])
    Order.objects.filter(pk=order.pk).update(
        net_total=order.net_total, net_total_reporting=order.net_total_reporting
    )


def _next_number(year: int) -> str:
    """The next free "SO-YYYY-NNNNNN" of the year (numbers given by hand are skipped)."""
    prefix = f"{NUMBER_PREFIX}-{year:04d}-"
    candidates = (
        Order.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)[:50]
    )
    n = 1
    for number in candidates:
        tail = number[len(prefix) :]
        if len(tail) == NUMBER_DIGITS and tail.isdigit():
            n = int(tail) + 1
            break
    return f"{prefix}{n:0{NUMBER_DIGITS}d}"


def _check_promised(
    errors: dict[str, str], *, ordered_on: dt.date | None, dates: dict[str, Any]
) -> None:
    for field, value in dates.items():
        if value is None:
            continue
        if not _is_date(value):
            errors[field] = gettext("Enter a date (YYYY-MM-DD).")
        elif ordered_on is not None and value < ordered_on:
            errors[field] = gettext(
                "A promised date cannot be before the order was taken (%(on)s)."
            ) % {"on": ordered_on.isoformat()}


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def _latest_actual(order: Order) -> dt.date:
    """The date of the last step done so far (at least the day the order was taken)."""
    dates = [getattr(order, actual) for _, actual in STEP_FIELDS.values()]
    return max(d for d in dates if d is not None)


# --- orders ------------------------------------------------------------------------------------


@transaction.atomic
def order_create(
    *,
    account: Account,
    owner: Person,
    currency: str,
    ordered_on: dt.date,
    lines: Sequence[OrderLineInput],
    deal: Deal | None = None,
    number: str | None = None,
    confirm_promised_on: dt.date | None = None,
    ship_promised_on: dt.date | None = None,
    delivery_promised_on: dt.date | None = None,
    follow_up_promised_on: dt.date | None = None,
    notes: str = "",
    external_ref: str = "",
) -> Order:
    """Take an order: stamp the owner's placement, convert at the day's rate, price the lines."""
    errors: dict[str, str] = {}
    if not isinstance(account, Account) or account.pk is None:
        errors["account"] = gettext("Choose the customer account.")
    if not isinstance(owner, Person) or owner.pk is None:
        errors["owner"] = gettext("Choose the owner (the seller accountable for the order).")
    currency = (currency or "").strip().upper()
    if currency not in CURRENCIES:
        errors["currency"] = gettext("“%(currency)s” is not a supported currency code.") % {
            "currency": currency
        }
    if not _is_date(ordered_on):
        errors["ordered_on"] = gettext("Enter the date the order was taken (YYYY-MM-DD).")
    on: dt.date | None = ordered_on if _is_date(ordered_on) else None
    if number is not None:
        number = number.strip()
        if not number:
            errors["number"] = gettext(
                "The order number cannot be blank (leave it out to generate one)."
            )
        elif len(number) > 30:
            errors["number"] = gettext("The order number can be at most 30 characters.")
        elif Order.objects.filter(number=number).exists():
            errors["number"] = gettext("There is already an order numbered %(number)s.") % {
                "number": number
            }
    if len(external_ref or "") > 64:
        errors["external_ref"] = gettext("The external id can be at most 64 characters.")
    _check_promised(
        errors,
        ordered_on=on,
        dates={
            "confirm_promised_on": confirm_promised_on,
            "ship_promised_on": ship_promised_on,
            "delivery_promised_on": delivery_promised_on,
            "follow_up_promised_on": follow_up_promised_on,
        },
    )
    if deal is not None:
        if not isinstance(deal, Deal) or deal.pk is None:
            errors["deal"] = gettext("Choose a deal.")
        elif deal.status != DealStatus.WON:
            errors["deal"] = gettext(
                "Only a won deal can become an order; “%(deal)s” is %(status)s."
            ) % {"deal": deal, "status": deal.status}
        elif "account" not in errors and deal.account_id != account.pk:
            errors["deal"] = gettext(
                "The deal “%(deal)s” is for another account than %(account)s."
            ) % {"deal": deal, "account": account}
    if not lines:
        errors["lines"] = gettext("An order needs at least one line.")
    rate: Decimal | None = None
    if on is not None and "currency" not in errors:
        try:
            rate = exchange_rate_get(currency=currency, on=on)
        except ValidationError:
            errors["currency"] = gettext(
                "There is no exchange rate for %(currency)s on or before %(on)s; "
                "add one under Settings → Exchange rates."
            ) % {"currency": currency, "on": on.isoformat()}
    built: list[OrderLine] = []
    if on is not None and rate is not None:
        for index, data in enumerate(lines or ()):
            line = _build_line(
                data=data,
                prefix=f"lines[{index}].",
                currency=currency,
                on=on,
                rate=rate,
                errors=errors,
            )
            if line is not None:
                built.append(line)
    _raise(errors)
    assert on is not None and rate is not None
    placement = person_placement_at(person_id=owner.pk, on=on)
    fields = {
        "account": account,
        "deal": deal,
        "currency": currency,
        "fx_rate": rate,
        "ordered_on": on,
        "confirm_promised_on": confirm_promised_on,
        "ship_promised_on": ship_promised_on,
        "delivery_promised_on": delivery_promised_on,
        "follow_up_promised_on": follow_up_promised_on,
        "notes": notes or "",
        "external_ref": external_ref or "",
        "owner": owner,
        "unit_id": placement.unit_id,
        "unit_path": placement.unit_path,
        "territory_id": placement.territory_id,
    }
    order: Order | None = None
    for _attempt in range(5):
        candidate = Order(number=number or _next_number(on.year), **fields)
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError:
            if not Order.objects.filter(number=candidate.number).exists():
                raise
            if number is not None:
                raise ValidationError(
                    {
                        "number": gettext("There is already an order numbered %(number)s.")
                        % {"number": number}
                    }
                ) from None
            continue  # taken concurrently: try the next number
        order = candidate
        break
    if order is None:
        raise ValidationError(
            {"number": gettext("Could not generate a free order number; try again.")}
        )
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    _recompute_totals(order)
    facts_changed("order", ids=[order.pk])
    return order


@dataclass(frozen=True)
class BulkOrder:
    """One order for `orders_create_bulk`: what `order_create` takes, with the account, owner and
    deal given by id (a bulk load names hundreds of thousands of them)."""

    account_id: int
    owner_id: int
    currency: str
    ordered_on: dt.date
    lines: Sequence[OrderLineInput]
    number: str | None = None
    external_ref: str = ""
    notes: str = ""
    delivery_promised_on: dt.date | None = None
    deal_id: int | None = None


class _Numbers:
    """The orders service's numbering for many orders: SO-<year>-<6 digits>, continuing each
    year's sequence and skipping numbers that are taken."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.last: dict[int, int] = {}

    def next(self, year: int) -> str:
        prefix = f"{NUMBER_PREFIX}-{year:04d}-"
        if year not in self.last:
            top = (
                Order.objects.filter(
                    number__regex=rf"^{NUMBER_PREFIX}-{year:04d}-[0-9]{{{NUMBER_DIGITS}}}$"
                )
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
            self.last[year] = int(top[len(prefix) :]) if top else 0
        while True:
            self.last[year] += 1
            number = f"{prefix}{self.last[year]:0{NUMBER_DIGITS}d}"
            if number not in self.taken:
                self.taken.add(number)
                return number


@transaction.atomic
def orders_create_bulk(*, orders: Sequence[BulkOrder]) -> list[Order]:
    """Take many orders at once, with exactly the rules and the arithmetic of `order_create`
    (the same line pricing, organisation stamp and conversion, from indexes read once), written
    in bulk (COPY on PostgreSQL); the derived tables are then recomputed once for the days the
    orders fall on. Errors name the order by its place in the list: `orders[3].currency`,
    `orders[3].lines[0].quantity`; nothing is written when any order has one."""
    errors: dict[str, str] = {}
    products = [line.product for order in orders for line in order.lines]
    catalogue = PreloadedCatalogue([p.pk for p in products if isinstance(p, Product)])
    accounts = set(
        Account.objects.filter(pk__in={o.account_id for o in orders}).values_list("pk", flat=True)
    )
    owners = set(
        Person.objects.filter(pk__in={o.owner_id for o in orders}).values_list("pk", flat=True)
    )
    deals = {
        d.pk: d
        for d in Deal.objects.filter(pk__in={o.deal_id for o in orders if o.deal_id is not None})
    }
    given = [o.number.strip() for o in orders if o.number]
    taken = set(Order.objects.filter(number__in=given).values_list("number", flat=True))
    seen_numbers: set[str] = set()
    built: list[tuple[Order, list[OrderLine]]] = []
    places = PlacementIndex(owners)
    for i, data in enumerate(orders):
        at = f"orders[{i}]."
        mine: dict[str, str] = {}
        if data.account_id not in accounts:
            mine["account"] = gettext("Choose the customer account.")
        if data.owner_id not in owners:
            mine["owner"] = gettext("Choose the owner (the seller accountable for the order).")
        currency = (data.currency or "").strip().upper()
        if currency not in CURRENCIES:
            mine["currency"] = gettext("“%(currency)s” is not a supported currency code.") % {
                "currency": currency
            }
        if not _is_date(data.ordered_on):
            mine["ordered_on"] = gettext("Enter the date the order was taken (YYYY-MM-DD).")
        number = data.number.strip() if data.number else None
        if data.number is not None and not number:
            mine["number"] = gettext(
                "The order number cannot be blank (leave it out to generate one)."
            )
        elif number and len(number) > 30:
            mine["number"] = gettext("The order number can be at most 30 characters.")
        elif number and (number in taken or number in seen_numbers):
            mine["number"] = gettext("There is already an order numbered %(number)s.") % {
                "number": number
            }
        if number:
            seen_numbers.add(number)
        if len(data.external_ref or "") > 64:
            mine["external_ref"] = gettext("The external id can be at most 64 characters.")
        on = data.ordered_on if _is_date(data.ordered_on) else None
        _check_promised(
            mine, ordered_on=on, dates={"delivery_promised_on": data.delivery_promised_on}
        )
        deal = deals.get(data.deal_id) if data.deal_id is not None else None
        if data.deal_id is not None:
            if deal is None:
                mine["deal"] = gettext("Choose a deal.")
            elif deal.status != DealStatus.WON:
                mine["deal"] = gettext(
                    "Only a won deal can become an order; “%(deal)s” is %(status)s."
                ) % {"deal": deal, "status": deal.status}
            elif deal.account_id != data.account_id:
                mine["deal"] = gettext("The deal “%(deal)s” is for another account.") % {
                    "deal": deal
                }
        if not data.lines:
            mine["lines"] = gettext("An order needs at least one line.")
        rate: Decimal | None = None
        if on is not None and "currency" not in mine:
            try:
                rate = catalogue.rate(currency=currency, on=on)
            except ValidationError:
                mine["currency"] = gettext(
                    "There is no exchange rate for %(currency)s on or before %(on)s; "
                    "add one under Settings → Exchange rates."
                ) % {"currency": currency, "on": on.isoformat()}
        lines: list[OrderLine] = []
        if on is not None and rate is not None:
            for index, line_data in enumerate(data.lines):
                line = _build_line(
                    data=line_data,
                    prefix=f"lines[{index}].",
                    currency=currency,
                    on=on,
                    rate=rate,
                    errors=mine,
                    catalogue=catalogue,
                )
                if line is not None:
                    lines.append(line)
        if mine:
            errors.update({at + k: v for k, v in mine.items()})
            continue
        assert on is not None and rate is not None
        placement = places.at(data.owner_id, on)
        order = Order(
            number=number or "",
            account_id=data.account_id,
            deal=deal,
            currency=currency,
            fx_rate=rate,
            ordered_on=on,
            delivery_promised_on=data.delivery_promised_on,
            notes=data.notes or "",
            external_ref=data.external_ref or "",
            owner_id=data.owner_id,
            unit_id=placement.unit_id,
            unit_path=placement.unit_path,
            territory_id=placement.territory_id,
            status=OrderStatus.TAKEN,
            net_total=quantize_money(sum((x.net_amount for x in lines), Decimal(0))),
            net_total_reporting=quantize_money(
                sum((x.net_amount_reporting for x in lines), Decimal(0))
            ),
        )
        built.append((order, lines))
    _raise(errors)
    numbers = _Numbers(taken | seen_numbers)
    for order, _lines in built:
        if not order.number:
            order.number = numbers.next(order.ordered_on.year)
    created = [order for order, _lines in built]
    with facts_suspended():
        stamp_times(created)
        bulk_insert(Order, created)
        all_lines = []
        for order, lines in built:
            for line in lines:
                line.order_id = order.pk
                all_lines.append(line)
        bulk_insert(OrderLine, all_lines)
    if created:
        days = [order.ordered_on for order in created]
        facts_changed_between(
            "order",
            start=min(days),
            end=max(days),
            stamps=[(o.owner_id, o.ordered_on, o.unit_path) for o in created],
        )
    return created


@transaction.atomic
def order_create_from_deal(
    *,
    deal: Deal,
    ordered_on: dt.date,
    lines: Sequence[OrderLineInput],
    by: Person | None = None,
    **promised: Any,
) -> Order:
    """An order for a won deal: account, owner and currency come from the deal.

    `promised` takes the promised dates, `number`, `notes` and `external_ref` of order_create.
    `by` is who books it (kept for the audit trail of callers; the owner is the deal's owner).
    """
    allowed = set(PROMISED_FIELDS) | {"number", "notes", "external_ref"}
    unknown = sorted(set(promised) - allowed)
    if unknown:
        raise ValidationError(
            {unknown[0]: gettext("“%(field)s” cannot be set on an order.") % {"field": unknown[0]}}
        )
    if not isinstance(deal, Deal) or deal.pk is None:
        raise ValidationError({"deal": gettext("Choose a won deal.")})
    if deal.account is None:
        raise ValidationError(
            {"deal": gettext("The deal names no account yet: give it one before ordering.")}
        )
    return order_create(
        account=deal.account,
        owner=deal.owner,
        currency=deal.currency,
        ordered_on=ordered_on,
        lines=lines,
        deal=deal,
        **promised,
    )


@transaction.atomic
def order_update(
    *,
    order: Order,
    notes: str = UNSET,
    external_ref: str = UNSET,
    confirm_promised_on: dt.date | None = UNSET,
    ship_promised_on: dt.date | None = UNSET,
    delivery_promised_on: dt.date | None = UNSET,
    follow_up_promised_on: dt.date | None = UNSET,
) -> Order:
    """Change notes, external id and promised dates (lines: order_line_add / _remove)."""
    locked = _lock(order)
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if notes is not UNSET:
        changes["notes"] = notes or ""
    if external_ref is not UNSET:
        if len(external_ref or "") > 64:
            errors["external_ref"] = gettext("The external id can be at most 64 characters.")
        changes["external_ref"] = external_ref or ""
    dates = {
        name: value
        for name, value in {
            "confirm_promised_on": confirm_promised_on,
            "ship_promised_on": ship_promised_on,
            "delivery_promised_on": delivery_promised_on,
            "follow_up_promised_on": follow_up_promised_on,
        }.items()
        if value is not UNSET
    }
    _check_promised(errors, ordered_on=locked.ordered_on, dates=dates)
    _raise(errors)
    changes.update(dates)
    for name, value in changes.items():
        setattr(locked, name, value)
    if changes:
        locked.save(update_fields=[*changes, "updated_at"])
    order.refresh_from_db()
    return order


@transaction.atomic
def order_set_promised(*, order: Order, step: str, on: dt.date | None) -> Order:
    """Set (or clear, with None) the promised date of one lifecycle step."""
    step = STEP_ALIASES.get(step, step)
    promised_field = STEP_FIELDS.get(step, (None, ""))[0]
    if promised_field is None:
        choices = ", ".join(s for s, (p, _) in STEP_FIELDS.items() if p)
        raise ValidationError(
            {
                "step": gettext("“%(step)s” is not a step with a promise (%(choices)s).")
                % {"step": step, "choices": choices}
            }
        )
    locked = _lock(order)
    if locked.status == OrderStatus.CANCELLED:
        raise ValidationError(
            {"step": gettext("The order is cancelled; it has no promises to keep.")}
        )
    errors: dict[str, str] = {}
    _check_promised(errors, ordered_on=locked.ordered_on, dates={"on": on})
    _raise(errors)
    setattr(locked, promised_field, on)
    locked.save(update_fields=[promised_field, "updated_at"])
    order.refresh_from_db()
    return order


@transaction.atomic
def order_line_add(*, order: Order, line: OrderLineInput) -> OrderLine:
    """Add a line while the order is only taken, priced on the order date and rate."""
    locked = _lock(order)
    if locked.status != OrderStatus.TAKEN:
        raise ValidationError(
            {
                "line": gettext("Lines can change only while the order is taken; it is %(status)s.")
                % {"status": locked.status}
            }
        )
    errors: dict[str, str] = {}
    built = _build_line(
        data=line,
        prefix="",
        currency=locked.currency,
        on=locked.ordered_on,
        rate=locked.fx_rate,
        errors=errors,
    )
    _raise(errors)
    assert built is not None
    built.order = locked
    built.save()
    _recompute_totals(locked)
    locked.save(update_fields=["updated_at"])
    facts_changed("order", ids=[locked.pk])
    order.refresh_from_db()
    return built


@transaction.atomic
def order_line_remove(*, line: OrderLine) -> Order:
    """Remove a line while the order is only taken; an order keeps at least one line."""
    order = _lock(line.order)
    if order.status != OrderStatus.TAKEN:
        raise ValidationError(
            {
                "line": gettext("Lines can change only while the order is taken; it is %(status)s.")
                % {"status": order.status}
            }
        )
    if not OrderLine.objects.filter(order_id=order.pk).exclude(pk=line.pk).exists():
        raise ValidationError(
            {
                "line": gettext(
                    "An order needs at least one line; add another before removing this one."
                )
            }
        )
    facts_changing("order_line", ids=[line.pk])
    try:
        with transaction.atomic():
            OrderLine.objects.filter(pk=line.pk).delete()
    except ProtectedError as exc:
        raise ValidationError(
            {
                "line": gettext(
                    "This line was paid on in an approved payout run, so it stays: record a "
                    "return instead."
                )
            }
        ) from exc
    _recompute_totals(order)
    order.save(update_fields=["updated_at"])
    facts_changed("order", ids=[order.pk])
    return order


@transaction.atomic
def order_advance(*, order: Order, to_status: str, on: dt.date, by: Person | None = None) -> Order:
    """Move the order forward to `to_status` on `on`; skipped steps get the same date."""
    steps = [str(s) for s in LIFECYCLE]
    if to_status not in steps[1:]:
        raise ValidationError(
            {
                "to_status": gettext("“%(step)s” is not a step to advance to (%(steps)s).")
                % {"step": to_status, "steps": ", ".join(steps[1:])}
            }
        )
    locked = _lock(order)
    if locked.status == OrderStatus.CANCELLED:
        raise ValidationError({"to_status": gettext("A cancelled order cannot advance.")})
    current = steps.index(locked.status)
    target = steps.index(to_status)
    if target <= current:
        nxt = steps[current + 1] if current + 1 < len(steps) else None
        message = (
            gettext(
                "The order is already %(status)s; it can only move forward (next step: %(next)s)."
            )
            % {"status": _status_label(locked.status), "next": _status_label(nxt)}
            if nxt
            else gettext("The order is already %(status)s; it can only move forward.")
            % {"status": _status_label(locked.status)}
        )
        raise ValidationError({"to_status": message})
    if not _is_date(on):
        raise ValidationError({"on": gettext("Enter the date of the step (YYYY-MM-DD).")})
    if on < locked.ordered_on:
        raise ValidationError(
            {
                "on": gettext("cannot be before the order was taken (%(on)s).")
                % {"on": locked.ordered_on.isoformat()}
            }
        )
    previous = _latest_actual(locked)
    if on < previous:
        raise ValidationError(
            {
                "on": gettext("cannot be before the previous step's date (%(on)s).")
                % {"on": previous.isoformat()}
            }
        )
    fields = ["status", "updated_at"]
    for step in steps[current + 1 : target + 1]:
        actual = STEP_FIELDS[step][1]
        setattr(locked, actual, on)
        fields.append(actual)
    locked.status = to_status
    locked.save(update_fields=fields)
    if OrderStatus.DELIVERED in steps[current + 1 : target + 1]:  # delivered now (or passed by)
        shown = ("number", "owner_id", "account_id", "deal_id", "currency", "net_total")
        more = ("net_total_reporting", "ordered_on", "delivered_on", "status")
        event_emit("order.delivered", payload=record_payload(locked, *shown, *more))
    facts_changed("order", ids=[locked.pk])
    order.refresh_from_db()
    return order


@transaction.atomic
def order_record_payment(*, order: Order, on: dt.date) -> Order:
    """Record the day the customer paid the order (incentive plans may credit on payment).
    A cancelled order cannot be paid; the day is not before the order was taken."""
    locked = _lock(order)
    if locked.status == OrderStatus.CANCELLED:
        raise ValidationError({"on": gettext("A cancelled order cannot be paid.")})
    if not _is_date(on):
        raise ValidationError({"on": gettext("Enter the date of the payment (YYYY-MM-DD).")})
    if on < locked.ordered_on:
        raise ValidationError(
            {
                "on": gettext("cannot be before the order was taken (%(on)s).")
                % {"on": locked.ordered_on.isoformat()}
            }
        )
    if on > today():
        raise ValidationError({"on": gettext("A payment cannot be recorded before it happens.")})
    locked.paid_on = on
    locked.save(update_fields=["paid_on", "updated_at"])
    order.refresh_from_db()
    return order


@transaction.atomic
def order_cancel(*, order: Order, on: dt.date, reason: str, by: Person) -> OrderCancellation:
    """Cancel a whole order before delivery (afterwards record returns instead)."""
    locked = _lock(order)
    if locked.status == OrderStatus.CANCELLED:
        raise ValidationError({"status": gettext("The order is already cancelled.")})
    if locked.status in RETURNABLE:
        raise ValidationError(
            {
                "status": (
                    gettext(
                        "The order is %(status)s; it can no longer be "
                        "cancelled — record a return on its lines instead."
                    )
                    % {"status": _status_label(locked.status)}
                )
            }
        )
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = gettext("Give the reason for the cancellation.")
    if not isinstance(by, Person) or by.pk is None:
        errors["by"] = gettext("Say who cancels the order.")
    if not _is_date(on):
        errors["on"] = gettext("Enter the date of the cancellation (YYYY-MM-DD).")
    else:
        previous = _latest_actual(locked)
        if on < previous:
            errors["on"] = (
                gettext("cannot be before the order's last step (%(on)s).")
                % {"on": previous.isoformat()}
                if previous != locked.ordered_on
                else gettext("cannot be before the order was taken (%(on)s).")
                % {"on": previous.isoformat()}
            )
    _raise(errors)
    cancellation = OrderCancellation.objects.create(
        order=locked,
        cancelled_on=on,
        reason=reason,
        cancelled_by=by,
        previous_status=locked.status,
    )
    locked.status = OrderStatus.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    facts_changed("order", ids=[locked.pk])
    order.refresh_from_db()
    return cancellation


# --- returns -----------------------------------------------------------------------------------


@transaction.atomic
def order_return_record(
    *,
    line: OrderLine,
    quantity: Decimal,
    returned_on: dt.date,
    reason: str,
    by: Person,
    note: str = "",
) -> OrderReturn:
    """Goods sent back on a delivered line; the refund is the line's net pro rata.

    The return that brings the line to fully returned refunds exactly what is left of the
    line's net (in both currencies), so all returns of a line add up to the line exactly.
    """
    locked_line = (
        OrderLine.objects.select_for_update(of=("self",)).select_related("order").get(pk=line.pk)
    )
    order = locked_line.order
    if order.status not in RETURNABLE:
        raise ValidationError(
            {
                "line": (
                    gettext(
                        "Only delivered orders can have returns; order %(number)s is %(status)s."
                    )
                    % {"number": order.number, "status": _status_label(order.status)}
                )
            }
        )
    errors: dict[str, str] = {}
    amount_q = _decimal(quantity)
    if amount_q is None:
        errors["quantity"] = gettext("Enter the quantity as a number, e.g. 1.")
    elif amount_q <= 0:
        errors["quantity"] = gettext("must be greater than zero.")
    elif not _places_ok(amount_q, QUANTITY_PLACES):
        errors["quantity"] = gettext("Use at most 3 decimal places.")
    if reason not in ReturnReason.values:
        errors["reason"] = gettext("Choose a reason (%(reasons)s).") % {
            "reasons": ", ".join(ReturnReason.values)
        }
    if not isinstance(by, Person) or by.pk is None:
        errors["by"] = gettext("Say who records the return.")
    if not _is_date(returned_on):
        errors["returned_on"] = gettext("Enter the date the goods came back (YYYY-MM-DD).")
    elif order.delivered_on and returned_on < order.delivered_on:
        errors["returned_on"] = gettext("cannot be before the order was delivered (%(on)s).") % {
            "on": order.delivered_on.isoformat()
        }
    previous = OrderReturn.objects.filter(line_id=locked_line.pk).aggregate(
        quantity=Coalesce(
            Sum("quantity"),
            Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=3)),
        ),
        amount=Coalesce(Sum("amount"), ZERO_MONEY),
        amount_reporting=Coalesce(Sum("amount_reporting"), ZERO_MONEY),
    )
    if "quantity" not in errors and amount_q is not None:
        remaining = locked_line.quantity - previous["quantity"].quantize(QUANTITY_PLACES)
        if amount_q > remaining:
            errors["quantity"] = gettext(
                "Only %(remaining)s of %(quantity)s can still be returned on this line."
            ) % {
                "remaining": format(remaining.normalize(), "f"),
                "quantity": format(locked_line.quantity.normalize(), "f"),
            }
    _raise(errors)
    assert amount_q is not None
    if previous["quantity"] + amount_q == locked_line.quantity:
        amount = quantize_money(locked_line.net_amount - previous["amount"])
        amount_reporting = quantize_money(
            locked_line.net_amount_reporting - previous["amount_reporting"]
        )
    else:
        amount = quantize_money(locked_line.net_amount * amount_q / locked_line.quantity)
        amount_reporting = quantize_money(
            locked_line.net_amount_reporting * amount_q / locked_line.quantity
        )
    recorded = OrderReturn.objects.create(
        line=locked_line,
        returned_on=returned_on,
        quantity=amount_q,
        reason=reason,
        note=note or "",
        amount=amount,
        amount_reporting=amount_reporting,
        recorded_by=by,
    )
    facts_changed("order", ids=[order.pk])
    return recorded
