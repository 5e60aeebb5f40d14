"""HTTP API for webhooks (sales operations): webhooks, their secrets, the delivery log."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.core.visibility import is_admin
from attain.webhooks import selectors, services
from attain.webhooks.models import Webhook, WebhookDelivery

router = Router(tags=["webhooks"])


def _admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


class EventOut(Schema):
    name: str
    description: str
    emitted: bool


class WebhookIn(Schema):
    name: str
    url: str
    events: list[str]
    is_active: bool = True


class WebhookUpdateIn(Schema):
    name: str | None = None
    url: str | None = None
    events: list[str] | None = None
    is_active: bool | None = None


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    secret_hint: str
    created_at: dt.datetime


class WebhookSecretOut(WebhookOut):
    secret: str  # shown here, on create and on rotation, and never again


class DeliveryOut(Schema):
    id: int
    webhook_id: int
    event: str
    event_id: uuid.UUID
    occurred_at: dt.datetime
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    response_status: int | None
    response_body: str
    last_error: str
    attempt_log: list[dict[str, Any]]
    delivered_at: dt.datetime | None
    created_at: dt.datetime


def _with_secret(webhook: Webhook) -> dict[str, Any]:
    fields = ("id", "name", "url", "events", "is_active", "secret_hint", "created_at", "secret")
    return {name: getattr(webhook, name) for name in fields}


@router.get("/events", response=list[EventOut], operation_id="webhook_event_list")
def webhook_event_list(request: HttpRequest) -> list[dict[str, object]]:
    """The events a webhook can subscribe to; `emitted: false` ones are not sent yet."""
    _admin(request)
    return selectors.event_catalogue()


@router.get("/deliveries", response=list[DeliveryOut], operation_id="webhook_delivery_list")
@paginate(LimitOffsetPagination)
def webhook_delivery_list(
    request: HttpRequest, webhook_id: int | None = None, event: str = "", status: str = ""
) -> Any:
    """The delivery log, newest first."""
    _admin(request)
    return selectors.delivery_list(webhook_id=webhook_id, event=event, status=status)


@router.get("/deliveries/{delivery_id}", response=DeliveryOut, operation_id="webhook_delivery_get")
def webhook_delivery_get(request: HttpRequest, delivery_id: int) -> WebhookDelivery:
    _admin(request)
    return get_object_or_404(WebhookDelivery, pk=delivery_id)


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut},
    operation_id="webhook_redeliver",
)
def webhook_redeliver(request: HttpRequest, delivery_id: int) -> Status:
    """Send a delivery again (by the task worker, in a moment): one more attempt."""
    _admin(request)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
    return Status(202, services.webhook_redeliver(delivery=delivery))


@router.get("/", response=list[WebhookOut], operation_id="webhook_list")
@paginate(LimitOffsetPagination)
def webhook_list(request: HttpRequest) -> Any:
    _admin(request)
    return selectors.webhook_list()


@router.post("/", response={201: WebhookSecretOut}, operation_id="webhook_create")
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Status:
    """A new webhook; the answer holds its signing secret, shown this once."""
    _admin(request)
    webhook = services.webhook_create(created_by=request.user, **payload.dict())
    return Status(201, _with_secret(webhook))


@router.get("/{webhook_id}", response=WebhookOut, operation_id="webhook_get")
def webhook_get(request: HttpRequest, webhook_id: int) -> Webhook:
    _admin(request)
    return get_object_or_404(Webhook, pk=webhook_id)


@router.patch("/{webhook_id}", response=WebhookOut, operation_id="webhook_update")
def webhook_update(request: HttpRequest, webhook_id: int, payload: WebhookUpdateIn) -> Webhook:
    _admin(request)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    return services.webhook_update(webhook=webhook, **payload.dict(exclude_unset=True))


@router.delete("/{webhook_id}", response={204: None}, operation_id="webhook_delete")
def webhook_delete(request: HttpRequest, webhook_id: int) -> Status:
    _admin(request)
    services.webhook_delete(webhook=get_object_or_404(Webhook, pk=webhook_id))
    return Status(204, None)


@router.post(
    "/{webhook_id}/rotate-secret", response=WebhookSecretOut, operation_id="webhook_secret_rotate"
)
def webhook_secret_rotate(request: HttpRequest, webhook_id: int) -> dict[str, Any]:
    """A new signing secret, shown this once; deliveries from now on are signed with it."""
    _admin(request)
    webhook = services.webhook_secret_rotate(webhook=get_object_or_404(Webhook, pk=webhook_id))
    return _with_secret(webhook)


@router.post("/{webhook_id}/test", response={202: DeliveryOut}, operation_id="webhook_test_send")
def webhook_test_send(request: HttpRequest, webhook_id: int) -> Status:
    """Queue a `webhook.test` event for this webhook."""
    _admin(request)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    return Status(202, services.webhook_test_send(webhook=webhook))
