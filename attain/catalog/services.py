"""Every write to the catalog. Reference data: nothing is hard-deleted, it is deactivated.

Who may call these (admins only) is checked by the pages and the API; the services validate
the data and either save everything or nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.core.money import CURRENCIES, parse_decimal, quantize_money


def _clean(instance: Any, *, exclude: list[str] | None = None) -> None:
    """Run the model's own validation (lengths, choices, uniqueness, constraints)."""
    instance.full_clean(exclude=exclude)


def _required(errors: dict[str, str], field: str, value: str, message: str) -> None:
    if not value.strip():
        errors[field] = message


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


# --- product lines -----------------------------------------------------------------------------


@transaction.atomic
def product_line_create(*, code: str, name: str, description: str = "") -> ProductLine:
    """Add a product line; code and name must be unique."""
    code, name = code.strip(), name.strip()
    errors: dict[str, str] = {}
    _required(errors, "code", code, _("Give the product line a code."))
    _required(errors, "name", name, _("Give the product line a name."))
    if code and ProductLine.objects.filter(code__iexact=code).exists():
        errors["code"] = _("A product line with the code “%(code)s” already exists.") % {
            "code": code
        }
    if name and ProductLine.objects.filter(name__iexact=name).exists():
        errors["name"] = _("A product line named “%(name)s” already exists.") % {"name": name}
    _raise(errors)
    line = ProductLine(code=code, name=name, description=description.strip())
    _clean(line)
    line.save()
    return line


@transaction.atomic
def product_line_update(
    *, line: ProductLine, name: str, description: str = "", is_active: bool = True
) -> ProductLine:
    """Rename, describe, or (de)activate a product line. The code never changes."""
    name = name.strip()
    errors: dict[str, str] = {}
    _required(errors, "name", name, _("Give the product line a name."))
    if name and ProductLine.objects.filter(name__iexact=name).exclude(pk=line.pk).exists():
        errors["name"] = _("A product line named “%(name)s” already exists.") % {"name": name}
    _raise(errors)
    fresh = ProductLine.objects.select_for_update().get(pk=line.pk)
    fresh.name, fresh.description, fresh.is_active = name, description.strip(), bool(is_active)
    _clean(fresh)
    fresh.save()
    line.refresh_from_db()
    return line


# --- products ----------------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *,
    line: ProductLine,
    sku: str,
    name: str,
    description: str = "",
    external_ref: str = "",
) -> Product:
    """Add a product to an active line; the SKU must be unique."""
    sku, name = sku.strip(), name.strip()
    errors: dict[str, str] = {}
    if line is None:
        errors["line"] = _("Choose the product line.")
    elif not line.is_active:
        errors["line"] = _("The product line “%(line)s” is inactive; choose an active line.") % {
            "line": line
        }
    _required(errors, "sku", sku, _("Give the product a SKU."))
    _required(errors, "name", name, _("Give the product a name."))
    if sku and Product.objects.filter(sku__iexact=sku).exists():
        errors["sku"] = _("A product with the SKU “%(sku)s” already exists.") % {"sku": sku}
    _raise(errors)
    product = Product(
        line=line,
        sku=sku,
        name=name,
        description=description.strip(),
        external_ref=external_ref.strip(),
    )
    _clean(product)
    product.save()
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    line: ProductLine,
    name: str,
    description: str = "",
    is_active: bool = True,
) -> Product:
    """Move a product to another line, rename, describe or (de)activate it. SKU never changes."""
    name = name.strip()
    errors: dict[str, str] = {}
    if line is None:
        errors["line"] = _("Choose the product line.")
    elif not line.is_active and line.pk != product.line_id:
        errors["line"] = _("The product line “%(line)s” is inactive; choose an active line.") % {
            "line": line
        }
    _required(errors, "name", name, _("Give the product a name."))
    _raise(errors)
    fresh = Product.objects.select_for_update().get(pk=product.pk)
    fresh.line = line
    fresh.name, fresh.description, fresh.is_active = name, description.strip(), bool(is_active)
    _clean(fresh)
    fresh.save()
    product.refresh_from_db()
    return product


# --- prices ------------------------------------------------------------------------------------


def _money(errors: dict[str, str], field: str, value: object, label: str) -> Decimal | None:
    try:
        amount = parse_decimal(value)
    except ValueError as exc:
        errors[field] = _("The %(label)s must be a number (%(error)s).") % {
            "label": label,
            "error": exc,
        }
        return None
    if amount < 0:
        errors[field] = _("The %(label)s cannot be negative (got %(amount)s).") % {
            "label": label,
            "amount": amount,
        }
        return None
    rounded = quantize_money(amount)
    if rounded != amount:
        errors[field] = _("The %(label)s has at most 2 decimal places (got %(amount)s).") % {
            "label": label,
            "amount": amount,
        }
        return None
    if len(rounded.as_tuple().digits) > 18:
        errors[field] = _("The %(label)s is too large.") % {"label": label}
        return None
    return rounded


@transaction.atomic
def product_price_set(
    *,
    product: Product,
    valid_from: dt.date,
    currency: str,
    list_price: Decimal,
    unit_cost: Decimal,
) -> ProductPrice:
    """Set the list price and unit cost of a product in a currency from a day on.

    One row per product, currency and day: setting it again for the same day replaces it.
    """
    errors: dict[str, str] = {}
    currency = (currency or "").strip().upper()
    if currency not in CURRENCIES:
        errors["currency"] = _("“%(currency)s” is not a supported currency code.") % {
            "currency": currency
        }
    if not isinstance(valid_from, dt.date):
        errors["valid_from"] = _("Give the day the price takes effect.")
    price = _money(errors, "list_price", list_price, _("list price"))
    cost = _money(errors, "unit_cost", unit_cost, _("unit cost"))
    _raise(errors)
    assert price is not None and cost is not None
    row, _created = ProductPrice.objects.update_or_create(
        product=product,
        currency=currency,
        valid_from=valid_from,
        defaults={"list_price": price, "unit_cost": cost},
    )
    return row
