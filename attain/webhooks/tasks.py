"""Background work of the webhooks app: one attempt at one delivery (task worker)."""

from __future__ import annotations

from django.tasks import task  # type: ignore[attr-defined]


@task()
def webhook_deliver_task(delivery_id: int, attempt: int) -> str:
    """Make attempt number `attempt` at a delivery; idempotent: a delivered delivery, or an
    attempt already made, is not sent again. Returns the delivery's status afterwards."""
    from attain.webhooks.services import webhook_deliver

    delivery = webhook_deliver(delivery_id=delivery_id, attempt=attempt)
    return delivery.status if delivery is not None else "gone"
