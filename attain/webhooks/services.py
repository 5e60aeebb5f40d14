"""Every write of the webhooks app: webhooks, their secrets, and the deliveries of events.

Events (`attain.core.events`) reach `webhook_deliveries_enqueue` after the write that emitted
them commits: one `WebhookDelivery` per active webhook subscribed to the event, and one task
per delivery for the task worker. `webhook_deliver` makes one attempt: a signed POST
(`signing.py`) with a short timeout; a 2xx answer delivers it; anything else (another status,
a refused connection, a timeout) is recorded and the next attempt is enqueued with
`run_after` = now + `retry_delay(attempts)` — 1, 2, 4, 8, 16, 32, 64 minutes — until
`MAX_ATTEMPTS` attempts have failed, and the delivery is failed.

`webhook_deliver` is not one transaction (unlike the other services, and like the imports'
long services): it claims the attempt in a short transaction of its own (the row locked, the
attempt counted), makes the HTTP request outside any transaction (no lock is held while a
receiver thinks), then records the outcome in another. A task names the attempt it is for, so a
task that is late or repeated (a retry already made, a delivery already delivered) does nothing.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.core.events import EVENTS, Event
from attain.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from attain.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    webhook_signature,
)
from attain.webhooks.tasks import webhook_deliver_task

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5
#: characters of the receiver's answer kept on the delivery
RESPONSE_KEEP = 2000
#: hosts that may be reached over plain http (a receiver on the developer's machine)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
#: the event "send a test event" sends; not in the catalogue (nobody subscribes to it)
TEST_EVENT = "webhook.test"
USER_AGENT = "Attain-Webhooks/1"


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4, 8 … minutes."""
    return dt.timedelta(minutes=2 ** (attempts - 1))


def new_secret() -> str:
    return f"whsec_{secrets.token_hex(24)}"


# --- webhooks ----------------------------------------------------------------------------------


def _check(errors: dict[str, str], *, name: str, url: str, events: Any) -> None:
    if not (name or "").strip():
        errors["name"] = _("Give the webhook a name.")
    elif len(name.strip()) > 120:
        errors["name"] = _("The name is longer than 120 characters.")
    try:
        URLValidator(schemes=["http", "https"])(url or "")
    except ValidationError:
        errors["url"] = _("Enter the full address, e.g. https://example.com/attain-hook.")
    else:
        parts = urlsplit(url)
        if len(url) > 500:
            errors["url"] = _("The address is longer than 500 characters.")
        elif parts.scheme != "https" and (parts.hostname or "") not in LOCAL_HOSTS:
            errors["url"] = _(
                "Use an https:// address (plain http only to localhost, for development)."
            )
    if not isinstance(events, list | tuple) or not events:
        errors["events"] = _("Choose at least one event.")
    else:
        unknown = [str(e) for e in events if e not in EVENTS]
        if unknown:
            errors["events"] = _("Unknown event %(names)s; choose from %(known)s.") % {
                "names": ", ".join(f"“{e}”" for e in unknown),
                "known": ", ".join(EVENTS),
            }


def _event_list(events: list[str] | tuple[str, ...]) -> list[str]:
    """The chosen events once each, in catalogue order."""
    return [name for name in EVENTS if name in set(events)]


@transaction.atomic
def webhook_create(
    *,
    name: str,
    url: str,
    events: list[str],
    is_active: bool = True,
    created_by: Any = None,
) -> Webhook:
    """A new webhook with a fresh secret (show `webhook.secret` to its creator, once)."""
    errors: dict[str, str] = {}
    _check(errors, name=name, url=url, events=events)
    if errors:
        raise ValidationError(errors)
    return Webhook.objects.create(
        name=name.strip(),
        url=url,
        events=_event_list(events),
        secret=new_secret(),
        is_active=is_active,
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )


@transaction.atomic
def webhook_update(
    *,
    webhook: Webhook,
    name: str | None = None,
    url: str | None = None,
    events: list[str] | None = None,
    is_active: bool | None = None,
) -> Webhook:
    """Change what is given (None: unchanged). The secret stays; rotate it on its own."""
    errors: dict[str, str] = {}
    _check(
        errors,
        name=webhook.name if name is None else name,
        url=webhook.url if url is None else url,
        events=webhook.events if events is None else events,
    )
    if errors:
        raise ValidationError(errors)
    if name is not None:
        webhook.name = name.strip()
    if url is not None:
        webhook.url = url
    if events is not None:
        webhook.events = _event_list(events)
    if is_active is not None:
        webhook.is_active = is_active
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook) -> None:
    """Delete the webhook and its delivery log (queued attempts then find nothing to do)."""
    webhook.delete()


@transaction.atomic
def webhook_secret_rotate(*, webhook: Webhook) -> Webhook:
    """A new secret (show it once); deliveries from now on are signed with it."""
    webhook.secret = new_secret()
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook


# --- deliveries --------------------------------------------------------------------------------


