"""HTTP API of the catalog app: everyone signed in reads; only admins write (403 otherwise)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.catalog import selectors, services
from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.core.periods import today
from attain.organization.visibility import is_admin

router = Router(tags=["catalog"])


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(getattr(request, "auth", None) or request.user):
        raise PermissionDenied


# --- schemas -----------------------------------------------------------------------------------


class ProductLineOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_active: bool


class ProductLineCreateIn(Schema):
    code: str
    name: str
    description: str = ""


class ProductLineUpdateIn(Schema):
    name: str
    description: str = ""
    is_active: bool = True


class ProductOut(Schema):
    id: int
    line_id: int
    line_code: str
    sku: str
    name: str
    description: str
    is_active: bool
    external_ref: str

    @staticmethod
    def resolve_line_code(obj: Product) -> str:
        return obj.line.code


class ProductCreateIn(Schema):
    line_id: int
    sku: str
    name: str
    description: str = ""
    external_ref: str = ""


class ProductUpdateIn(Schema):
    line_id: int
    name: str
    description: str = ""
    is_active: bool = True


class ProductPriceOut(Schema):
    id: int
    product_id: int
    valid_from: dt.date
    currency: str
    list_price: Decimal
    unit_cost: Decimal


class ProductPriceIn(Schema):
    valid_from: dt.date
    currency: str
    list_price: Decimal
    unit_cost: Decimal


def _line_for_write(line_id: int) -> ProductLine:
    line = ProductLine.objects.filter(pk=line_id).first()
    if line is None:
        raise ValidationError({"line_id": f"There is no product line with id {line_id}."})
    return line


def _remap_line(exc: ValidationError) -> ValidationError:
    """Service errors name `line`; the API payload calls it `line_id`."""
    if hasattr(exc, "error_dict") and "line" in exc.error_dict:
        errors = dict(exc.error_dict)
        errors["line_id"] = errors.pop("line")
        return ValidationError(errors)
    return exc


# --- product lines -----------------------------------------------------------------------------


@router.get("/lines", response=list[ProductLineOut], operation_id="productline_list")
@paginate(LimitOffsetPagination)
def productline_list(request: HttpRequest, q: str = "", is_active: bool | None = None) -> Any:
    return selectors.product_line_list(search=q, is_active=is_active).order_by("name", "pk")


@router.get("/lines/{line_id}", response=ProductLineOut, operation_id="productline_get")
def productline_get(request: HttpRequest, line_id: int) -> Any:
    return get_object_or_404(ProductLine, pk=line_id)


@router.post("/lines", response={201: ProductLineOut}, operation_id="productline_create")
def productline_create(request: HttpRequest, payload: ProductLineCreateIn) -> Any:
    _require_admin(request)
    return Status(201, services.product_line_create(**payload.dict()))


@router.put("/lines/{line_id}", response=ProductLineOut, operation_id="productline_update")
def productline_update(request: HttpRequest, line_id: int, payload: ProductLineUpdateIn) -> Any:
    _require_admin(request)
    line = get_object_or_404(ProductLine, pk=line_id)
    return services.product_line_update(line=line, **payload.dict())


# --- products ----------------------------------------------------------------------------------


@router.get("/products", response=list[ProductOut], operation_id="product_list")
@paginate(LimitOffsetPagination)
def product_list(
    request: HttpRequest, q: str = "", line_id: int | None = None, is_active: bool | None = None
) -> Any:
    return selectors.product_list(search=q, line_id=line_id, is_active=is_active).order_by(
        "name", "pk"
    )


@router.get("/products/{product_id}", response=ProductOut, operation_id="product_get")
def product_get(request: HttpRequest, product_id: int) -> Any:
    return get_object_or_404(Product.objects.select_related("line"), pk=product_id)


@router.post("/products", response={201: ProductOut}, operation_id="product_create")
def product_create(request: HttpRequest, payload: ProductCreateIn) -> Any:
    _require_admin(request)
    data = payload.dict()
    line = _line_for_write(data.pop("line_id"))
    try:
        return Status(201, services.product_create(line=line, **data))
    except ValidationError as exc:
        raise _remap_line(exc) from exc


@router.put("/products/{product_id}", response=ProductOut, operation_id="product_update")
def product_update(request: HttpRequest, product_id: int, payload: ProductUpdateIn) -> Any:
    _require_admin(request)
    product = get_object_or_404(Product, pk=product_id)
    data = payload.dict()
    line = _line_for_write(data.pop("line_id"))
    try:
        return services.product_update(product=product, line=line, **data)
    except ValidationError as exc:
        raise _remap_line(exc) from exc


# --- prices ------------------------------------------------------------------------------------


@router.get(
    "/products/{product_id}/prices",
    response=list[ProductPriceOut],
    operation_id="productprice_list",
)
@paginate(LimitOffsetPagination)
def productprice_list(request: HttpRequest, product_id: int, currency: str = "") -> Any:
    product = get_object_or_404(Product, pk=product_id)
    qs = selectors.product_price_history(product_id=product.pk)
    if currency:
        qs = qs.filter(currency=currency.upper())
    return qs


@router.get(
    "/products/{product_id}/price",
    response=ProductPriceOut,
    operation_id="productprice_get",
)
def productprice_get(
    request: HttpRequest, product_id: int, currency: str, on: dt.date | None = None
) -> Any:
    """The price in force on `on` (default today) in `currency`; 404 if there is none."""
    product = get_object_or_404(Product, pk=product_id)
    price = selectors.product_price_on(
        product_id=product.pk, currency=currency.upper(), on=on or today()
    )
    if price is None:
        raise ProductPrice.DoesNotExist
    return price


@router.post(
    "/products/{product_id}/prices",
    response={201: ProductPriceOut},
    operation_id="productprice_set",
)
def productprice_set(request: HttpRequest, product_id: int, payload: ProductPriceIn) -> Any:
    _require_admin(request)
    product = get_object_or_404(Product, pk=product_id)
    return Status(201, services.product_price_set(product=product, **payload.dict()))
