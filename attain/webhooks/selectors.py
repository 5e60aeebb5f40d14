"""Reads of the webhooks app: the webhooks, the event catalogue, the delivery log."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from attain.core.events import EVENTS, NOT_EMITTED_YET
from attain.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery


def event_catalogue() -> list[dict[str, object]]:
    """Every event a webhook can subscribe to: name, what it means, whether it is emitted."""
    return [
        {"name": name, "description": str(text), "emitted": name not in NOT_EMITTED_YET}
        for name, text in EVENTS.items()
    ]


def webhook_list() -> QuerySet[Webhook]:
    """Every webhook with its count of failed deliveries."""
    return Webhook.objects.annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED))
    ).order_by("name", "pk")


def delivery_list(
    *, webhook_id: int | None = None, event: str = "", status: str = ""
) -> QuerySet[WebhookDelivery]:
    """The delivery log, newest first, optionally for one webhook, event or status."""
    deliveries = WebhookDelivery.objects.select_related("webhook").order_by("-created_at", "-pk")
    if webhook_id is not None:
        deliveries = deliveries.filter(webhook_id=webhook_id)
    if event:
        deliveries = deliveries.filter(event=event)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries
