"""Deliveries go through the real task worker (`db_worker`), on either database: a committed
won deal is POSTed by the worker; a failed attempt is queued again for later, not run now."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from attain.pipeline import services as pipeline
from attain.pipeline.tests.factories import make_deal
from attain.webhooks import services
from attain.webhooks.models import WebhookDelivery
from attain.webhooks.signing import webhook_signature_verify


def work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_delivers_a_committed_event_and_queues_a_retry_for_later(world, receiver):
    webhook = services.webhook_create(name="CRM", url=receiver.url, events=["deal.won"])
    deal = make_deal(owner=world.rep)
    pipeline.deal_close_won(deal=deal, closed_on=dt.date(2024, 3, 15))  # commits: event → task
    delivery = WebhookDelivery.objects.get()
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    work()

    (request,) = receiver.requests
    assert json.loads(request.body)["data"]["id"] == deal.pk
    assert webhook_signature_verify(
        webhook.secret, request.headers["Attain-Signature"], request.body
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    result = DBTaskResult.objects.get()
    assert (result.status, result.return_value) == ("SUCCESSFUL", "delivered")

    # a failing receiver: the worker makes one attempt and queues the next for a minute later
    receiver.answer(500)
    retried = services.webhook_test_send(webhook=webhook)
    before = timezone.now()
    work()
    retried.refresh_from_db()
    assert (retried.status, retried.attempts, retried.response_status) == ("pending", 1, 500)
    later = DBTaskResult.objects.get(status="READY")
    assert later.args_kwargs["args"] == [retried.pk, 2]
    assert later.run_after == retried.next_attempt_at
    assert before + dt.timedelta(minutes=1) <= later.run_after
    assert len(receiver.requests) == 2  # the retry waits for its time: the batch did not run it
