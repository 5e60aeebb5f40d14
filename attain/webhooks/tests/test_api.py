"""Webhooks API: admins only (403 otherwise); create returns the secret once; errors name the
field; update, delete, the event catalogue, the delivery log with filters, redeliver."""

from __future__ import annotations

import pytest

from attain.webhooks import services
from attain.webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db
API = "/api/v1/webhooks"
JSON = "application/json"


def fields(response) -> set[str]:
    return {item["field"] for item in response.json()["detail"]}


def make_hook(**kw) -> Webhook:
    return services.webhook_create(
        name=kw.pop("name", "CRM sync"),
        url=kw.pop("url", "https://example.com/hook"),
        events=kw.pop("events", ["deal.won"]),
    )


def test_anonymous_gets_401(client):
    assert client.get(f"{API}/").status_code == 401


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_non_admins_get_403_and_change_nothing(world, login_as, who):
    webhook = make_hook()
    delivery = services.webhook_test_send(webhook=webhook)
    client = login_as(getattr(world, who))
    body = {"name": "X", "url": "https://x.example/h", "events": ["deal.won"]}
    assert client.get(f"{API}/").status_code == 403
    assert client.post(f"{API}/", body, content_type=JSON).status_code == 403
    assert client.get(f"{API}/{webhook.pk}").status_code == 403
    assert client.patch(f"{API}/{webhook.pk}", {"name": "Y"}, content_type=JSON).status_code == 403
    assert client.delete(f"{API}/{webhook.pk}").status_code == 403
    assert client.get(f"{API}/deliveries").status_code == 403
    assert client.post(f"{API}/deliveries/{delivery.pk}/redeliver").status_code == 403
    assert list(Webhook.objects.values_list("name", flat=True)) == ["CRM sync"]


def test_create_returns_the_secret_once_then_only_its_hint(world, login_as):
    client = login_as(world.admin)
    r = client.post(
        f"{API}/",
        {"name": "Warehouse", "url": "https://w.example/in", "events": ["order.delivered"]},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    webhook = Webhook.objects.get()
    assert body["secret"] == webhook.secret
    assert (body["id"], body["events"], body["is_active"]) == (
        webhook.pk,
        ["order.delivered"],
        True,
    )
    got = client.get(f"{API}/{webhook.pk}").json()
    assert "secret" not in got and got["secret_hint"] == webhook.secret_hint
    listed = client.get(f"{API}/").json()
    assert [item["name"] for item in listed["items"]] == ["Warehouse"]
    assert "secret" not in listed["items"][0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "http://example.com/hook"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["deal.lost"]}, "events"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_input_is_422_naming_the_field(world, login_as, change, field):
    client = login_as(world.admin)
    body = {"name": "Hook", "url": "https://example.com/hook", "events": ["deal.won"], **change}
    r = client.post(f"{API}/", body, content_type=JSON)
    assert r.status_code == 422
    assert fields(r) == {field}
    assert not Webhook.objects.exists()


def test_update_rotate_and_delete(world, login_as):
    webhook = make_hook()
    client = login_as(world.admin)
    r = client.patch(f"{API}/{webhook.pk}", {"is_active": False}, content_type=JSON)
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert r.json()["url"] == "https://example.com/hook"
    old = webhook.secret
    r = client.post(f"{API}/{webhook.pk}/rotate-secret")
    webhook.refresh_from_db()
    assert r.json()["secret"] == webhook.secret != old
    assert client.delete(f"{API}/{webhook.pk}").status_code == 204
    assert not Webhook.objects.exists()


def test_event_catalogue_marks_every_event_as_emitted(world, login_as):
    r = login_as(world.admin).get(f"{API}/events")
    assert [(e["name"], e["emitted"]) for e in r.json()] == [
        ("deal.won", True),
        ("order.delivered", True),
        ("goal.reached", True),
        ("complaint.opened", True),
        ("award.given", True),
    ]


def test_delivery_log_filters_and_redeliver(
    world, login_as, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    one = make_hook(name="One")
    two = make_hook(name="Two")
    first = services.webhook_test_send(webhook=one)
    second = services.webhook_test_send(webhook=two)
    WebhookDelivery.objects.filter(pk=second.pk).update(status="failed", attempts=8)
    client = login_as(world.admin)
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/deliveries")
    assert [d["id"] for d in r.json()["items"]] == [second.pk, first.pk]
    r = client.get(f"{API}/deliveries?status=failed")
    assert [d["id"] for d in r.json()["items"]] == [second.pk]
    r = client.get(f"{API}/deliveries?webhook_id={one.pk}")
    assert [d["id"] for d in r.json()["items"]] == [first.pk]
    assert r.json()["items"][0]["payload"]["webhook_id"] == one.pk

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{API}/deliveries/{second.pk}/redeliver")
    assert r.status_code == 202
    assert (r.json()["status"], r.json()["attempts"]) == ("pending", 8)
    assert client.get(f"{API}/deliveries/{second.pk}").json()["status"] == "pending"
