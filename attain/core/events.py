"""Domain events: what happened, told to listeners (webhooks) once the write is committed.

The writing services (pipeline, orders, goals) sit below the apps that act on events (webhooks),
so they cannot import them. Instead they call `event_emit(name, payload=…)` inside their
transaction; the event is handed to the registered listeners only after that transaction
commits (`transaction.on_commit`), so a rolled-back write emits nothing. Listeners register
when their app loads (`register_event_listener`) and are called as
`listener(event=Event, payload=dict)`; one failing listener is logged and does not stop the
others (the write is committed by then).

Payloads are plain JSON values (`record_payload` builds them the same way for every record):
ids, the external id, amounts as strings (exact Decimal), dates in ISO 8601, the reporting
currency and the record's URL path.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from attain.core.money import reporting_currency

logger = logging.getLogger(__name__)

#: Every event name with what it means. Names are `<record>.<what happened>`.
EVENTS: dict[str, Promise] = {
    "deal.won": _("A deal was closed won."),
    "order.delivered": _("An order was delivered."),
    "goal.reached": _("A goal's actual reached its target for the first time."),
    "complaint.opened": _("A customer complaint was opened."),
    "award.given": _("A public award was given (it is in the recognition feed)."),
}
#: In the catalogue (so receivers can subscribe and prepare) but nothing emits them yet.
NOT_EMITTED_YET: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Event:
    """One occurrence: a unique id (receivers use it to ignore a repeat), the name, the time."""

    id: uuid.UUID
    name: str
    occurred_at: dt.datetime


class EventListener(Protocol):
    def __call__(self, *, event: Event, payload: dict[str, Any]) -> object: ...


_listeners: list[Callable[..., object]] = []


def register_event_listener(listener: EventListener | Callable[..., object]) -> None:
    """Call `listener(event=…, payload=…)` after every committed event (idempotent)."""
    if listener not in _listeners:
        _listeners.append(listener)


def jsonable(value: Any) -> Any:
    """A model field value as a JSON value: Decimal → exact string, date/time → ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Promise):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    return value


def record_payload(record: Model, *fields: str, **extra: Any) -> dict[str, Any]:
    """The payload of an event about `record`: its id and external id, the named fields (and
    `extra` values) as JSON values, the reporting currency and the record's URL path."""
    payload: dict[str, Any] = {
        "id": record.pk,
        "external_id": getattr(record, "external_ref", "") or "",
    }
    for name in fields:
        payload[name] = jsonable(getattr(record, name))
    for name, value in extra.items():
        payload[name] = jsonable(value)
    payload["reporting_currency"] = reporting_currency()
    payload["url"] = record.get_absolute_url()  # type: ignore[attr-defined]
    return payload


def _dispatch(event: Event, payload: dict[str, Any]) -> None:
    for listener in list(_listeners):
        try:
            listener(event=event, payload=payload)
        except Exception:  # the write is committed: log, and let the other listeners run
            logger.exception("event listener %r failed on %s %s", listener, event.name, event.id)


def event_emit(name: str, *, payload: dict[str, Any]) -> Event:
    """Announce that `name` happened; listeners hear of it once the current transaction
    commits (immediately outside a transaction), never when it is rolled back."""
    if name not in EVENTS:
        raise ValueError(f"unknown event {name!r}; add it to attain.core.events.EVENTS")
    event = Event(id=uuid.uuid4(), name=name, occurred_at=timezone.now())
    frozen = {key: jsonable(value) for key, value in payload.items()}
    transaction.on_commit(lambda: _dispatch(event, frozen))
    return event
