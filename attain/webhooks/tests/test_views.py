"""Webhook pages: sales operations only; create shows the secret once; the delivery log with its
filters, a delivery's payload and attempts, send again, send a test event; query budgets."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from attain.webhooks import services
from attain.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


def make_hook(**kw) -> Webhook:
    return services.webhook_create(
        name=kw.pop("name", "CRM sync"),
        url=kw.pop("url", "https://example.com/hook"),
        events=kw.pop("events", ["deal.won"]),
        **kw,
    )


@pytest.mark.parametrize(
    "path",
    ["/webhooks/", "/webhooks/new/", "/webhooks/deliveries/", "/webhooks/{pk}/"],
)
@pytest.mark.parametrize("who", ["rep", "manager", "leader"])
def test_pages_refuse_everyone_but_sales_operations(world, login_as, path, who):
    webhook = make_hook()
    client = login_as(getattr(world, who))
    assert client.get(path.format(pk=webhook.pk)).status_code == 403


def test_posts_are_refused_too_and_change_nothing(world, login_as):
    webhook = make_hook()
    delivery = services.webhook_test_send(webhook=webhook)
    client = login_as(world.rep)
    data = {"name": "X", "url": "https://x.example/h", "events": ["deal.won"]}
    assert client.post("/webhooks/new/", data).status_code == 403
    assert client.post(f"/webhooks/{webhook.pk}/rotate/").status_code == 403
    assert client.post(f"/webhooks/{webhook.pk}/delete/").status_code == 403
    assert client.post(f"/webhooks/deliveries/{delivery.pk}/send/").status_code == 403
    assert list(Webhook.objects.values_list("name", "secret")) == [("CRM sync", webhook.secret)]


def test_create_shows_the_secret_once(world, login_as):
    client = login_as(world.admin)
    r = client.post(
        "/webhooks/new/",
        {
            "name": "Warehouse",
            "url": "https://warehouse.example/attain",
            "events": ["order.delivered", "goal.reached"],
            "is_active": "on",
        },
    )
    webhook = Webhook.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/webhooks/{webhook.pk}/"
    assert webhook.events == ["order.delivered", "goal.reached"]
    assert webhook.created_by == world.admin.user
    first = client.get(r["Location"])
    assert webhook.secret in first.content.decode()
    again = client.get(r["Location"])
    assert webhook.secret not in again.content.decode()
    assert webhook.secret_hint in again.content.decode()


def test_create_with_plain_http_shows_the_error_and_saves_nothing(world, login_as):
    client = login_as(world.admin)
    r = client.post(
        "/webhooks/new/",
        {"name": "Bad", "url": "http://example.com/hook", "events": ["deal.won"]},
    )
    assert r.status_code == 200
    assert "Use an https:// address" in r.content.decode()
    assert not Webhook.objects.exists()


def test_rotate_shows_the_new_secret_once(world, login_as):
    webhook = make_hook()
    client = login_as(world.admin)
    r = client.post(f"/webhooks/{webhook.pk}/rotate/")
    webhook.refresh_from_db()
    page = client.get(r["Location"]).content.decode()
    assert webhook.secret in page


def test_edit_and_delete(world, login_as):
    webhook = make_hook()
    client = login_as(world.admin)
    r = client.post(
        f"/webhooks/{webhook.pk}/edit/",
        {"name": "Renamed", "url": "https://example.com/new", "events": ["complaint.opened"]},
    )
    assert r.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.events, webhook.is_active) == (
        "Renamed",
        "https://example.com/new",
        ["complaint.opened"],
        False,
    )
    assert client.post(f"/webhooks/{webhook.pk}/delete/").status_code == 302
    assert not Webhook.objects.exists()


def test_list_shows_the_webhooks_and_the_catalogue(world, login_as, django_assert_max_num_queries):
    for n in range(5):
        make_hook(name=f"Hook {n}")
    client = login_as(world.admin)
    with django_assert_max_num_queries(12):
        r = client.get("/webhooks/")
    page = r.content.decode()
    assert r.status_code == 200
    assert all(f"Hook {n}" in page for n in range(5))
    assert "complaint.opened" in page and "A customer complaint was opened." in page
    assert "not emitted yet" not in page


def test_delivery_log_filters_and_shows_payload_response_and_attempts(
    world, login_as, django_assert_max_num_queries
):
    one = make_hook(name="One")
    two = make_hook(name="Two")
    sent = services.webhook_test_send(webhook=one)
    failed = services.webhook_test_send(webhook=two)
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.FAILED,
        attempts=8,
        response_status=502,
        response_body="bad gateway",
        last_error="The receiver answered HTTP 502.",
        attempt_log=[{"attempt": 8, "at": "2026-01-05T09:00:00+00:00", "status": 502}],
    )
    client = login_as(world.admin)
    with django_assert_max_num_queries(12):
        r = client.get("/webhooks/deliveries/?status=failed")
    page = r.content.decode()
    assert f"/webhooks/deliveries/{failed.pk}/" in page
    assert f"/webhooks/deliveries/{sent.pk}/" not in page
    page = client.get(f"/webhooks/deliveries/?webhook={one.pk}").content.decode()
    assert f"/webhooks/deliveries/{sent.pk}/" in page
    assert f"/webhooks/deliveries/{failed.pk}/" not in page

    detail = client.get(f"/webhooks/deliveries/{failed.pk}/").content.decode()
    assert "bad gateway" in detail and "The receiver answered HTTP 502." in detail
    assert "&quot;webhook_id&quot;: " + str(two.pk) in detail
    assert "8 of 8" in detail


def test_send_again_and_send_a_test_event_queue_work_for_the_worker(
    world, login_as, django_capture_on_commit_callbacks
):
    webhook = make_hook()
    client = login_as(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/webhooks/{webhook.pk}/test/")
    delivery = WebhookDelivery.objects.get()
    assert r["Location"] == f"/webhooks/deliveries/{delivery.pk}/"
    assert delivery.event == "webhook.test"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=8)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/webhooks/deliveries/{delivery.pk}/send/")
    assert r.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert [row.args_kwargs["args"] for row in DBTaskResult.objects.order_by("enqueued_at")] == [
        [delivery.pk, 1],
        [delivery.pk, 9],
    ]


def test_settings_area_links_the_webhooks(world, login_as):
    page = login_as(world.admin).get("/webhooks/").content.decode()
    assert 'href="/webhooks/"' in page
