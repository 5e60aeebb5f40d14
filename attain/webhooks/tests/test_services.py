"""Webhook services: validation, one delivery per subscribed webhook with the exact payload,
signatures a receiver can verify, nothing for a rolled-back write, retries with exponential
back-off to delivered or failed, idempotent attempts, redelivery and test events."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from attain.goals.models import GoalAchievement
from attain.goals.tests.factories import make_goal
from attain.orders.services import order_advance
from attain.orders.tests.factories import make_order
from attain.orders.tests.factories import make_product as make_priced_product
from attain.pipeline import services as pipeline
from attain.pipeline.tests.factories import make_account, make_deal
from attain.webhooks import services
from attain.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from attain.webhooks.signing import webhook_signature, webhook_signature_verify

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def hook(url: str, *events: str, **kw) -> Webhook:
    return services.webhook_create(name="CRM sync", url=url, events=list(events), **kw)


def fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.error_dict)


def tasks() -> list[tuple[list[int], dt.datetime | None]]:
    """The queued delivery tasks: (args, run_after or None), oldest first."""
    rows = DBTaskResult.objects.filter(task_path__endswith="webhook_deliver_task").order_by(
        "enqueued_at", "id"
    )
    out = []
    for row in rows:
        run_after = row.task_result.task.run_after
        out.append((row.args_kwargs["args"], run_after))
    return out


# --- webhooks ----------------------------------------------------------------------------------


def test_create_generates_a_secret_and_keeps_the_events_in_catalogue_order(world):
    webhook = services.webhook_create(
        name="  CRM  ",
        url="https://example.com/hooks/attain",
        events=["order.delivered", "deal.won", "deal.won"],
        created_by=world.admin.user,
    )
    assert (webhook.name, webhook.events, webhook.is_active) == (
        "CRM",
        ["deal.won", "order.delivered"],
        True,
    )
    assert webhook.secret.startswith("whsec_") and len(webhook.secret) == 6 + 48
    assert webhook.secret_hint == f"…{webhook.secret[-4:]}"
    assert webhook.created_by == world.admin.user
    old = webhook.secret
    assert services.webhook_secret_rotate(webhook=webhook).secret not in ("", old)


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("http://example.com/hook", ["deal.won"], "url"),  # plain http to another host
        ("ftp://example.com/hook", ["deal.won"], "url"),
        ("not a url", ["deal.won"], "url"),
        ("https://example.com/hook", [], "events"),
        ("https://example.com/hook", ["deal.lost"], "events"),
        ("https://example.com/hook", "deal.won", "events"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, url, events, field):
    with pytest.raises(ValidationError) as exc:
        services.webhook_create(name="Bad", url=url, events=events)
    assert fields(exc) == {field}
    assert not Webhook.objects.exists()


def test_plain_http_is_allowed_to_localhost_only():
    assert hook("http://localhost:8080/hook", "deal.won").url == "http://localhost:8080/hook"
    assert hook("http://127.0.0.1:9/x", "goal.reached").events == ["goal.reached"]


def test_update_validates_and_changes_only_what_is_given():
    webhook = hook("https://example.com/a", "deal.won")
    with pytest.raises(ValidationError) as exc:
        services.webhook_update(webhook=webhook, url="http://example.com/b", events=[])
    assert fields(exc) == {"url", "events"}
    webhook.refresh_from_db()
    assert (webhook.url, webhook.events) == ("https://example.com/a", ["deal.won"])
    services.webhook_update(webhook=webhook, is_active=False, events=["complaint.opened"])
    webhook.refresh_from_db()
    assert (webhook.url, webhook.events, webhook.is_active) == (
        "https://example.com/a",
        ["complaint.opened"],
        False,
    )


# --- events to deliveries ----------------------------------------------------------------------


def test_a_won_deal_gives_one_delivery_with_the_exact_payload_and_a_valid_signature(
    world, receiver, django_capture_on_commit_callbacks
):
    webhook = hook(receiver.url, "deal.won", "order.delivered")
    hook(receiver.url, "order.delivered")  # not subscribed to deal.won
    hook(receiver.url, "deal.won", is_active=False)  # switched off
    account = make_account(owner=world.rep)
    deal = make_deal(owner=world.rep, account=account, amount="1234.50", name="Big one")

    with django_capture_on_commit_callbacks(execute=True):
        pipeline.deal_close_won(deal=deal, closed_on=dt.date(2024, 3, 15))

    delivery = WebhookDelivery.objects.get()
    assert (delivery.webhook, delivery.event, delivery.status, delivery.attempts) == (
        webhook,
        "deal.won",
        DeliveryStatus.PENDING,
        0,
    )
    assert delivery.payload == {
        "id": deal.pk,
        "external_id": "",
        "name": "Big one",
        "owner_id": world.rep.pk,
        "account_id": account.pk,
        "currency": "EUR",
        "amount": "1234.50",
        "amount_reporting": "1234.50",
        "closed_on": "2024-03-15",
        "reporting_currency": "EUR",
        "url": f"/pipeline/deals/{deal.pk}/",
    }
    assert tasks() == [([delivery.pk, 1], None)]  # for the worker, now

    services.webhook_deliver(delivery_id=delivery.pk, attempt=1, now=T0)

    (request,) = receiver.requests
    assert request.path == "/hook"
    assert request.headers["Attain-Event"] == "deal.won"
    assert request.headers["Attain-Delivery"] == str(delivery.pk)
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(request.body) == {
        "id": str(delivery.event_id),
        "event": "deal.won",
        "occurred_at": delivery.occurred_at.isoformat(),
        "data": delivery.payload,
    }
    signature = request.headers["Attain-Signature"]
    stamp = int(T0.timestamp())
    assert signature == webhook_signature(webhook.secret, request.body, stamp)
    assert signature.startswith(f"t={stamp},v1=")
    assert webhook_signature_verify(webhook.secret, signature, request.body, now=stamp + 299)
    assert not webhook_signature_verify("whsec_wrong", signature, request.body, now=stamp)
    assert not webhook_signature_verify(webhook.secret, signature, request.body + b" ", now=stamp)
    assert not webhook_signature_verify(webhook.secret, signature, request.body, now=stamp + 301)
    assert not webhook_signature_verify(webhook.secret, "v1=abc", request.body, now=stamp)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    assert (delivery.delivered_at, delivery.next_attempt_at, delivery.last_error) == (T0, None, "")
    assert delivery.response_body == "status 200"


def test_a_rolled_back_close_emits_nothing(world, django_capture_on_commit_callbacks):
    hook("https://example.com/hook", "deal.won")
    deal = make_deal(owner=world.rep)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        pipeline.deal_close_won(deal=deal, closed_on=dt.date(2024, 3, 15))
        raise RuntimeError("something after the close fails")
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()
    assert tasks() == []


def test_an_order_delivered_gives_order_delivered(world, django_capture_on_commit_callbacks):
    webhook = hook("https://example.com/hook", "order.delivered")
    product = make_priced_product(prices=[("EUR", "19.99", "8.00")])
    order = make_order(owner=world.rep, product=product, quantity="3")
    with django_capture_on_commit_callbacks(execute=True):
        order_advance(order=order, to_status="shipped", on=dt.date(2025, 3, 5))
    assert not WebhookDelivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        order_advance(order=order, to_status="delivered", on=dt.date(2025, 3, 8))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.webhook, delivery.event) == (webhook, "order.delivered")
    assert delivery.payload == {
        "id": order.pk,
        "external_id": "",
        "number": order.number,
        "owner_id": world.rep.pk,
        "account_id": order.account_id,
        "deal_id": None,
        "currency": "EUR",
        "net_total": "59.97",
        "net_total_reporting": "59.97",
        "ordered_on": "2025-03-03",
        "delivered_on": "2025-03-08",
        "status": "delivered",
        "reporting_currency": "EUR",
        "url": f"/orders/{order.pk}/",
    }
    with django_capture_on_commit_callbacks(execute=True):
        order_advance(order=order, to_status="followed_up", on=dt.date(2025, 3, 9))
    assert WebhookDelivery.objects.count() == 1  # following up is not delivering again


def test_a_goal_reached_by_an_order_gives_goal_reached_once(
    world, django_capture_on_commit_callbacks
):
    hook("https://example.com/hook", "goal.reached")
    goal = make_goal(world, person=world.rep, target="100.00")  # revenue, March 2025
    product = make_priced_product(prices=[("EUR", "19.99", "8.00")])
    with django_capture_on_commit_callbacks(execute=True):
        make_order(owner=world.rep, product=product, quantity="6")  # 119.94 on 3 March
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "goal.reached"
    assert (delivery.payload["id"], delivery.payload["actual"], delivery.payload["reached_on"]) == (
        goal.pk,
        "119.94",
        "2025-03-03",
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_order(owner=world.rep, product=product, quantity="1")
    assert WebhookDelivery.objects.count() == 1
    assert GoalAchievement.objects.get().actual == Decimal("119.94")


# --- attempts ----------------------------------------------------------------------------------


def _pending(url: str) -> WebhookDelivery:
    """A pending test delivery (its first task is not queued: the test transaction does not
    commit)."""
    webhook = hook(url, "deal.won")
    return services.webhook_test_send(webhook=webhook)


def test_500_then_200_retries_after_a_minute_and_ends_delivered(
    receiver, django_capture_on_commit_callbacks
):
    receiver.answer(500, 200)
    delivery = _pending(receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_deliver(delivery_id=delivery.pk, attempt=1, now=T0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert delivery.next_attempt_at == T0 + MINUTE
    assert delivery.last_error == "The receiver answered HTTP 500."
    assert tasks()[-1] == ([delivery.pk, 2], T0 + MINUTE)  # the retry, through the worker

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_deliver(delivery_id=delivery.pk, attempt=2, now=T0 + MINUTE)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 2, 200)
    assert (delivery.next_attempt_at, delivery.delivered_at) == (None, T0 + MINUTE)
    assert [(a["attempt"], a["status"], a["at"]) for a in delivery.attempt_log] == [
        (1, 500, T0.isoformat()),
        (2, 200, (T0 + MINUTE).isoformat()),
    ]
    first, second = receiver.requests
    assert first.body == second.body  # the same event, byte for byte
    assert first.headers["Attain-Delivery"] == second.headers["Attain-Delivery"]
    assert len(tasks()) == 1  # the one retry: nothing more queued once delivered


def test_back_off_doubles_and_after_eight_failures_the_delivery_is_failed(
    receiver, django_capture_on_commit_callbacks
):
    receiver.answer(503)
    delivery = _pending(receiver.url)
    now = T0
    waits = []
    for attempt in range(1, 9):
        with django_capture_on_commit_callbacks(execute=True):
            services.webhook_deliver(delivery_id=delivery.pk, attempt=attempt, now=now)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if delivery.next_attempt_at is not None:
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
    assert waits == [MINUTE * m for m in (1, 2, 4, 8, 16, 32, 64)]
    assert (delivery.status, delivery.next_attempt_at, delivery.response_status) == (
        "failed",
        None,
        503,
    )
    assert len(receiver.requests) == 8
    # each retry queued for the worker at its time; none after the eighth failure
    assert tasks() == [
        ([delivery.pk, attempt], T0 + MINUTE * m)
        for attempt, m in zip(range(2, 9), (1, 3, 7, 15, 31, 63, 127), strict=True)
    ]
    services.webhook_deliver(delivery_id=delivery.pk, attempt=9, now=now)  # nothing to do
    assert len(receiver.requests) == 8


def test_a_delivered_delivery_or_a_made_attempt_is_not_sent_again(receiver):
    delivery = _pending(receiver.url)
    services.webhook_deliver(delivery_id=delivery.pk, attempt=1, now=T0)
    services.webhook_deliver(delivery_id=delivery.pk, attempt=1, now=T0)  # repeated task
    services.webhook_deliver(delivery_id=delivery.pk, attempt=2, now=T0)  # delivered already
    services.webhook_deliver(delivery_id=delivery.pk, now=T0)
    assert len(receiver.requests) == 1
    assert services.webhook_deliver(delivery_id=999999) is None


def test_no_answer_is_recorded_as_an_error_and_retried(receiver):
    delivery = _pending("http://127.0.0.1:9/closed")  # the discard port: nothing listens
    services.webhook_deliver(delivery_id=delivery.pk, attempt=1, now=T0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, None)
    assert delivery.last_error.startswith("No answer: ")
    assert delivery.next_attempt_at == T0 + MINUTE


def test_a_switched_off_webhook_fails_its_pending_deliveries_without_sending(receiver):
    delivery = _pending(receiver.url)
    services.webhook_update(webhook=delivery.webhook, is_active=False)
    services.webhook_deliver(delivery_id=delivery.pk, attempt=1, now=T0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 0)
    assert receiver.requests == []
    with pytest.raises(ValidationError) as exc:
        services.webhook_redeliver(delivery=delivery)
    assert fields(exc) == {"webhook"}


def test_send_again_makes_one_more_attempt_of_a_failed_delivery(
    receiver, django_capture_on_commit_callbacks
):
    receiver.answer(500)
    delivery = _pending(receiver.url)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=7)
    services.webhook_deliver(delivery_id=delivery.pk, attempt=8, now=T0)
    delivery.refresh_from_db()
    assert delivery.status == "failed"

    receiver.answer(200)
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_redeliver(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert tasks()[-1] == ([delivery.pk, 9], None)
    services.webhook_deliver(delivery_id=delivery.pk, attempt=9, now=T0 + MINUTE)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 9)


def test_a_test_event_goes_to_that_webhook_only(receiver, django_capture_on_commit_callbacks):
    webhook = hook(receiver.url, "order.delivered")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.webhook_test_send(webhook=webhook)
    assert (delivery.event, delivery.payload["webhook_id"]) == ("webhook.test", webhook.pk)
    assert tasks() == [([delivery.pk, 1], None)]
    services.webhook_deliver(delivery_id=delivery.pk, attempt=1, now=T0)
    assert receiver.requests[0].headers["Attain-Event"] == "webhook.test"


def test_deleting_a_webhook_deletes_its_log_and_queued_attempts_do_nothing(receiver):
    delivery = _pending(receiver.url)
    services.webhook_delete(webhook=delivery.webhook)
    assert not WebhookDelivery.objects.exists()
    assert services.webhook_deliver(delivery_id=delivery.pk, attempt=1) is None
    assert receiver.requests == []
