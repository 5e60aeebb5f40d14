"""HTTP API for exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.core.models import ExchangeRate
from attain.core.services import exchange_rate_set
from attain.core.visibility import is_admin

router = Router(tags=["exchange rates"])


class ExchangeRateOut(Schema):
    id: int
    currency: str
    valid_on: dt.date
    rate: Decimal


class ExchangeRateIn(Schema):
    currency: str
    valid_on: dt.date
    rate: Decimal


@router.get("/exchange-rates", response=list[ExchangeRateOut], operation_id="exchange_rate_list")
@paginate(LimitOffsetPagination)
def exchange_rate_list(request: HttpRequest, currency: str = "") -> object:
    qs = ExchangeRate.objects.order_by("currency", "-valid_on")
    return qs.filter(currency=currency.upper()) if currency else qs


@router.post("/exchange-rates", response={201: ExchangeRateOut}, operation_id="exchange_rate_set")
def exchange_rate_set_view(request: HttpRequest, payload: ExchangeRateIn) -> Status:
    if not is_admin(request.user):
        raise PermissionDenied
    return Status(201, exchange_rate_set(**payload.dict()))