def _enqueue(delivery_id: int, attempt: int, run_after: dt.datetime | None = None) -> None:
    task = (
        webhook_deliver_task
        if run_after is None
        else webhook_deliver_task.using(run_after=run_after)
    )
    task.enqueue(delivery_id, attempt)


@transaction.atomic
def webhook_deliveries_enqueue(*, event: Event, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """The event listener: one delivery per active webhook subscribed to the event, each
    handed to the task worker once this transaction commits."""
    hooks = [
        h for h in Webhook.objects.filter(is_active=True).order_by("pk") if event.name in h.events
    ]
    if not hooks:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                webhook=hook,
                event=event.name,
                event_id=event.id,
                occurred_at=event.occurred_at,
                payload=payload,
                next_attempt_at=event.occurred_at,
            )
            for hook in hooks
        ]
    )
    for delivery in deliveries:
        transaction.on_commit(partial(_enqueue, delivery.pk, 1))
    return deliveries


@transaction.atomic
def webhook_test_send(*, webhook: Webhook) -> WebhookDelivery:
    """Queue a `webhook.test` event for this one webhook (whatever it subscribes to)."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event=TEST_EVENT,
        event_id=uuid.uuid4(),
        occurred_at=now,
        payload={
            "webhook_id": webhook.pk,
            "name": webhook.name,
            "message": "A test event from Attain: the webhook is reachable.",
        },
        next_attempt_at=now,
    )
    transaction.on_commit(partial(_enqueue, delivery.pk, 1))
    return delivery


@transaction.atomic
def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (from the log): one more attempt, whatever its status. When it
    fails, the back-off continues while attempts remain; otherwise it is failed again."""
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if not Webhook.objects.filter(pk=locked.webhook_id, is_active=True).exists():
        raise ValidationError(
            {"webhook": _("The webhook is switched off; switch it on to send again.")}
        )
    locked.status = DeliveryStatus.PENDING
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "next_attempt_at", "updated_at"])
    transaction.on_commit(partial(_enqueue, locked.pk, locked.attempts + 1))
    return locked


def delivery_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes POSTed (the same on every attempt): the event envelope as JSON."""
    envelope = {
        "id": str(delivery.event_id),
        "event": delivery.event,
        "occurred_at": delivery.occurred_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status, None when no answer came
    body: str
    error: str
    ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address to POST to (urllib would GET it)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirects)
    started = time.monotonic()
    status: int | None = None
    text = ""
    error = ""
    try:
        # the scheme is http(s) only: checked by webhook_create / webhook_update
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
            text = response.read(RESPONSE_KEEP).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status = exc.code
        text = exc.read(RESPONSE_KEEP).decode("utf-8", "replace") if exc.fp else ""
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        error = _("No answer: %(reason)s") % {"reason": str(reason) or type(exc).__name__}
    ms = int((time.monotonic() - started) * 1000)
    if status is not None and not 200 <= status < 300:
        error = _("The receiver answered HTTP %(status)s.") % {"status": status}
    return Outcome(status=status, body=text[:RESPONSE_KEEP], error=error, ms=ms)


def webhook_deliver(
    *, delivery_id: int, attempt: int | None = None, now: dt.datetime | None = None
) -> WebhookDelivery | None:
    """Make one attempt at a delivery (the task worker calls this); returns it, or None when it
    no longer exists. `attempt` is the attempt the caller means to make: when the delivery is
    past it (or delivered, or failed) nothing is sent. `now` is the clock (tests pass one)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery
        if attempt is not None and attempt != delivery.attempts + 1:
            return delivery  # a late or repeated task: that attempt was made
        webhook = delivery.webhook
        if not webhook.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = _("The webhook was switched off before this attempt.")
            delivery.save(update_fields=["status", "next_attempt_at", "last_error", "updated_at"])
            return delivery
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = None
        delivery.save(
            update_fields=["attempts", "last_attempt_at", "next_attempt_at", "updated_at"]
        )

    body = delivery_body(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: webhook_signature(webhook.secret, body, int(now.timestamp())),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    }
    outcome = _post(webhook.url, body, headers)

    with transaction.atomic():
        delivery.response_status = outcome.status
        delivery.response_body = outcome.body
        delivery.last_error = outcome.error
        delivery.attempt_log = [
            *delivery.attempt_log,
            {
                "attempt": delivery.attempts,
                "at": now.isoformat(),
                "status": outcome.status,
                "error": outcome.error,
                "ms": outcome.ms,
            },
        ][-50:]
        if outcome.ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            transaction.on_commit(
                partial(_enqueue, delivery.pk, delivery.attempts + 1, delivery.next_attempt_at)
            )
        try:
            delivery.save(
                update_fields=[
                    "response_status",
                    "response_body",
                    "last_error",
                    "attempt_log",
                    "status",
                    "delivered_at",
                    "next_attempt_at",
                    "updated_at",
                ]
            )
        except DatabaseError:  # deleted with its webhook while we were sending
            return None
    return delivery
